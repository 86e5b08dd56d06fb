"""/search/ filters (section, period, date range), quoted phrases, mixed
Arabic/Latin queries and exact-over-folded ranking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nashr.articles.models import ArticlePage
from nashr.articles.tests.factories import build_site
from nashr.search.filters import search_filters_parse
from nashr.search.query import query_parse
from nashr.search.selectors import SearchFilters, articles_search
from nashr.search.services import search_index_rebuild

from .helpers import add_article, found_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site(articles_per_section=0, body_images=0)


@pytest.fixture
def dated(site):
    """Three articles on the same subject: economy today, economy 20 days
    ago, culture 200 days ago."""
    economy, culture = site["sections"]
    now = timezone.now()
    today = add_article(economy, title="أسعار القمح ترتفع اليوم")
    month = add_article(economy, title="أسعار القمح في الشهر الماضي")
    old = add_article(culture, title="رواية عن حقول القمح")
    ArticlePage.objects.filter(pk=month.pk).update(date_published=now - timedelta(days=20))
    ArticlePage.objects.filter(pk=old.pk).update(date_published=now - timedelta(days=200))
    search_index_rebuild()
    return {"today": today, "month": month, "old": old, "economy": economy, "culture": culture}


def ids(text, **filters):
    return [a.pk for a in articles_search(query=query_parse(text), filters=SearchFilters(**filters))[0:50]]


def test_section_filter(dated):
    assert set(ids("القمح", section_path=dated["economy"].path)) == {dated["today"].pk, dated["month"].pk}
    assert ids("القمح", section_path=dated["culture"].path) == [dated["old"].pk]


def test_date_filters(dated):
    now = timezone.now()
    assert ids("القمح", date_from=now - timedelta(days=7)) == [dated["today"].pk]
    assert set(ids("القمح", date_from=now - timedelta(days=31))) == {dated["today"].pk, dated["month"].pk}
    assert ids("القمح", date_to=now - timedelta(days=100)) == [dated["old"].pk]
    assert ids("القمح", date_from=now - timedelta(days=30), date_to=now - timedelta(days=10)) == [dated["month"].pk]


def test_count_follows_the_filters(dated):
    results = articles_search(query=query_parse("القمح"), filters=SearchFilters(section_path=dated["economy"].path))
    assert results.count() == 2


@pytest.mark.parametrize(("params", "expected"), [
    ({"period": "week"}, {"today"}),
    ({"period": "month"}, {"today", "month"}),
    ({"period": "year"}, {"today", "month", "old"}),
    ({}, {"today", "month", "old"}),
])
def test_period_on_the_page(client, dated, params, expected):
    html = client.get("/search/", {"q": "القمح", **params}).content.decode()
    shown = {key for key in ("today", "month", "old") if dated[key].url in html}
    assert shown == expected


def test_section_and_dates_on_the_page(client, dated):
    today = timezone.localdate()
    html = client.get("/search/", {"q": "القمح", "section": dated["economy"].pk,
                                   "from": (today - timedelta(days=25)).isoformat(),
                                   "to": (today - timedelta(days=15)).isoformat()}).content.decode()
    assert dated["month"].url in html
    assert dated["today"].url not in html and dated["old"].url not in html
    assert f'<option value="{dated["economy"].pk}" selected>' in html
    # Arabic-Indic digits in a typed date are read too
    arabic = (today - timedelta(days=1)).isoformat().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    html = client.get("/search/", {"q": "القمح", "from": arabic}).content.decode()
    assert dated["today"].url in html and dated["month"].url not in html


def test_no_results_under_filters_offers_a_wider_search(client, dated):
    html = client.get("/search/", {"q": "رواية", "section": dated["economy"].pk}).content.decode()
    assert "لا نتائج لـ «رواية»" in html
    assert "ابحث في كل الأقسام والتواريخ" in html


@pytest.mark.parametrize("params", [
    {"section": "99999"}, {"section": "abc"}, {"period": "decade"}, {"from": "31/01/2026"},
    {"to": "2026-02-30"}, {"from": "x" * 100}, {"section": "<script>"},
])
def test_bad_filters_are_explained_and_dropped(client, dated, params):
    response = client.get("/search/", {"q": "القمح", **params})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="search-filter-error"' in html
    assert all(dated[k].url in html for k in ("today", "month", "old"))
    assert "<script>&lt;" not in html and "value=\"<script>" not in html


def test_filter_parse_swaps_a_reversed_range(dated):
    form = search_filters_parse(params={"from": "2026-03-10", "to": "2026-03-01"}, sections=[])
    assert form.date_from == "2026-03-01" and form.date_to == "2026-03-10" and not form.errors
    assert form.filters.date_to - form.filters.date_from == timedelta(days=10)


def test_filters_keep_the_query_through_pagination(client, site, settings):
    settings.NASHR_ARTICLES_PER_PAGE = 1
    economy = site["sections"][0]
    for n in range(3):
        add_article(economy, title=f"معرض الزهور رقم {n}")
    search_index_rebuild()
    html = client.get("/search/", {"q": "الزهور", "section": economy.pk, "period": "week"}).content.decode()
    assert "page=2" in html and f"section={economy.pk}" in html and "period=week" in html


# --- phrases, mixed scripts, exact over folded ------------------------------

def test_quoted_phrase_needs_the_words_together(site):
    economy = site["sections"][0]
    together = add_article(economy, title="وزارة الصحة تطلق حملة تطعيم")
    apart = add_article(economy, title="الصحة أولًا", standfirst="قالت الوزارة إن الحملة تبدأ غدًا.")
    search_index_rebuild()
    assert found_ids('"وزارة الصحة"') == [together.pk]
    assert set(found_ids("وزارة الصحة")) == {together.pk, apart.pk}
    assert found_ids('«وزاره الصحه»') == [together.pk]


def test_mixed_arabic_and_latin_query(site):
    economy = site["sections"][0]
    both = add_article(economy, title="شركة Nvidia تعلن معالجًا جديدًا للذكاء الاصطناعي")
    arabic_only = add_article(economy, title="شركة ناشئة تعلن معالجًا جديدًا")
    search_index_rebuild()
    assert found_ids("NVIDIA معالج") == [both.pk]
    assert found_ids("nvidia") == [both.pk]
    assert set(found_ids("معالجا")) == {both.pk, arabic_only.pk}


def test_exact_spelling_ranks_above_a_folded_match(site):
    economy = site["sections"][0]
    folded = add_article(economy, title="مقابلة مع احمد سالم", standfirst="حديث عن المسرح.")
    exact = add_article(economy, title="مقابلة مع أحمد سالم", standfirst="حديث عن المسرح.")
    search_index_rebuild()
    assert found_ids("أحمد") == [exact.pk, folded.pk]
    assert found_ids("احمد") == [folded.pk, exact.pk]
    # ta marbuta as typed
    with_ta = add_article(economy, title="جولة في المكتبة", standfirst="قراءة.")
    with_ha = add_article(economy, title="جولة في المكتبه", standfirst="قراءة.")
    search_index_rebuild()
    assert found_ids("المكتبة") == [with_ta.pk, with_ha.pk]
    assert found_ids("المكتبه") == [with_ha.pk, with_ta.pk]


def test_very_common_words_are_ranked_among_the_newest_matches(client, site, monkeypatch):
    """Past RANK_CAP matches, relevance is computed over the newest ones
    only (what keeps common-word queries fast on large sites), and the
    count says "more than"."""
    from nashr.search import selectors

    monkeypatch.setattr(selectors, "RANK_CAP", 3)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    economy = site["sections"][0]
    oldest = add_article(economy, title="الطقس", standfirst="الطقس الطقس الطقس")
    newer = [add_article(economy, title=f"خبر رقم {n}", standfirst="عن الطقس اليوم") for n in range(4)]
    search_index_rebuild()
    results = articles_search(query=query_parse("الطقس"))
    assert results.count() == 3 and results.capped
    shown = [a.pk for a in results[0:10]]
    assert oldest.pk not in shown  # the best match, but older than the newest three
    assert set(shown) == {a.pk for a in newer[1:]}
    html = client.get("/search/", {"q": "الطقس"}).content.decode()
    assert "أكثر من" in html
    # a rare word is ranked over all its matches
    monkeypatch.setattr(selectors, "RANK_CAP", 1000)
    monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
    assert found_ids("الطقس")[0] == oldest.pk
