"""Arabic-aware search: what a reader finds at /search/?q= and what the
index holds after publishing, unpublishing and deleting."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from nashr.articles.tests.factories import build_site
from nashr.search.models import ArticleSearchEntry
from nashr.search.services import search_index_article, search_index_rebuild

from .helpers import add_article, found_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site(articles_per_section=1, body_images=0)


@pytest.fixture
def school(site):
    """The article the variant queries must find, plus one that must not match."""
    article = add_article(
        site["sections"][0],
        title="افتتاح المدرسة الجديدة في القاهرة",
        standfirst="أعلن الوزير أحمد إبراهيم افتتاح مستشفى الأطفال عام ٢٠٢٦.",
        body_html="<p>قال المسؤولون إن الطلابَ سيدرسون في المكتبة الكبرى، وإن شركة Apple تبرّعت بالحواسيب.</p>",
        tags=["تعليم", "صحة"],
    )
    add_article(site["sections"][1], title="سوق الخضار في الصباح", standfirst="أسعار الطماطم ترتفع.")
    search_index_rebuild()
    return article


VARIANTS = [
    # hamza forms of alef
    "أحمد", "احمد", "إحمد", "ابراهيم", "أبراهيم",
    # ta marbuta / ha
    "مدرسه", "المدرسه", "القاهره",
    # alef maqsura / ya
    "مستشفي", "مستشفى",
    # harakat and tatweel
    "المَدْرَسَةُ", "الطُّلّاب", "القاهـــــرة", "المــدرســة",
    # Arabic-Indic, Persian and ASCII digits
    "٢٠٢٦", "۲۰۲۶", "2026",
    # attached prefixes و ب ال ف ك ل
    "والمدرسة", "بالمدرسة", "فالمدرسة", "كالمدرسة", "للمدرسة", "لمدرسة", "بمدرسة", "ومدرسة", "مدرسة",
    "طلاب", "بالمكتبة", "والأطفال",
    # Latin and mixed queries
    "apple", "APPLE", "Apple الحواسيب",
    # tags, several words, quoted phrases
    "تعليم", "الوزير أحمد", '"المدرسة الجديدة"', "«مستشفى الأطفال»", "“المدرسه الجديده”",
]


@pytest.mark.parametrize("query", VARIANTS)
def test_variant_queries_find_the_article(school, query):
    found = found_ids(query)
    assert school.pk in found
    if query.lower() != "apple":  # build_site's articles mention Apple too
        assert found == [school.pk]


@pytest.mark.parametrize("query", ['"الجديدة المدرسة"', "المدرسة الطماطم", "برلين"])
def test_what_is_not_there_is_not_found(school, query):
    assert school.pk not in found_ids(query)


def test_exact_title_ranks_first(site):
    section = site["sections"][0]
    long_one = add_article(section, title="الاقتصاد الرقمي في العالم العربي وتحدياته",
                           standfirst="الاقتصاد الرقمي ينمو. الاقتصاد الرقمي يتوسع.",
                           body_html="<p>" + "الاقتصاد الرقمي " * 20 + "</p>")
    exact = add_article(section, title="الاقتصاد الرقمي", standfirst="مقال قصير.")
    search_index_rebuild()
    assert found_ids("الإقتصاد الرّقمي")[:2] == [exact.pk, long_one.pk]


def test_folded_match_ranks_above_stemmed_match(site):
    section = site["sections"][0]
    stemmed = add_article(section, title="مقال أول", standfirst="تعلم الكتابة مبكرًا.")
    folded = add_article(section, title="مقال ثان", standfirst="تعلم الكتاب مبكرًا.")
    search_index_rebuild()
    assert found_ids("الكتاب")[:2] == [folded.pk, stemmed.pk]


def test_title_outranks_body(site):
    section = site["sections"][0]
    in_body = add_article(section, title="خبر عن الطقس", body_html="<p>ذكر التقرير الزلزال مرة.</p>")
    in_title = add_article(section, title="الزلزال يضرب الساحل", standfirst="أضرار كبيرة.")
    search_index_rebuild()
    assert found_ids("زلزال")[:2] == [in_title.pk, in_body.pk]


def test_publish_unpublish_and_delete_keep_the_index_in_step(site, immediate_tasks,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = add_article(site["sections"][0], title="مهرجان السينما العربية", standfirst="أفلام جديدة.")
    assert found_ids("السينما") == [article.pk]

    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert found_ids("السينما") == []
    assert not ArticleSearchEntry.objects.filter(article_id=article.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert found_ids("سينما") == [article.pk]

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert found_ids("السينما") == []


def test_edit_and_republish_updates_the_index(site, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = add_article(site["sections"][0], title="معرض الكتاب")
    article.title = "معرض اللوحات"
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    assert found_ids("اللوحات") == [article.pk]
    assert found_ids("الكتاب") == []


def test_private_articles_are_not_indexed(site):
    from wagtail.models import PageViewRestriction

    article = add_article(site["sections"][0], title="تقرير خاص بالأعضاء")
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    assert search_index_article(article_id=article.pk) is False
    search_index_rebuild()
    assert found_ids("تقرير") == []


def test_index_task_is_safe_to_run_twice(site):
    article = add_article(site["sections"][0], title="سباق الدراجات")
    assert search_index_article(article_id=article.pk) is True
    assert search_index_article(article_id=article.pk) is True
    assert ArticleSearchEntry.objects.filter(article_id=article.pk).count() == 1
    assert found_ids("الدراجات") == [article.pk]
    assert search_index_article(article_id=999999) is False


def test_rebuild_command(site):
    from io import StringIO

    out = StringIO()
    call_command("rebuild-search-index", stdout=out)
    assert "Indexed 2 articles." in out.getvalue()
    assert found_ids("الرئيس يزور المدينة")


# --- the page ------------------------------------------------------------

def test_results_page_shows_title_section_date_and_marked_snippet(client, school):
    response = client.get("/search/", {"q": "بالمدرسة"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="' + school.url in html
    assert "<mark>المدرسة</mark>" in html
    assert "اقتصاد" in html  # the section
    assert "<time datetime=" in html
    assert "noindex" in html


def test_snippet_marks_words_in_the_body(client, school):
    html = client.get("/search/", {"q": "الحواسيب"}).content.decode()
    assert "<mark>بالحواسيب</mark>" in html


def test_html_in_article_text_is_escaped(client, site):
    add_article(site["sections"][0], title="<b>عنوان</b> المكتبة",
                standfirst='<script>alert(1)</script> المكتبة "مفتوحة" & <img src=x onerror=alert(2)>',
                body_html="<p>نص &lt;iframe&gt; المكتبة</p>")
    search_index_rebuild()
    html = client.get("/search/", {"q": "المكتبة"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>عنوان" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>المكتبة</mark>" in html
    assert "&lt;b&gt;عنوان&lt;/b&gt; <mark>المكتبة</mark>" in html
    assert set(re.findall(r"<(mark|/mark)>", html)) == {"mark", "/mark"}


def test_no_results_message(client, school):
    html = client.get("/search/", {"q": "برلين"}).content.decode()
    assert "لا نتائج لـ «برلين»" in html
    assert "جرّب كلمات أقل" in html


def test_empty_query_message(client, school):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/search/", params)
        assert response.status_code == 200
        assert "اكتب كلمة أو أكثر للبحث" in response.content.decode()


def test_query_is_capped(client, school):
    # (the site's guard refuses query strings over NASHR_MAX_QUERY_STRING)
    response = client.get("/search/", {"q": "المدرسة " + "ب" * 300})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ب" * 192 in html and "ب" * 193 not in html


HOSTILE = ['"', '""', '"المدرسة', "*", "المدرسة*", "NEAR", "NEAR(a b)", "AND OR NOT", "AND", "(", ")",
           ":", "title_keys:المدرسة", "^المدرسة", "-المدرسة", "+", "a OR", "{title_keys}: x", "'", "%", "_",
           "\\", "﷽", "\u200f\u202e", "🙂", "<script>", "' OR 1=1 --", "\"' ; DROP TABLE x; --",
           "MATCH", "«", "“", "NOT المدرسة", "المدرسة AND"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client, school, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_operator_words_are_searched_as_words(school):
    # As FTS5 operators these would match the article; as words they do not.
    assert found_ids("المدرسة OR برلين") == []
    assert found_ids("NOT برلين") == []
    assert found_ids("المدرسة AND") == []
    assert found_ids("المدرسة") == [school.pk]


def test_pagination_keeps_the_query_and_404s_bad_pages(client, site, settings):
    settings.NASHR_ARTICLES_PER_PAGE = 2
    for n in range(5):
        add_article(site["sections"][0], title=f"مباراة كرة القدم رقم {n}")
    search_index_rebuild()
    first = client.get("/search/", {"q": "كرة"}).content.decode()
    assert "?q=%D9%83%D8%B1%D8%A9&amp;page=2" in first or "page=2&amp;q=" in first
    page3 = client.get("/search/", {"q": "كرة", "page": "3"})
    assert page3.status_code == 200 and page3.content.decode().count('class="search-result"') == 1
    for bad in ("4", "0", "abc", "-1", "9" * 20):
        assert client.get("/search/", {"q": "كرة", "page": bad}).status_code == 404


def test_the_count_of_results_reads_as_arabic(client, site, settings):
    """«نتيجة واحدة», «نتيجتان», «3 نتائج» … «11 نتيجة»: the noun agrees with
    the number (CLDR plural forms), digits as the site's setting says."""
    import re

    def count_line(q: str) -> str:
        html = client.get("/search/", {"q": q}).content.decode()
        return re.search(r'<p class="search-count" role="status">(.*?)</p>', html).group(1)

    for n in range(11):
        add_article(site["sections"][0], title=f"مباراة كرة السلة رقم {n}",
                    standfirst=" ".join(f"وسم{k}" for k in range(n, 11)))
    search_index_rebuild()
    assert count_line("وسم10") == "11 نتيجة لـ «وسم10»"
    assert count_line("وسم0") == "نتيجة واحدة لـ «وسم0»"
    assert count_line("وسم1") == "نتيجتان لـ «وسم1»"
    assert count_line("وسم3") == "4 نتائج لـ «وسم3»"
    assert count_line("وسم9") == "10 نتائج لـ «وسم9»"
    settings.NASHR_DIGITS = "arab"
    assert count_line("وسم5") == "٦ نتائج لـ «وسم5»"


def test_snippet_sets_a_subheading_off_from_the_paragraph_after_it(client, site):
    from nashr.articles.models import ArticlePage

    article = ArticlePage(title="تجديد المرفأ", standfirst="", body=[
        {"type": "paragraph", "value": "<p>بدأت الأعمال صباح اليوم.</p>"},
        {"type": "subheading", "value": "الميناء والمدينة"},
        {"type": "paragraph", "value": "<p>ولا يقتصر الأمر على الصيادين.</p>"},
    ])
    site["sections"][0].add_child(instance=article)
    article.save_revision().publish()
    search_index_rebuild()
    html = client.get("/search/", {"q": "الصيادين"}).content.decode()
    assert "اليوم. الميناء والمدينة — ولا يقتصر الأمر على <mark>الصيادين</mark>." in html


def test_snippet_keeps_line_breaks_and_list_items_inside_a_paragraph_as_spaces(client, site):
    add_article(site["sections"][0], title="مؤتمر الميناء",
                body_html="<p>قال الوزير في مؤتمر صحفي،<br>إن الميناء سيفتح غدًا.</p>"
                          "<ul><li>الرصيف الأول</li><li>الرصيف الثاني</li></ul>")
    search_index_rebuild()
    html = client.get("/search/", {"q": "الرصيف"}).content.decode()
    assert ("قال الوزير في مؤتمر صحفي، إن الميناء سيفتح غدًا. <mark>الرصيف</mark> الأول "
            "<mark>الرصيف</mark> الثاني") in html
    assert " — " not in html.split('class="search-results"')[1].split("</ol>")[0]


def test_newest_sort(client, site):
    from datetime import timedelta

    from django.utils import timezone

    from nashr.articles.models import ArticlePage

    section = site["sections"][0]
    old = add_article(section, title="الانتخابات البلدية", standfirst="الانتخابات الانتخابات")
    new = add_article(section, title="نتائج أولية", standfirst="فرز أصوات الانتخابات")
    ArticlePage.objects.filter(pk=old.pk).update(date_published=timezone.now() - timedelta(days=3))
    search_index_rebuild()
    assert found_ids("الانتخابات") == [old.pk, new.pk]
    assert found_ids("الانتخابات", sort="newest") == [new.pk, old.pk]
    html = client.get("/search/", {"q": "الانتخابات", "sort": "newest"}).content.decode()
    assert html.index("نتائج أولية") < html.index("البلدية")


@pytest.mark.parametrize("query", [*HOSTILE, "\x00", "a\x00b", "ب" * 5000, "NEAR/3", "col:*"])
def test_hostile_queries_make_valid_match_expressions(school, query):
    # Calls the FTS5 query directly, past the view's defensive fallback: the
    # escaping itself must hold.
    from nashr.search.query import query_parse
    from nashr.search.selectors import SearchResults

    results = SearchResults(query_parse(query))
    if results.query:
        assert results._fts_count() >= 0
        assert isinstance(results._fts_ids(0, 10), list)
