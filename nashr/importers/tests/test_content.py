"""WordPress post content → body blocks, one rule per test."""

from __future__ import annotations

import pytest

from nashr.importers.wordpress.content import ImageRef, autop, caption_split_credit, content_to_blocks


class Photos:
    """A resolver that knows attachments 7 (souq.jpg) and 8 and records what it was asked."""

    def __init__(self):
        self.asked: list[ImageRef] = []

    def __call__(self, ref: ImageRef):
        self.asked.append(ref)
        if ref.attachment_id in ("7", "8"):
            return int(ref.attachment_id) * 10
        if ref.src.endswith(("souq.jpg", "souq-300x200.jpg")):
            return 70
        return None


def convert(content, children=None):
    photos, warnings = Photos(), []
    blocks = content_to_blocks(content, resolve=photos, warn=warnings.append, children=children)
    return blocks, warnings, photos


def kinds(blocks):
    return [b["type"] for b in blocks]


def test_classic_paragraphs_and_line_breaks():
    blocks, warnings, _ = convert("الفقرة الأولى\nسطرها الثاني\n\n\nالفقرة الثانية")
    assert blocks == [{"type": "paragraph",
                       "value": "<p>الفقرة الأولى<br/>\nسطرها الثاني</p><p>الفقرة الثانية</p>"}]
    assert warnings == []


def test_pre_keeps_its_lines():
    assert autop("قبل\n\n<pre>a\n\nb</pre>\n\nبعد") == "<p>قبل</p>\n<pre>a\n\nb</pre>\n<p>بعد</p>"


def test_headings_quotes_and_lists():
    blocks, _, _ = convert("<h3>عنوان <em>فرعي</em></h3>\n\n<blockquote><p>سطر أول</p><p>سطر ثان</p>"
                           "<cite>المصدر</cite></blockquote>\n\n<ol><li>واحد</li><li>اثنان</li></ol>")
    assert blocks[0] == {"type": "subheading", "value": "عنوان فرعي"}
    assert blocks[1] == {"type": "block_quote", "value": {"quote": "سطر أول\n\nسطر ثان", "attribution": "المصدر"}}
    assert blocks[2] == {"type": "paragraph", "value": "<ol>\n<li>واحد</li>\n<li>اثنان</li>\n</ol>"}


def test_caption_shortcode_with_credit():
    blocks, warnings, photos = convert(
        '[caption id="attachment_7" align="alignleft" width="300"]<img src="https://x.example/wp-content/uploads/'
        '2020/01/souq-300x200.jpg" alt="السوق" /> الباعة صباحًا. سارة خليل | رويترز[/caption]')
    assert blocks == [{"type": "image", "value": {"image": 70, "caption": "الباعة صباحًا."}}]
    ref = photos.asked[0]
    assert (ref.attachment_id, ref.credit_photographer, ref.credit_agency) == ("7", "سارة خليل", "رويترز")
    assert warnings == []


@pytest.mark.parametrize("caption,expected", [
    ("مشهد عام للمدينة", ("مشهد عام للمدينة", "", "")),
    ("مشهد عام. تصوير: علي | وكالة الأفق | شبكة الصور", ("مشهد عام.", "علي", "وكالة الأفق | شبكة الصور")),
    ("Photo: Jane Doe | AP", ("", "Jane Doe", "AP")),
    ("لماذا؟ منى | رويترز", ("لماذا؟", "منى", "رويترز")),
])
def test_caption_credit_split(caption, expected):
    assert caption_split_credit(caption) == expected


def test_gutenberg_image_embed_and_comments_removed():
    content = (
        '<!-- wp:image {"id":8} -->\n<figure class="wp-block-image"><img src="https://x.example/a.jpg" alt=""/>'
        '<figcaption>صورة | وكالة</figcaption></figure>\n<!-- /wp:image -->\n\n'
        '<!-- wp:embed {"url":"https://vimeo.com/76979871","type":"video"} -->\n<figure class="wp-block-embed">'
        '<div class="wp-block-embed__wrapper">\nhttps://vimeo.com/76979871\n</div></figure>\n<!-- /wp:embed -->\n\n'
        '<!-- wp:paragraph {"align":"center"} -->\n<p class="has-text-align-center">بعدها</p>\n<!-- /wp:paragraph -->\n'
        '<!-- wp:separator --><hr class="wp-block-separator"/><!-- /wp:separator -->')
    blocks, warnings, photos = convert(content)
    assert blocks == [
        {"type": "image", "value": {"image": 80, "caption": ""}},
        {"type": "embed", "value": "https://vimeo.com/76979871"},
        {"type": "paragraph", "value": "<p>بعدها</p>"},
    ]
    assert (photos.asked[0].credit_photographer, photos.asked[0].credit_agency) == ("صورة", "وكالة")
    assert warnings == []


def test_embeds_from_shortcode_and_bare_url_lines():
    blocks, warnings, _ = convert("قبل\n\nhttps://www.youtube.com/watch?v=abc123\n\n"
                                  "[embed]https://twitter.com/jack/status/20[/embed]\n\n"
                                  "https://unknown.example/page\n\nرابط داخل سطر https://www.youtube.com/watch?v=x")
    assert kinds(blocks) == ["paragraph", "embed", "embed", "paragraph"]
    assert blocks[1]["value"] == "https://www.youtube.com/watch?v=abc123"
    assert blocks[2]["value"] == "https://twitter.com/jack/status/20"
    # an unknown site on its own line stays a link; a URL inside a sentence stays text
    assert '<a href="https://unknown.example/page"' not in blocks[3]["value"]
    assert "https://unknown.example/page" in blocks[3]["value"] and "رابط داخل سطر" in blocks[3]["value"]
    assert warnings == []


def test_embed_shortcode_for_unknown_site_is_a_link_and_reported():
    blocks, warnings, _ = convert("[embed]https://unknown.example/v/1[/embed]")
    assert blocks == [{"type": "paragraph", "value": '<p><a href="https://unknown.example/v/1" rel="noopener">'
                                                     "https://unknown.example/v/1</a></p>"}]
    assert warnings == ["تضمين من موقع غير معروف تُرك رابطًا: https://unknown.example/v/1"]


def test_gallery_shortcode():
    blocks, warnings, _ = convert('[gallery ids="7,8,9"]')
    assert blocks == [{"type": "image", "value": {"image": 70, "caption": ""}},
                      {"type": "image", "value": {"image": 80, "caption": ""}}]
    assert warnings == ["صورة غير موجودة في الاستيراد: #9"]
    blocks, _, _ = convert("[gallery columns=\"2\"]", children=["8"])  # the post's attached photos
    assert blocks == [{"type": "image", "value": {"image": 80, "caption": ""}}]


def test_unknown_shortcodes_stay_as_text_and_are_reported():
    blocks, warnings, _ = convert('قبل [audio mp3="x.mp3"][/audio] و[mailpoet_form id="1"] بعد')
    assert blocks == [{"type": "paragraph", "value": '<p>قبل [audio mp3="x.mp3"][/audio] و[mailpoet_form id="1"] بعد</p>'}]
    assert warnings == ["رمز قصير غير معروف [audio] تُرك نصًّا", "رمز قصير غير معروف [mailpoet_form] تُرك نصًّا"]


def test_hostile_html_is_sanitised_like_the_editor():
    blocks, _, _ = convert('<p style="x" onmouseover="steal()">نص <a href="javascript:alert(1)" target="_blank">رابط</a>'
                           '<img src=x onerror=alert(1)></p><script>alert(2)</script><iframe src="https://evil.example">'
                           '</iframe><style>p{}</style><form action="/x"><input name="a"></form>')
    html = "".join(b["value"] for b in blocks if b["type"] == "paragraph")
    for bad in ("script", "onmouseover", "javascript", "iframe", "onerror", "style", "<form", "<input", "target"):
        assert bad not in html
    assert html == '<p>نص <a rel="noopener">رابط</a></p>'


def test_photo_outside_the_export_is_reported_not_linked():
    blocks, warnings, _ = convert('<p>نص</p>\n\n<p><img src="https://elsewhere.example/x.jpg"></p>')
    assert blocks == [{"type": "paragraph", "value": "<p>نص</p>"}]
    assert warnings == ["صورة غير موجودة في الاستيراد: https://elsewhere.example/x.jpg"]


def test_tables_and_divs_keep_their_text():
    blocks, _, _ = convert("<div class=\"x\"><table><tr><th>المدينة</th><th>السكان</th></tr>"
                           "<tr><td>عمّان</td><td>4</td></tr></table></div>")
    assert blocks == [{"type": "paragraph", "value": "<p>المدينة | السكان</p><p>عمّان | 4</p>"}]


def test_empty_content():
    assert convert("")[0] == [] and convert("<!-- wp:paragraph --><p></p><!-- /wp:paragraph -->")[0] == []
