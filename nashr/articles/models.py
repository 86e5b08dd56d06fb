"""Pages and snippets of a Nashr publication.

Page tree: HomePage > SectionPage > ArticlePage, and HomePage > SimplePage.
Models stay thin (fields, panels, search fields, ``get_context`` calling
selectors); logic lives in :mod:`.services` and :mod:`.selectors`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import selectors
from .blocks import ArticleBodyBlock
from .images import NewsImage, NewsRendition  # noqa: F401  (models of this app)


class ArabicSlugMixin:
    """Slugs from Arabic titles: readable Unicode, NFC, harakat stripped,
    never empty, unique among siblings (``-2``, ``-3``... for new pages)."""

    def _set_core_field_defaults(self):
        from .services import page_slug_normalise

        page_slug_normalise(page=self)
        super()._set_core_field_defaults()


class Author(index.Indexed, models.Model):
    name = models.CharField("الاسم", max_length=200)
    slug = models.SlugField("المعرّف في الرابط", max_length=100, unique=True, allow_unicode=True)
    bio = models.TextField("نبذة", blank=True)
    photo = models.ForeignKey(
        NewsImage, verbose_name="الصورة", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("bio"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = "كاتب"
        verbose_name_plural = "الكتّاب"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            from .services import author_slug

            self.slug = author_slug(author=self)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from .page_urls import route_url

        return route_url("author", self.slug)


class HomePage(ArabicSlugMixin, RoutablePageMixin, Page):
    lead_story = models.ForeignKey(
        "articles.ArticlePage", verbose_name="القصة الرئيسية", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text="اتركها فارغة لعرض أحدث مقال مميّز.",
    )
    tagline = models.CharField("الشعار", max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("tagline"), FieldPanel("lead_story")]
    subpage_types = ["articles.SectionPage", "articles.SimplePage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "الصفحة الرئيسية"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_blocks(home=self))
        return context

    def route(self, request, path_components):
        # The most-read URL, /<section>/<article>/, in one query instead of a
        # walk down the tree (two queries per level); anything else, or no
        # live article there, takes Wagtail's usual route.
        article = selectors.article_for_path(home=self, path_components=path_components)
        if article is not None:
            from wagtail.url_routing import RouteResult

            return RouteResult(article)
        return super().route(request, path_components)


class SectionPage(ArabicSlugMixin, RoutablePageMixin, Page):
    intro = models.TextField("تعريف القسم", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["articles.ArticlePage"]
    parent_page_types = ["articles.HomePage"]

    class Meta:
        verbose_name = "قسم"
        verbose_name_plural = "الأقسام"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_obj"] = selectors.paginate_or_404(
            request, selectors.articles_in_section(section=self)
        )
        return context

    @path("")
    def index(self, request):
        return self.render(request)

    @path("feed/")
    def rss(self, request):
        from .feeds import SectionRssFeed

        return SectionRssFeed()(request, section=self)

    @path("feed/atom/")
    def atom(self, request):
        from .feeds import SectionAtomFeed

        return SectionAtomFeed()(request, section=self)


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "articles.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(ArabicSlugMixin, Page):
    standfirst = models.TextField("المقدّمة (الخلاصة)", blank=True, max_length=600)
    lead_image = models.ForeignKey(
        NewsImage, verbose_name="الصورة الرئيسية", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    body = StreamField(ArticleBodyBlock(), verbose_name="المتن", blank=True)
    tags = ClusterTaggableManager("الوسوم", through=ArticleTag, blank=True)
    date_published = models.DateTimeField(
        "تاريخ النشر", null=True, blank=True, db_index=True,
        help_text="يُملأ تلقائيًا عند النشر الأول.",
    )
    date_updated = models.DateTimeField(
        "آخر تحديث", null=True, blank=True,
        help_text="اضبطه عند تحديث جوهري للمقال ليظهر للقرّاء.",
    )
    featured = models.BooleanField("مقال مميّز", default=False)
    comments_open = models.BooleanField("التعليقات مفتوحة", default=True)
    ACCESS_FREE = "free"
    ACCESS_MEMBERS = "members"
    access = models.CharField(
        "من يقرأ المقال كاملًا", max_length=16, default=ACCESS_FREE,
        choices=[(ACCESS_FREE, "الجميع (مجاني)"), (ACCESS_MEMBERS, "المشتركون فقط")],
        help_text="المقالات المجانية قد تصبح للمشتركين فقط بعد عمر معيّن حسب إعداد الأرشيف.",
    )
    source_publisher = models.CharField("الناشر الأصلي", max_length=255, blank=True)
    source_url = models.URLField("رابط المادة الأصلية", blank=True)
    source_translator = models.CharField("المترجم", max_length=255, blank=True)
    source_licence = models.CharField("ملاحظة الترخيص", max_length=500, blank=True)
    send_to_subscribers = models.BooleanField(
        "أرسله إلى المشتركين", default=False,
        help_text="عند النشر يُرسل المقال مرة واحدة فقط إلى مشتركي النشرة البريدية، "
                  "ولو أُعيد نشره لاحقًا.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("authors", label="الكتّاب", min_num=0),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        FieldPanel("tags"),
        MultiFieldPanel(
            [
                FieldPanel("source_publisher"),
                FieldPanel("source_url"),
                FieldPanel("source_translator"),
                FieldPanel("source_licence"),
            ],
            heading="المصدر (للمواد المرخّصة أو المترجمة)",
        ),
        FieldPanel("send_to_subscribers", heading="النشرة البريدية"),
    ]
    settings_panels = Page.settings_panels + [
        FieldPanel("date_published"),
        FieldPanel("date_updated"),
        FieldPanel("featured"),
        FieldPanel("comments_open"),
        FieldPanel("access"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.FilterField("date_published"),
    ]
    parent_page_types = ["articles.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "مقال"
        verbose_name_plural = "المقالات"

    def save(self, *args, **kwargs):
        if self.live and self.date_published is None:
            self.date_published = self.first_published_at or timezone.now()
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.article_page_context(article=self, request=request))
        return context

    @property
    def published(self):
        return self.date_published or self.first_published_at

    def get_view_restrictions(self):
        # the same answer as Wagtail's, in one query (every article view asks)
        return selectors.page_view_restrictions(page=self)

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        for entry in urls:
            entry["lastmod"] = self.date_updated or self.last_published_at or self.published
        return urls


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="authors")
    author = models.ForeignKey(
        Author, verbose_name="الكاتب", on_delete=models.CASCADE, related_name="article_links"
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        verbose_name = "كاتب"
        verbose_name_plural = "الكتّاب"


class SimplePage(ArabicSlugMixin, Page):
    body = StreamField(ArticleBodyBlock(), verbose_name="المتن", blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["articles.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "صفحة ثابتة"
        verbose_name_plural = "صفحات ثابتة"
