"""The demo publication an operator sees on first `nashr serve`."""

import io
from pathlib import Path

import pytest

from nashr.articles.models import ArticlePage, Author, SectionPage
from nashr.site.demo.loader import demo_create_if_empty

pytestmark = pytest.mark.django_db


def test_demo_is_a_complete_arabic_publication_and_is_created_once(client):
    out = io.StringIO()
    assert demo_create_if_empty(stdout=out) is True
    assert SectionPage.objects.live().count() >= 4
    articles = list(ArticlePage.objects.live())
    assert len(articles) >= 16
    assert Author.objects.count() >= 3
    assert "password:" in out.getvalue()
    for article in articles:
        assert article.lead_image is not None and article.lead_image.caption
        assert article.lead_image.credit
        response = client.get(article.url)
        assert response.status_code == 200, article.title
    body_types = {block.block_type for a in articles for block in a.body}
    assert {"paragraph", "subheading", "image", "pull_quote"} <= body_types
    home = client.get("/").content.decode()
    for section in SectionPage.objects.live():
        assert section.title in home
    # second run: nothing new, no second editor password
    out2 = io.StringIO()
    assert demo_create_if_empty(stdout=out2) is False
    assert ArticlePage.objects.count() == len(articles)
    assert "password:" not in out2.getvalue()


def test_demo_images_ship_with_their_licence():
    demo = Path(__file__).resolve().parents[1] / "demo"
    licence = (demo / "images" / "LICENSE.txt").read_text()
    assert "CC0" in licence
