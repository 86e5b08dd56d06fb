"""The HTML of the comment section under an article, built in Python.

The templates ``comments/includes/article_comments.html`` (the section),
``comment.html`` (one comment and its replies) and ``form.html`` (the
reader's form) stay the markup's reference; the article page, the
most-read page, gets the same bytes from the functions here, because a
template costs several times more than the HTML it makes
(``tests/test_section_html.py`` renders the templates beside them).

Each function takes ``cm``, the section's values as
:func:`nashr.comments.templatetags.nashr_comments.comments_section` gives
them (``article``, ``open``, ``closed_by_age``, ``comments``, ``count``,
``form``, ``reply_to``, ``held``, ``max_depth``, ``honeypot``,
``max_length``), and returns safe HTML, escaping included. None raises for
such values.
"""

from __future__ import annotations

import html

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from nashr.articles.page_html import iso_datetime
from nashr.articles.page_urls import route_url
from nashr.articles.templatetags.nashr import ar_datetime, asset, bidi_clean

from .forms import InitialCommentForm


def _e(value) -> str:
    """``{{ value }}``: escaped unless safe (a plain ``str`` as Django's
    ``escape`` does it, ``html.escape``)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def _text(value) -> str:
    """``{{ value|default_if_none:'' }}``."""
    return "" if value is None else _e(value)


def _field(form, name: str) -> tuple:
    """``(value, errors)`` of the form's field ``name``, as the template's
    ``form.<name>.value`` and ``form.<name>.errors`` give them. An unbound
    form's value is its initial value and it has no errors; that case
    builds no form (:class:`~nashr.comments.forms.InitialCommentForm`)."""
    if isinstance(form, InitialCommentForm):
        return form.initial.get(name), ()
    bound = form[name]
    return bound.value(), bound.errors


def _input_errors(errors, error_id: str) -> tuple[str, str]:
    """The input's ``aria-invalid``/``aria-describedby`` attributes and the
    error text after it, for a field with ``errors``."""
    if not errors:
        return "", ""
    return (f' aria-invalid="true" aria-describedby="{error_id}"',
            f'<span class="cm-field__error" id="{error_id}">{_e(errors[0])}</span>')


def comment_form_html(*, cm: dict, form, request_path: str) -> SafeString:
    """``comments/includes/form.html`` for ``form`` (a ``CommentForm``,
    bound with its errors or not, or an :class:`InitialCommentForm`)."""
    out = ['<div class="cm-respond" id="respond" data-comment-respond>\n  ']
    if cm["held"]:
        out.append('<p class="cm-notice" role="status">تعليقك بانتظار المراجعة. سيظهر هنا بعد أن يوافق عليه '
                   'المحرّرون.</p>')
    reply_to = cm["reply_to"]
    if reply_to:
        title = f"ردّ على <bdi>{_e(bidi_clean(reply_to.author_name))}</bdi>"
    else:
        title = "أضف تعليقًا"
    parent, _ = _field(form, "parent")
    token, _ = _field(form, "token")
    out.append('\n  <h3 class="cm-respond__title" id="respond-title"><span data-reply-title>'
               f'{title}</span>\n'
               f'    <a class="cm-respond__cancel" href="{_e(request_path)}#respond" data-reply-cancel'
               f'{"" if reply_to else " hidden"}>إلغاء الرد</a></h3>\n'
               f'  <form class="cm-form" method="post" action="{_e(route_url("comments:post"))}" novalidate>\n'
               f'    <input type="hidden" name="article" value="{_e(cm["article"].pk)}">\n'
               f'    <input type="hidden" name="parent" value="{_text(parent)}" data-reply-parent>\n'
               f'    <input type="hidden" name="token" value="{_text(token)}">\n'
               '    <p class="cm-form__note">لن يُنشر بريدك الإلكتروني. الحقول المطلوبة مشار إليها بـ '
               '<span class="cm-req">*</span></p>\n    ')
    if not isinstance(form, InitialCommentForm):
        non_field = form.non_field_errors()
        if non_field:
            out.append('<div class="cm-form__errors" role="alert">')
            out.extend(f"<p>{_e(error)}</p>" for error in non_field)
            out.append("</div>")
    name, name_errors = _field(form, "author_name")
    email, email_errors = _field(form, "author_email")
    url, url_errors = _field(form, "author_url")
    body, body_errors = _field(form, "body")
    notify, _ = _field(form, "notify_replies")
    name_attrs, name_error = _input_errors(name_errors, "cm-name-error")
    email_attrs, email_error = _input_errors(email_errors, "cm-email-error")
    url_attrs, url_error = _input_errors(url_errors, "cm-url-error")
    if body_errors:
        body_attrs = ' aria-invalid="true" aria-describedby="cm-body-error"'
        body_after = f'<span class="cm-field__error" id="cm-body-error">{_e(body_errors[0])}</span>'
    else:
        body_attrs = ' aria-describedby="cm-body-hint"'
        body_after = ('<span class="cm-field__hint" id="cm-body-hint">نص عادي؛ تتحوّل الروابط إلى روابط قابلة '
                      f'للنقر. الحد الأقصى {_e(cm["max_length"])} حرف.</span>')
    honeypot = _e(cm["honeypot"])
    out.append(
        '\n    <div class="cm-form__row">\n'
        '      <p class="cm-field">\n'
        '        <label for="cm-name">الاسم <span class="cm-req" aria-hidden="true">*</span></label>\n'
        '        <input id="cm-name" type="text" name="author_name" required aria-required="true" '
        'autocomplete="name" dir="auto"\n'
        f'          value="{_text(name)}"{name_attrs}>\n'
        f'        {name_error}\n'
        '      </p>\n'
        '      <p class="cm-field">\n'
        '        <label for="cm-email">البريد الإلكتروني <span class="cm-req" aria-hidden="true">*</span></label>\n'
        '        <input id="cm-email" type="email" name="author_email" required aria-required="true" '
        'autocomplete="email" inputmode="email"\n'
        f'          autocapitalize="off" spellcheck="false" dir="ltr" value="{_text(email)}"{email_attrs}>\n'
        f'        {email_error}\n'
        '      </p>\n'
        '      <p class="cm-field">\n'
        '        <label for="cm-url">الموقع <span class="cm-optional">(اختياري)</span></label>\n'
        '        <input id="cm-url" type="url" name="author_url" autocomplete="url" dir="ltr" inputmode="url"\n'
        f'          value="{_text(url)}"{url_attrs}>\n'
        f'        {url_error}\n'
        '      </p>\n'
        '    </div>\n'
        '    <p class="cm-field">\n'
        '      <label for="cm-body">التعليق <span class="cm-req" aria-hidden="true">*</span></label>\n'
        '      <textarea id="cm-body" name="body" rows="6" required aria-required="true" dir="auto"'
        f'{body_attrs}>{_text(body)}</textarea>\n'
        f'      {body_after}\n'
        '    </p>\n'
        '    <p class="cm-hp" aria-hidden="true">\n'
        f'      <label for="cm-{honeypot}">اترك هذا الحقل فارغًا</label>\n'
        f'      <input id="cm-{honeypot}" type="text" name="{honeypot}" tabindex="-1" autocomplete="off" value="">\n'
        '    </p>\n'
        '    <p class="cm-check"><input id="cm-notify" type="checkbox" name="notify_replies" value="1"'
        f'{" checked" if notify else ""}>\n'
        '      <label for="cm-notify">أعلمني بالبريد بالردود على تعليقي (سنرسل رابط تأكيد أولًا)</label></p>\n'
        '    <p class="cm-form__action"><button class="button" type="submit">أرسل التعليق</button></p>\n'
        '  </form>\n'
        '</div>\n')
    return SafeString("".join(out))


def comment_html(comment, *, cm: dict) -> SafeString:
    """``comments/includes/comment.html``: one approved comment (``pk``,
    ``user_id``, ``author_name``, ``author_url``, ``body``, ``created_at``,
    ``depth``, ``thread``) and its replies."""
    from .templatetags.nashr_comments import comment_author, comment_avatar, comment_body

    pk = _e(comment.pk)
    editor = comment.user_id
    created = comment.created_at
    badge = ' <span class="cm__badge">فريق التحرير</span>' if editor else ""
    out = [f'<li class="cm-item" id="comment-{pk}">\n'
           f'  <article class="cm{" cm--editor" if editor else ""}" aria-labelledby="comment-{pk}-author">\n'
           '    <header class="cm__header">\n'
           f'      {_e(comment_avatar(comment.author_name))}\n'
           '      <div class="cm__meta">\n'
           f'        <p class="cm__author" id="comment-{pk}-author">{_e(comment_author(comment))}'
           f'{badge}</p>\n'
           f'        <a class="cm__time" href="#comment-{pk}" title="رابط دائم لهذا التعليق"><time datetime="'
           f'{iso_datetime(created)}">{_e(ar_datetime(created))}</time></a>\n'
           '      </div>\n'
           '    </header>\n'
           f'    <div class="cm__body">{_e(comment_body(comment.body))}</div>\n    ']
    if cm["open"] and int(comment.depth) + 1 < cm["max_depth"]:
        name = _e(bidi_clean(comment.author_name))
        out.append(f'<p class="cm__actions"><a class="cm__reply" href="?replyto={pk}#respond" '
                   f'data-reply-to="{pk}" data-reply-name="{name}">ردّ<span class="visually-hidden"> على '
                   f'{name}</span></a></p>')
    out.append("\n  </article>\n  ")
    if comment.thread:
        out.append('<ol class="cm-list cm-list--replies">\n    ')
        out.extend(comment_html(reply, cm=cm) for reply in comment.thread)
        out.append("\n  </ol>")
    out.append("\n</li>\n")
    return SafeString("".join(out))


def comments_section_html(cm: dict, *, request_path: str) -> SafeString:
    """``comments/includes/article_comments.html``: the thread, the form (or
    why comments are closed) and the comment feed link of ``cm["article"]``;
    ``"\\n"`` when there is no article (a preview of a new page)."""
    article = cm.get("article")
    if not article:
        return SafeString("\n")
    count = cm["count"]
    is_open = cm["open"]
    out = ['\n\n<section class="comments wrap wrap--text" id="comments" aria-labelledby="comments-title">\n'
           '  <h2 class="comments__title" id="comments-title">التعليقات']
    if count:
        from .templatetags.nashr_comments import count_label

        out.append(f' <span class="comments__count">({_e(count_label(count))})</span>')
    out.append("</h2>\n  ")
    if cm["comments"]:
        out.append('\n  <ol class="cm-list">\n    ')
        out.extend(comment_html(comment, cm=cm) for comment in cm["comments"])
        out.append("\n  </ol>\n  ")
    elif is_open:
        out.append('<p class="cm-empty">لا تعليقات بعد. كن أوّل من يعلّق.</p>')
    out.append("\n  ")
    if is_open:
        out.append(comment_form_html(cm=cm, form=cm["form"], request_path=request_path))
        out.append("\n  ")
    else:
        reason = ("أُغلق باب التعليق على هذا المقال بعد مرور مدة على نشره." if cm["closed_by_age"]
                  else "التعليقات مغلقة على هذا المقال.")
        out.append(f'<p class="cm-closed" id="respond">{reason}</p>')
    out.append(f'\n  <p class="cm-feed"><a href="{_e(route_url("comments:article_feed", article.pk))}" '
               'type="application/rss+xml">تابع تعليقات هذا المقال عبر RSS</a></p>\n</section>\n')
    if is_open:
        out.append(f'<script src="{_e(asset("comments/comments.js"))}" defer></script>')
    out.append("\n\n")
    return SafeString("".join(out))
