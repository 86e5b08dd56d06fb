"""Related articles (مقالات ذات صلة): what is stored after publishing and
what a reader sees below an article."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from nashr.articles.tests.factories import build_site, make_image
from nashr.search.models import RelatedArticle
from nashr.search.selectors import articles_related
from nashr.search.services import related_compute, related_rebuild, search_index_rebuild

from .helpers import add_article

pytestmark = pytest.mark.django_db

QUAKE = [
    ("زلزال بقوة ست درجات يضرب الساحل الشمالي", "هزة أرضية قوية تهدم منازل في القرى الساحلية.",
     "ضرب زلزال عنيف المدن الساحلية فجرًا، وقال مرصد الزلازل إن الهزة الأرضية استمرت دقيقة، وانهارت منازل قديمة."),
    ("فرق الإنقاذ تبحث عن ناجين بعد الزلزال", "الدفاع المدني يواصل رفع الأنقاض لليوم الثاني.",
     "تواصل فرق الإنقاذ البحث تحت أنقاض المنازل التي هدمها الزلزال، ومرصد الزلازل يسجل هزات ارتدادية."),
    ("هزات ارتدادية تثير القلق في القرى الساحلية", "السكان يبيتون في الخيام خوفًا من زلزال جديد.",
     "سجل مرصد الزلازل عشرات الهزات الارتدادية بعد الزلزال، والسكان يخشون انهيار المنازل المتصدعة."),
    ("خبراء: الزلازل في المنطقة تتكرر كل قرن", "دراسة جيولوجية عن الصدع الساحلي.",
     "يقول علماء الزلازل إن الصدع الساحلي أنتج زلزالًا كبيرًا كل قرن، وإن المنازل القديمة لا تحتمل الهزات."),
]
FOOTBALL = [
    ("المنتخب يفوز على ضيفه بثلاثة أهداف", "مباراة قوية في الملعب الوطني.",
     "سجل المهاجم هدفين في الشوط الأول من المباراة، وأضاف المنتخب الهدف الثالث في الدقائق الأخيرة أمام الجمهور."),
    ("المدرب يعلن تشكيلة المنتخب لكأس آسيا", "أسماء جديدة في خط الهجوم.",
     "أعلن مدرب المنتخب قائمة اللاعبين للبطولة، وضم مهاجمين جددًا بعد تألقهم في الدوري وتسجيل الأهداف."),
    ("جمهور الملعب يحتفل بلقب الدوري", "النادي يحسم البطولة قبل جولتين.",
     "احتفل الجمهور في الملعب بعد أن حسم النادي لقب الدوري، وسجل المهاجم هدف المباراة الوحيد."),
    ("إصابة المهاجم تبعده عن المباراة المقبلة", "الجهاز الطبي للمنتخب يكشف مدة الغياب.",
     "تعرض مهاجم المنتخب لإصابة في التدريب، وسيغيب عن المباراة المقبلة في البطولة حسب المدرب."),
]


@pytest.fixture
def site():
    return build_site(articles_per_section=1, body_images=0)


def _publish_topics(site, *, quake_tags=("زلازل",), football_tags=("كرة القدم",)):
    economy, culture = site["sections"]
    quake = [add_article(economy, title=t, standfirst=s, body_html=f"<p>{b}</p>", tags=quake_tags)
             for t, s, b in QUAKE]
    football = [add_article(culture, title=t, standfirst=s, body_html=f"<p>{b}</p>", tags=football_tags)
                for t, s, b in FOOTBALL]
    return quake, football


@pytest.fixture
def topics(site):
    quake, football = _publish_topics(site)
    search_index_rebuild()
    related_rebuild()
    return quake, football


def related_ids(article) -> list[int]:
    return list(RelatedArticle.objects.filter(article_id=article.pk).order_by("rank")
                .values_list("related_id", flat=True))


def test_related_lists_hold_the_same_topic_never_the_article_itself(topics):
    quake, football = topics
    for group, other in ((quake, football), (football, quake)):
        for article in group:
            ids = related_ids(article)
            assert 3 <= len(ids) <= 6, article.title
            assert article.pk not in ids
            assert set(ids[:3]) == {a.pk for a in group} - {article.pk}, article.title
            assert not set(ids) & {a.pk for a in other}


def test_scores_and_ranks_are_stored_best_first(topics):
    quake, _ = topics
    rows = list(RelatedArticle.objects.filter(article_id=quake[0].pk).order_by("rank"))
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    scores = [r.score for r in rows]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_shared_tags_and_section_lift_an_equally_similar_article(site):
    economy, culture = site["sections"]
    text = "<p>افتتحت الوزارة محطة الطاقة الشمسية الجديدة في الصحراء لتوليد الكهرباء النظيفة.</p>"
    source = add_article(economy, title="محطة الطاقة الشمسية", body_html=text, tags=["طاقة"])
    plain = add_article(culture, title="محطة الطاقة الشمسية", body_html=text)
    tagged = add_article(economy, title="محطة الطاقة الشمسية", body_html=text, tags=["طاقة"])
    search_index_rebuild()
    related_compute(article_id=source.pk)
    assert related_ids(source)[:2] == [tagged.pk, plain.pk]


def test_drafts_and_private_articles_never_appear(site):
    from wagtail.models import PageViewRestriction

    from nashr.articles.models import ArticlePage

    quake, _ = _publish_topics(site)
    draft = ArticlePage(title="زلزال الساحل: مسودة", standfirst=QUAKE[0][1],
                        body=[{"type": "paragraph", "value": f"<p>{QUAKE[0][2]}</p>"}])
    site["sections"][0].add_child(instance=draft)
    draft.save_revision()
    ArticlePage.objects.filter(pk=draft.pk).update(live=False)
    private = add_article(site["sections"][0], title=QUAKE[1][0], standfirst=QUAKE[1][1],
                          body_html=f"<p>{QUAKE[1][2]}</p>")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    search_index_rebuild()
    related_rebuild()
    for article in quake:
        assert not {draft.pk, private.pk} & set(related_ids(article))
    assert related_ids(draft) == [] and related_ids(private) == []


def test_unpublished_related_article_is_dropped_at_read_time_in_one_query(topics, django_assert_num_queries):
    quake, _ = topics
    gone = quake[1]
    assert gone.pk in related_ids(quake[0])
    # unpublished without the background task having run: the row is stale
    type(gone).objects.filter(pk=gone.pk).update(live=False)
    assert gone.pk in related_ids(quake[0])
    with django_assert_num_queries(1):
        shown = articles_related(article_id=quake[0].pk)
    assert gone.pk not in [a.pk for a in shown]
    assert len(shown) == len(related_ids(quake[0])) - 1


def test_view_restricted_related_article_is_dropped_at_read_time(topics, django_assert_num_queries):
    from wagtail.models import PageViewRestriction

    quake, _ = topics
    hidden = quake[2]
    PageViewRestriction.objects.create(page=hidden, restriction_type="password", password="x")
    with django_assert_num_queries(1):
        shown = [a.pk for a in articles_related(article_id=quake[0].pk)]
    assert hidden.pk not in shown and shown


def test_article_page_shows_related_cards_with_public_fields_only(client, topics):
    quake, football = topics
    quake[1].lead_image = make_image("صورة الإنقاذ")
    quake[1].save_revision().publish()
    related_compute(article_id=quake[0].pk)
    response = client.get(quake[0].url)
    html = response.content.decode()
    assert response.status_code == 200
    box = html[html.index('<section class="related'):]
    box = box[:box.index("</section>")]
    assert "مقالات ذات صلة" in box
    for other in quake[1:]:
        assert other.title in box and other.standfirst in box and other.url in box
        # the related article's body is not shown
        assert QUAKE[[a.pk for a in quake].index(other.pk)][2] not in box
    assert football[0].title not in box
    assert quake[0].title not in re.sub(r"<h1.*?</h1>", "", box)
    assert "<time datetime=" in box
    assert "اقتصاد" in box  # the section kicker
    # the card image is the prepared rendition, read in the same query
    assert re.search(r'<img src="/media/images/[^"]+\.fill-320x180[^"]*" width="320" height="180" alt=""', box)


def test_related_box_costs_no_more_queries_with_six_items_than_with_none(client, topics,
                                                                         django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quake, _ = topics
    client.get(quake[0].url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as full:
        assert "related-card" in client.get(quake[0].url).content.decode()
    RelatedArticle.objects.filter(article_id=quake[0].pk).delete()
    with CaptureQueriesContext(connection) as empty:
        assert "related-card" not in client.get(quake[0].url).content.decode()
    assert len(full.captured_queries) == len(empty.captured_queries)
    related_sql = [q["sql"] for q in full.captured_queries if "search_relatedarticle" in q["sql"]]
    assert len(related_sql) == 1


def test_card_without_a_rendition_yet_shows_no_image(client, topics):
    from nashr.articles.images import NewsRendition

    quake, _ = topics
    NewsRendition.objects.filter(filter_spec="fill-320x180").delete()
    html = client.get(quake[0].url).content.decode()
    box = html[html.index('<section class="related'):]
    assert "related-card" in box and "fill-320x180" not in box


def test_publishing_computes_lists_for_the_article_and_its_neighbours(site, immediate_tasks,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quake, football = _publish_topics(site)
    newest = quake[-1]
    assert set(related_ids(newest)[:3]) == {a.pk for a in quake[:-1]}
    # the articles published before it now list it too
    for article in quake[:-1]:
        assert newest.pk in related_ids(article)
    # and an edit that changes the topic moves it out of their lists
    newest.title = "المهاجم يسجل هدف الفوز في المباراة"
    newest.standfirst = "المنتخب يحتفل مع الجمهور في الملعب."
    newest.body = [{"type": "paragraph", "value": "<p>سجل مهاجم المنتخب هدف المباراة أمام الجمهور.</p>"}]
    newest.tags.set(["كرة القدم"])
    with django_capture_on_commit_callbacks(execute=True):
        newest.save_revision().publish()
    for article in quake[:-1]:
        assert newest.pk not in related_ids(article)
    assert newest.pk in related_ids(football[0])


def test_unpublish_recomputes_the_lists_that_showed_it(site, immediate_tasks,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quake, _ = _publish_topics(site)
    gone = quake[0]
    with django_capture_on_commit_callbacks(execute=True):
        gone.unpublish()
    assert not RelatedArticle.objects.filter(related_id=gone.pk).exists()
    assert related_ids(gone) == []
    assert all(related_ids(a) for a in quake[1:])


def test_rebuild_command_recomputes_related_lists(site):
    quake, _ = _publish_topics(site)
    assert not RelatedArticle.objects.exists()
    call_command("rebuild-search-index", stdout=__import__("io").StringIO())
    assert set(related_ids(quake[0])[:3]) == {a.pk for a in quake[1:]}


def test_related_compute_is_safe_to_run_twice(topics):
    quake, _ = topics
    before = related_ids(quake[0])
    related_compute(article_id=quake[0].pk)
    related_compute(article_id=quake[0].pk)
    assert related_ids(quake[0]) == before
    assert related_compute(article_id=999999) == [] and related_ids(type("X", (), {"pk": 999999})) == []


def test_an_article_with_nothing_in_common_gets_no_list(site, topics):
    lonely = add_article(site["sections"][1], title="وصفة كعك العيد", standfirst="طحين وسمن وسكر.")
    search_index_rebuild()
    related_compute(article_id=lonely.pk)
    assert related_ids(lonely) == []


def test_demo_publication_has_related_lists(immediate_tasks, django_capture_on_commit_callbacks):
    from nashr.articles.models import ArticlePage
    from nashr.site.demo.loader import demo_create_if_empty

    with django_capture_on_commit_callbacks(execute=True):
        assert demo_create_if_empty() is True
    articles = list(ArticlePage.objects.live())
    with_lists = [a for a in articles if len(related_ids(a)) >= 3]
    assert len(with_lists) >= len(articles) * 0.8
    for article in articles:
        assert article.pk not in related_ids(article)


def test_lead_image_rendition_is_prepared_when_the_list_is_computed(site):
    from nashr.articles.images import NewsRendition

    economy = site["sections"][0]
    a = add_article(economy, title=QUAKE[0][0], standfirst=QUAKE[0][1], body_html=f"<p>{QUAKE[0][2]}</p>")
    b = add_article(economy, title=QUAKE[1][0], standfirst=QUAKE[1][1], body_html=f"<p>{QUAKE[1][2]}</p>")
    b.lead_image = make_image("صورة الإنقاذ")
    b.save_revision().publish()
    search_index_rebuild()
    related_compute(article_id=a.pk)
    assert NewsRendition.objects.filter(image_id=b.lead_image_id, filter_spec="fill-320x180").exists()


def test_related_box_renders_in_one_query(rf, topics, django_assert_num_queries):
    from django.template.loader import render_to_string

    from nashr.articles.selectors import sections_for_request

    quake, _ = topics
    request = rf.get(quake[0].url)
    sections_for_request(request)  # the article page has loaded them already
    render_to_string("search/includes/related.html", {"page": quake[0], "request": request})  # warm URL caches
    with django_assert_num_queries(1):
        html = render_to_string("search/includes/related.html", {"page": quake[0], "request": request})
    assert html.count('class="related-card"') == len(related_ids(quake[0]))
    for other in quake[1:]:
        assert other.title in html and other.url in html


def test_rebuild_command_can_skip_related_lists(site):
    from io import StringIO

    quake, _ = _publish_topics(site)
    out = StringIO()
    call_command("rebuild-search-index", "--skip-related", stdout=out)
    assert "Indexed" in out.getvalue() and "related" not in out.getvalue()
    assert not RelatedArticle.objects.exists()


def test_batch_computation_with_a_store_that_must_forget_gives_the_same_lists(topics, monkeypatch):
    """A rebuild in batches of two articles, whose vector store can hold only
    a few vectors between batches (so it forgets and reads them again),
    stores the same lists, ranks and scores as one computation per article."""
    from nashr.search import services

    for article in [*topics[0], *topics[1]]:
        related_compute(article_id=article.pk)
    one_by_one = sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank", "score"))
    assert len(one_by_one) >= 8
    RelatedArticle.objects.all().delete()
    monkeypatch.setattr(services, "RELATED_BATCH", 2)
    monkeypatch.setattr(services, "RELATED_VECTOR_TERMS_KEPT", 40)
    forgot = []
    from nashr.search.related import VectorStore

    def trim(self, _real=VectorStore.trim):
        before = len(self)
        _real(self)
        forgot.append(before - len(self))

    monkeypatch.setattr(VectorStore, "trim", trim)
    related_rebuild()
    assert sum(forgot) > 0, "the store never had to forget a vector: the test proves nothing"
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank", "score")) == one_by_one


def test_lists_queued_after_an_import_are_those_of_a_full_rebuild_once_the_worker_ran(
        site, monkeypatch, django_capture_on_commit_callbacks, task_worker):
    """An import queues its new articles' related lists (tasks of a few
    articles, ids as ranges); ``nashr db_worker --batch`` runs them: the
    new articles' lists and those of the older articles they now belong
    in are what a full rebuild gives."""
    from django_tasks_db.models import DBTaskResult

    from nashr.search import tasks
    from nashr.search.services import search_index_articles

    economy, culture = site["sections"]
    older = [add_article(economy, title=QUAKE[0][0], standfirst=QUAKE[0][1], body_html=f"<p>{QUAKE[0][2]}</p>"),
             add_article(culture, title=FOOTBALL[0][0], standfirst=FOOTBALL[0][1],
                         body_html=f"<p>{FOOTBALL[0][2]}</p>")]
    search_index_rebuild()
    related_rebuild()
    assert related_ids(older[0]) == []  # nothing else about earthquakes yet
    imported = [add_article(economy, title=t, standfirst=s, body_html=f"<p>{b}</p>") for t, s, b in QUAKE[1:]]
    imported += [add_article(culture, title=t, standfirst=s, body_html=f"<p>{b}</p>") for t, s, b in FOOTBALL[1:]]
    search_index_articles(article_ids=[a.pk for a in imported])
    DBTaskResult.objects.all().delete()  # what publishing the fixtures queued is not this test's
    monkeypatch.setattr(tasks, "RELATED_TASK_ARTICLES", 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.related_refresh_queue([a.pk for a in imported]) == 2
    queued = sorted(DBTaskResult.objects.all(), key=lambda r: r.enqueued_at)
    assert len(queued) == 2 and all(r.task_path.endswith("related_refresh_many_task") for r in queued)
    assert [r.args_kwargs["kwargs"] for r in queued] == [{"last": False}, {"last": True}]
    seen = []  # the vector store each task is given: the second task of the import reuses the first's
    original = tasks.services.related_refresh_many

    def spy(**kwargs):
        seen.append(kwargs["vectors"])
        return original(**kwargs)

    monkeypatch.setattr(tasks.services, "related_refresh_many", spy)
    assert not RelatedArticle.objects.filter(article_id__in=[a.pk for a in imported]).exists()  # not yet
    task_worker()
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    assert len(seen) == 2 and seen[0] is seen[1] and len(seen[0]) > 0
    assert tasks._RELATED_RUN == {}  # dropped after the import's last task
    assert set(related_ids(older[0])[:3]) == {a.pk for a in imported[:3]}  # the older article lists them now
    stored = sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank"))
    related_rebuild()
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank")) == stored


def test_id_ranges_round_trip_and_membership():
    from nashr.search.tasks import IdRanges, id_ranges, ids_from_ranges

    ids = [5, 1, 2, 3, 9, 10, 11, 40]
    ranges = id_ranges(ids)
    assert ranges == [[1, 3], [5, 5], [9, 11], [40, 40]]
    assert ids_from_ranges(ranges) == sorted(ids)
    members = IdRanges(ranges)
    assert [pk for pk in range(0, 45) if pk in members] == sorted(ids)
    assert 0 not in IdRanges([]) and id_ranges([]) == []
