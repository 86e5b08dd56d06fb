"""Template glue for comments: the section under an article, and the count
on article cards. Thin: the data comes from :mod:`..selectors`."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import LazyObject, Promise
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from nashr.arabic.counting import count_phrase

from ..forms import HONEYPOT_FIELD, InitialCommentForm, body_max_length
from ..guard import REASON_LABELS, form_token_make
from ..rendering import LINK_REL, author_url_clean, avatar_for, comment_body_html, comment_text_clean
from ..selectors import article_comments_close_at, article_comments_open, comment_counts, comments_for_article

register = template.Library()


def comments_label(n: int) -> str:
    """An Arabic count of comments, with the noun in the form the number
    takes (singular, dual, plural 3-10, accusative singular 11+).

    >>> [comments_label(n) for n in (0, 1, 2, 3, 10, 11, 100, 103)]
    ['لا تعليقات', 'تعليق واحد', 'تعليقان', '3 تعليقات', '10 تعليقات', '11 تعليقًا', '100 تعليق', '103 تعليقات']
    """
    return count_phrase(max(0, n), zero="لا تعليقات", one="تعليق واحد", two="تعليقان", few="{n} تعليقات",
                        many="{n} تعليقًا", other="{n} تعليق", digits=settings.NASHR_DIGITS)


def _tree_size(nodes) -> int:
    return sum(1 + _tree_size(n.thread) for n in nodes)


def _find(nodes, pk: int):
    for node in nodes:
        if node.pk == pk:
            return node
        found = _find(node.thread, pk)
        if found is not None:
            return found
    return None


@register.simple_tag(takes_context=True)
def comments_section(context) -> dict:
    """Everything ``comments/includes/article_comments.html`` shows for the
    article in ``page``: ``open``, ``closed_by_age``, ``comments`` (tree),
    ``count``, ``form``, ``reply_to``, ``held``, ``max_depth``,
    ``honeypot``. ``{"article": None}`` for anything that is not a saved
    article (a preview of a new page)."""
    from nashr.articles.models import ArticlePage

    article = context.get("page")
    request = context.get("request")
    if not isinstance(article, ArticlePage) or not article.pk:
        return {"article": None}
    handed = getattr(request, "_nashr_comments_section", None)
    if handed is not None and handed["article"] is article:  # read already by article_comments
        return handed
    is_open = article_comments_open(article=article)
    tree = comments_for_article(article_id=article.pk)
    form = getattr(request, "_nashr_comment_form", None) if request is not None else None
    reply_to = None
    raw_reply = ""
    if form is not None:
        raw_reply = str(form.data.get("parent", ""))
    elif request is not None:
        raw_reply = request.GET.get("replyto", "")
    if raw_reply.isascii() and raw_reply.isdigit():
        reply_to = _find(tree, int(raw_reply))
    if form is None:
        form = InitialCommentForm(initial={
            "article": article.pk, "parent": reply_to.pk if reply_to else None,
            "token": form_token_make(article_id=article.pk),
        })
    elif "token" in form.data:
        # a fresh render time: the reader may simply correct and resend
        form.data = form.data.copy()
        form.data["token"] = form_token_make(article_id=article.pk)
    close_at = article_comments_close_at(article=article)
    section = {
        "article": article, "open": is_open, "comments": tree, "count": _tree_size(tree), "form": form,
        "reply_to": reply_to, "max_depth": max(1, settings.NASHR_COMMENTS_MAX_DEPTH),
        "held": request is not None and request.GET.get("comment") == "held",
        "closed_by_age": article.comments_open and not is_open and close_at is not None,
        "honeypot": HONEYPOT_FIELD, "max_length": body_max_length(),
    }
    return section


#: Stands for the comment form's token (a signed render time, new on
#: every request) in the cached HTML of a comments section.
TOKEN_HOLE = "nashr-comment-token-hole"


def _comments_key(cm: dict, request) -> str | None:
    """The fragment-cache key of a comments section, or None when it must
    be rendered: a reply chosen (``?replyto``), a form sent back with its
    errors, the "held for moderation" notice, or a preview. The key holds
    every approved comment shown (id, parent, depth, name, website, text,
    time, editor flag), whether comments are open, the settings and the
    page's path (the form's cancel link)."""
    import hashlib

    from nashr.articles.fragments import fragment_digest, fragment_cache_seconds

    if (fragment_cache_seconds() <= 0 or request is None or getattr(request, "is_preview", False)
            or cm["reply_to"] is not None or cm["held"] or cm["form"].is_bound
            or getattr(request, "_nashr_comment_form", None) is not None or "replyto" in request.GET):
        return None
    parts = [str(cm["article"].pk), request.path, repr((cm["open"], cm["closed_by_age"], cm["count"],
                                                        cm["max_depth"], cm["max_length"], cm["honeypot"]))]

    def walk(nodes):
        for c in nodes:
            parts.append(repr((c.pk, c.parent_id, c.depth, c.author_name, c.author_url, c.body,
                               c.created_at.isoformat() if c.created_at else None, c.user_id)))
            walk(c.thread)

    walk(cm["comments"])
    digest = fragment_digest(parts)
    return f"nashr:frag:comments:{cm['article'].pk}:{hashlib.blake2b(digest.encode(), digest_size=8).hexdigest()}"


@register.simple_tag(takes_context=True)
def article_comments(context) -> str:
    """``comments/includes/article_comments.html`` for the article in
    ``page`` (built in Python, :func:`nashr.comments.section_html.
    comments_section_html`), its HTML kept in the fragment cache
    (``caches["fragments"]``, ``NASHR_FRAGMENT_CACHE_SECONDS``) under a key
    made of everything it shows (:func:`_comments_key`). The approved
    comments are still read on every request (one query), so a comment
    appears as soon as it is approved; only the rendering is saved. The
    form's token is put in per request."""
    from django.core.cache import caches

    from nashr.articles.fragments import CACHE_ALIAS, fragment_cache_seconds

    from ..section_html import comments_section_html

    cm = comments_section(context)
    request = context.get("request")
    request_path = request.path if request is not None else ""
    key = _comments_key(cm, request) if cm.get("article") is not None else None
    if key is None:
        return comments_section_html(cm, request_path=request_path)
    token = str(cm["form"].initial.get("token", ""))
    cached = caches[CACHE_ALIAS].get(key)
    if cached is None:
        html = str(comments_section_html(cm, request_path=request_path))
        if token and html.count(token) == 1:
            caches[CACHE_ALIAS].set(key, html.replace(token, TOKEN_HOLE), fragment_cache_seconds())
        return mark_safe(html)
    return mark_safe(cached.replace(TOKEN_HOLE, escape(token)))


@register.filter
def comment_body(text) -> str:
    """A comment's plain text as safe paragraphs with linked URLs."""
    return comment_body_html(str(text or ""))


@register.filter
def comment_avatar(name) -> str:
    """The initials avatar: a coloured circle drawn by CSS, no image."""
    avatar = avatar_for(str(name or ""))
    return format_html('<span class="cm-avatar" style="--cm-hue: {}" aria-hidden="true">{}</span>',
                       avatar["hue"], avatar["initials"])


@register.filter
def comment_author(comment) -> str:
    """The commenter's name (bidi-isolated), linked to their website when it
    is an http(s) URL, with ``rel="nofollow ugc noopener"``."""
    name = escape(comment_text_clean(comment.author_name).strip()) or "قارئ"
    url = author_url_clean(comment.author_url)
    if url:
        return mark_safe(f'<a class="cm-author__link" href="{escape(url)}" rel="{LINK_REL}"><bdi>{name}</bdi></a>')
    return mark_safe(f"<bdi>{name}</bdi>")


@register.filter
def count_label(n) -> str:
    return comments_label(int(n or 0))


def _articles_in(value, found: dict, depth: int = 0) -> None:
    """Collect articles already in memory in a template context value
    (lists, tuples, dicts, a paginator page, an evaluated queryset) without
    running any query."""
    from django.core.paginator import Page as PaginatorPage

    from nashr.articles.models import ArticlePage

    if depth > 3 or len(found) > 500:
        return
    # Lazy values (the CSRF token, the user) must stay unevaluated: even an
    # isinstance() check evaluates a SimpleLazyObject, and evaluating the
    # CSRF token sets a cookie on every anonymous page. type() does not.
    if issubclass(type(value), (LazyObject, Promise)):
        return
    if isinstance(value, ArticlePage):
        if value.pk:
            found[value.pk] = True
        return
    if isinstance(value, PaginatorPage):
        value = value.object_list
    if isinstance(value, QuerySet):
        value = value._result_cache
        if value is None:
            return
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value[:200]:
            _articles_in(item, found, depth + 1)


@register.simple_tag(takes_context=True)
def comment_count(context, article) -> int:
    """Approved comments of ``article``, for its card. The first call on a
    page counts, in one query, every article of the page's context; later
    cards read that answer (kept on the request)."""
    request = context.get("request")
    pk = getattr(article, "pk", None)
    if not pk:
        return 0
    memo = getattr(request, "_nashr_comment_counts", None) if request is not None else None
    if memo is None or pk not in memo["asked"]:
        found: dict = {pk: True}
        for value in context.flatten().values():
            _articles_in(value, found)
        ids = set(found)
        counts = comment_counts(article_ids=ids)
        if memo is None:
            memo = {"asked": set(), "counts": {}}
            if request is not None:
                request._nashr_comment_counts = memo
        memo["asked"] |= ids
        memo["counts"].update(counts)
    return memo["counts"].get(pk, 0)


@register.filter
def plain(text) -> str:
    """Plain text without bidi controls or other control characters (for
    emails and attributes); still auto-escaped where escaping is on."""
    return comment_text_clean(str(text or ""))


@register.filter
def reason_label(code) -> str:
    """The Arabic words for a guard reason code (the code itself if unknown)."""
    return REASON_LABELS.get(str(code or ""), str(code or ""))
