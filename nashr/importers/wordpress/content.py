"""WordPress ``post_content`` → Nashr body blocks (the raw StreamField list
of :class:`nashr.articles.blocks.ArticleBodyBlock`).

Rules, in the order they apply:

1. Gutenberg ``wp:image`` blocks and ``[caption]`` shortcodes become
   ``image`` blocks; a trailing ``name | agency`` in the caption becomes the
   photo's credit (:func:`caption_split_credit`). ``[gallery ids="…"]``
   becomes one image block per photo. An ``<img>`` outside them becomes an
   image block too when the photo is in the export.
2. ``wp:embed`` blocks, ``[embed]URL[/embed]`` and a URL alone on a line
   (WordPress's auto-embed) become ``embed`` blocks when an oEmbed provider
   Wagtail knows accepts the URL; otherwise they stay as a link.
3. Every other Gutenberg block comment (``<!-- wp:… -->``) and HTML comment
   is removed; unknown shortcodes stay as text and are reported.
4. Classic-editor text (no block comments) gets WordPress's "auto
   paragraphs" (:func:`autop`): blank-line separated runs become ``<p>``,
   single line breaks ``<br>``.
5. ``<h1>``–``<h6>`` become ``subheading`` blocks, ``<blockquote>`` a
   ``block_quote`` (its ``<cite>`` the attribution); paragraphs and lists
   stay as ``paragraph`` blocks, always passed through
   :func:`nashr.articles.sanitise.clean_html` (the editor's sanitiser).
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from nashr.articles.sanitise import clean_html

# --- image references ---------------------------------------------------------------


@dataclass
class ImageRef:
    """A photo found in the content. ``attachment_id`` is the WordPress id
    when the markup names it; ``credit_*`` come from the caption."""

    attachment_id: str = ""
    src: str = ""
    alt: str = ""
    caption: str = ""
    credit_photographer: str = ""
    credit_agency: str = ""


#: resolves a reference to a NewsImage primary key, or None when the photo
#: is not in the import
ImageResolver = Callable[[ImageRef], "int | None"]
Warn = Callable[[str], None]

_CREDIT_PREFIX = re.compile(r"^\s*(?:تصوير|الصورة|صورة|photo(?:graph)?|credit|©)\s*(?:[:：\-–—]\s*|\s+)(?=\S)",
                            re.I)
_SENTENCE_END = re.compile(r"^(.*[.!?؟։।。\n–—])\s*([^.!?؟\n–—]*)$", re.S)


def caption_split_credit(caption: str) -> tuple[str, str, str]:
    """Split a trailing ``name | agency`` credit off a caption.

    Returns ``(caption, photographer, agency)``; a caption without ``|``
    comes back unchanged with empty credit. The photographer is what follows
    the last sentence end before the ``|`` (an optional "تصوير:"/"Photo:"
    prefix is dropped); the agency is everything after the first ``|``.

    >>> caption_split_credit("سوق الخضار في الصباح. سارة خليل | رويترز")
    ('سوق الخضار في الصباح.', 'سارة خليل', 'رويترز')
    >>> caption_split_credit("تصوير: علي حسن | وكالة الأفق")
    ('', 'علي حسن', 'وكالة الأفق')
    >>> caption_split_credit("مشهد من المدينة")
    ('مشهد من المدينة', '', '')
    """
    caption = (caption or "").strip()
    if "|" not in caption:
        return caption, "", ""
    before, _, agency = caption.partition("|")
    agency = " | ".join(p.strip() for p in agency.split("|") if p.strip())
    match = _SENTENCE_END.match(before.strip())
    if match:
        text, name = match.group(1).strip(), match.group(2).strip()
    else:
        text, name = "", before.strip()
    name = _CREDIT_PREFIX.sub("", name).strip()
    if not name and not agency:
        return caption, "", ""
    return text, name, agency


# --- auto paragraphs (WordPress's wpautop rules, written for Nashr) ------------------

_BLOCK_TAGS = (r"table|thead|tfoot|caption|colgroup|col|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
               r"blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
               r"hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|script|video|audio")
_OPEN_BLOCK = re.compile(rf"(<(?:{_BLOCK_TAGS})(?=[\s/>]))", re.I)
_CLOSE_BLOCK = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.I)
_STARTS_BLOCK = re.compile(rf"^</?(?:{_BLOCK_TAGS})(?=[\s/>])", re.I)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.I | re.S)


def autop(text: str) -> str:
    """Wrap blank-line separated runs of text in ``<p>`` and turn single
    line breaks into ``<br>``, leaving block-level elements (and everything
    inside ``<pre>``) as they are.

    >>> autop("سطر أول\\nسطر ثان\\n\\nفقرة ثانية")
    '<p>سطر أول<br>\\nسطر ثان</p>\\n<p>فقرة ثانية</p>'
    >>> autop("<ul>\\n<li>أ</li>\\n</ul>\\nبعدها")
    '<ul>\\n<li>أ</li>\\n</ul>\\n<p>بعدها</p>'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pres: list[str] = []

    def keep_pre(match: re.Match) -> str:
        pres.append(match.group(0))
        return f"\n\n<pre data-keep=\"{len(pres) - 1}\"></pre>\n\n"

    text = _PRE.sub(keep_pre, text)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    out: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _STARTS_BLOCK.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"[ \t]*\n[ \t]*", "<br>\n", chunk) + "</p>")
    result = "\n".join(out)
    return re.sub(r'<pre data-keep="(\d+)"></pre>', lambda m: pres[int(m.group(1))], result)


# --- shortcodes and Gutenberg blocks -------------------------------------------------

_WP_IMAGE = re.compile(r"<!--\s*wp:image(?:\s+(\{.*?\}))?\s*/?-->(.*?)<!--\s*/wp:image\s*-->", re.S)
_WP_EMBED = re.compile(
    r"<!--\s*wp:(?:core-)?embed(?:/[\w-]+)?\s+(\{.*?\})\s*/?-->(.*?)<!--\s*/wp:(?:core-)?embed(?:/[\w-]+)?\s*-->",
    re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_GUTENBERG = re.compile(r"<!--\s*/?wp:")
_CAPTION = re.compile(r"\[(caption|wp_caption)([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_EMBED_SC = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S | re.I)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]", re.I)
_SHORTCODE = re.compile(r"\[([a-zA-Z][\w-]*)(?:\s[^\[\]]*)?/?\]")
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.M)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_WP_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): html_lib.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(text or "")}


def _text_of(fragment: str) -> str:
    fragment = re.sub(r"<br\s*/?>", " ", fragment or "", flags=re.I)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def embed_accepted(url: str) -> bool:
    """Whether one of Wagtail's configured embed finders accepts ``url``
    (a pattern check, no network)."""
    from wagtail.embeds.finders import get_finders

    return any(finder.accept(url) for finder in get_finders())


class ContentConverter:
    """Convert one post's content; ``resolve`` maps photos to images,
    ``warn`` receives one Arabic message per problem."""

    def __init__(self, *, resolve: ImageResolver, warn: Warn, children: list[str] | None = None) -> None:
        self.resolve = resolve
        self.warn = warn
        self.children = children or []
        self.pending: list[dict] = []

    # -- placeholders --
    def _hold(self, block: dict | None, fallback: str = "") -> str:
        if block is None:
            return fallback
        self.pending.append(block)
        return f'\n\n<hr data-nashr="{len(self.pending) - 1}">\n\n'

    def _image_block(self, ref: ImageRef) -> dict | None:
        if ref.caption:
            ref.caption, photographer, agency = caption_split_credit(ref.caption)
            ref.credit_photographer, ref.credit_agency = photographer, agency
        pk = self.resolve(ref)
        if pk is not None and pk < 0:  # checked by a dry run, not stored
            return None
        if pk is None:
            self.warn(f"صورة غير موجودة في الاستيراد: {ref.src or ('#' + ref.attachment_id)}")
            return None
        return {"type": "image", "value": {"image": pk, "caption": ref.caption[:255]}}

    def _ref_from_img(self, img_html: str, *, attachment_id: str = "", caption: str = "") -> ImageRef:
        attrs = _attrs(img_html[4:])
        if not attachment_id:
            match = _WP_IMAGE_CLASS.search(attrs.get("class", ""))
            attachment_id = match.group(1) if match else ""
        return ImageRef(attachment_id=attachment_id, src=attrs.get("src", ""), alt=attrs.get("alt", ""),
                        caption=caption)

    def _embed_block(self, url: str) -> dict | None:
        url = html_lib.unescape(url.strip())
        if url and embed_accepted(url):
            return {"type": "embed", "value": url}
        return None

    def _link(self, url: str) -> str:
        url = html_lib.unescape(url.strip())
        return f'<p><a href="{html_lib.escape(url)}">{html_lib.escape(url)}</a></p>'

    # -- steps --
    def _gutenberg(self, text: str) -> str:
        def image(match: re.Match) -> str:
            try:
                attrs = json.loads(match.group(1) or "{}")
            except ValueError:
                attrs = {}
            inner = match.group(2)
            img = _IMG.search(inner)
            caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.S | re.I)
            ref = self._ref_from_img(img.group(0) if img else "<img>", attachment_id=str(attrs.get("id") or ""),
                                     caption=_text_of(caption.group(1)) if caption else "")
            return self._hold(self._image_block(ref))

        def embed(match: re.Match) -> str:
            try:
                url = str(json.loads(match.group(1)).get("url") or "")
            except ValueError:
                url = ""
            block = self._embed_block(url)
            if block is None and url:
                self.warn(f"تضمين من موقع غير معروف تُرك رابطًا: {url}")
                return self._link(url)
            return self._hold(block)

        text = _WP_IMAGE.sub(image, text)
        return _WP_EMBED.sub(embed, text)

    def _shortcodes(self, text: str) -> str:
        def caption(match: re.Match) -> str:
            attrs, inner = _attrs(match.group(2)), match.group(3)
            img = _IMG.search(inner)
            if img is None:
                return inner
            text_after = _text_of(_IMG.sub("", re.sub(r"<a\b[^>]*>\s*(<img[^>]*>)\s*</a>", r"\1", inner)))
            attachment = re.sub(r"^attachment_", "", attrs.get("id", ""))
            ref = self._ref_from_img(img.group(0), attachment_id=attachment if attachment.isdigit() else "",
                                     caption=attrs.get("caption") or text_after)
            return self._hold(self._image_block(ref))

        def embed(match: re.Match) -> str:
            url = _text_of(match.group(1))
            block = self._embed_block(url)
            if block is None:
                self.warn(f"تضمين من موقع غير معروف تُرك رابطًا: {url}")
                return self._link(url)
            return self._hold(block)

        def gallery(match: re.Match) -> str:
            ids = [i.strip() for i in _attrs(match.group(1)).get("ids", "").split(",") if i.strip().isdigit()]
            # without ids, WordPress shows the photos attached to the post
            ids = ids or list(self.children)
            if not ids:
                self.warn("معرض صور [gallery] دون قائمة صور (ids) تُرك نصًّا")
                return match.group(0)
            return "".join(self._hold(self._image_block(ImageRef(attachment_id=i))) for i in ids)

        text = _CAPTION.sub(caption, text)
        text = _EMBED_SC.sub(embed, text)
        return _GALLERY.sub(gallery, text)

    def _bare_urls(self, text: str) -> str:
        def line(match: re.Match) -> str:
            block = self._embed_block(match.group(1))
            return match.group(0) if block is None else self._hold(block)

        return _URL_LINE.sub(line, text)

    def convert(self, content: str) -> list[dict]:
        text = (content or "").replace("\r\n", "\n").replace("\r", "\n")
        gutenberg = bool(_GUTENBERG.search(text))
        text = self._gutenberg(text)
        text = _HTML_COMMENT.sub("", text)
        text = self._shortcodes(text)
        text = self._bare_urls(text)
        unknown = sorted({m.group(1) for m in _SHORTCODE.finditer(_HTML_COMMENT.sub("", text))})
        for name in unknown:
            self.warn(f"رمز قصير غير معروف [{name}] تُرك نصًّا")
        if not gutenberg:
            text = autop(text)
        if not text.strip():
            return []
        try:
            root = lxml.html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            self.warn("تعذّر تحليل HTML المحتوى؛ استُورد نصًّا")
            return [{"type": "paragraph", "value": clean_html(f"<p>{html_lib.escape(_text_of(text))}</p>")}]
        return _Walker(self).run(root)


_INLINE_SKIP = {"script", "style", "template", "iframe", "object", "embed", "form", "input", "button",
                "select", "textarea", "noscript", "svg", "video", "audio", "source", "track"}
_CONTAINERS = {"div", "figure", "section", "article", "main", "header", "footer", "aside", "center",
               "details", "summary", "nav", "dl", "dd", "dt", "hgroup", "fieldset", "address", "span_block"}


class _Walker:
    def __init__(self, converter: ContentConverter) -> None:
        self.conv = converter
        self.blocks: list[dict] = []
        self.para: list[str] = []
        self.inline: list[str] = []

    def run(self, root) -> list[dict]:
        self.walk(root)
        self.flush()
        return self.blocks

    def flush_inline(self) -> None:
        html = "".join(self.inline).strip()
        self.inline = []
        if html and _text_of(html):
            self.para.append(f"<p>{html}</p>")

    def flush(self) -> None:
        self.flush_inline()
        if self.para:
            cleaned = re.sub(r"<p>(?:\s|<br>)*</p>", "", clean_html("".join(self.para))).strip()
            # Wagtail's rich-text format writes the void element as <br/>;
            # its editor's HTML reader fails on a bare <br> (500 on the edit view)
            cleaned = cleaned.replace("<br>", "<br/>")
            self.para = []
            if _text_of(cleaned):
                self.blocks.append({"type": "paragraph", "value": cleaned})

    def emit(self, block: dict) -> None:
        self.flush()
        self.blocks.append(block)

    def text(self, value: str | None) -> None:
        if value and value.strip():
            self.inline.append(html_lib.escape(value))
        elif value and self.inline:
            self.inline.append(" ")

    def walk(self, container) -> None:
        self.text(container.text)
        for el in container:
            if not isinstance(el.tag, str):
                self.text(el.tail)
                continue
            self.element(el)
            self.text(el.tail)

    def element(self, el) -> None:
        tag = el.tag.lower()
        if tag == "hr" and el.get("data-nashr") is not None:
            self.emit(self.conv.pending[int(el.get("data-nashr"))])
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _text_of(etree.tostring(el, encoding=str, with_tail=False))
            if text:
                self.emit({"type": "subheading", "value": text[:255]})
        elif tag == "blockquote":
            cite = ""
            for c in el.iter("cite"):
                cite = cite or _text_of(etree.tostring(c, encoding=str, with_tail=False))
                c.drop_tree()
            paras = [p for p in (_text_of(etree.tostring(x, encoding=str, with_tail=False))
                                 for x in el.iter("p")) if p]
            quote = "\n\n".join(paras) or _text_of(etree.tostring(el, encoding=str, with_tail=False))
            if quote:
                self.emit({"type": "block_quote", "value": {"quote": quote, "attribution": cite[:255]}})
        elif tag in ("p", "ul", "ol"):
            self.flush_inline()
            if any((c.tag == "hr" and c.get("data-nashr") is not None) or c.tag == "img" for c in el.iter()):
                self.walk(el)
                return
            self.para.append(etree.tostring(el, encoding=str, with_tail=False, method="html"))
        elif tag == "img":
            block = self.conv._image_block(self.conv._ref_from_img(
                etree.tostring(el, encoding=str, with_tail=False)))
            if block is not None:
                self.emit(block)
        elif tag == "pre":
            text = el.text_content().strip("\n")
            if text.strip():
                self.flush_inline()
                self.para.append("<p>" + html_lib.escape(text).replace("\n", "<br>") + "</p>")
        elif tag == "table":
            self.flush_inline()
            for row in el.iter("tr"):
                cells = [_text_of(etree.tostring(c, encoding=str, with_tail=False))
                         for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
                if any(cells):
                    self.para.append("<p>" + html_lib.escape(" | ".join(cells)) + "</p>")
        elif tag in _INLINE_SKIP:
            return
        elif tag in _CONTAINERS or tag in ("li", "figcaption", "caption", "tbody", "tr", "td", "th"):
            self.flush_inline()
            self.walk(el)
            self.flush_inline()
        elif tag == "br":
            self.inline.append("<br>")
        else:  # inline element: a, strong, em, span...
            if any(isinstance(c.tag, str) and c.tag in ("img", "hr", "div", "p", "figure") for c in el.iter()):
                self.walk(el)  # a link around a photo, a span around blocks
            else:
                self.inline.append(etree.tostring(el, encoding=str, with_tail=False, method="html"))


def content_to_blocks(content: str, *, resolve: ImageResolver, warn: Warn,
                      children: list[str] | None = None) -> list[dict]:
    """Raw StreamField data (``[{"type": ..., "value": ...}, ...]``) for a
    WordPress post's content. ``resolve`` returns a NewsImage pk for a photo
    reference or ``None``; ``warn`` receives each problem as an Arabic message;
    ``children`` are the ids of the attachments whose parent is this post
    (what a ``[gallery]`` without ``ids`` shows).
    """
    return ContentConverter(resolve=resolve, warn=warn, children=children).convert(content)
