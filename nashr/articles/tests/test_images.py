"""Images: credits, metadata prefill, and refusing what is not a photo."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nashr.articles.images import NewsImage

from .factories import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db

XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
<dc:creator><rdf:Seq><rdf:li>ليلى منصور</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">صيادون في ميناء المدينة</rdf:li></rdf:Alt></dc:description>
<photoshop:Credit>وكالة الموج</photoshop:Credit>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def test_credit_is_printed_the_newsroom_way():
    image = make_image(photographer="سارة خليل", agency="AFP", distributor="")
    assert image.credit == "سارة خليل | AFP"


def test_iptc_creator_credit_and_caption_prefill_empty_fields():
    data = jpeg_bytes(iptc={80: "أحمد سالم", 110: "وكالة الأفق", 115: "شبكة الصور", 120: "مزارعون يحصدون القمح"})
    image = make_image(data=data)
    image.refresh_from_db()
    assert image.credit_photographer == "أحمد سالم"
    assert image.credit_agency == "وكالة الأفق"
    assert image.credit_distributor == "شبكة الصور"
    assert image.caption == "مزارعون يحصدون القمح"


def test_xmp_prefills_and_never_overwrites_what_the_editor_typed():
    data = jpeg_bytes(xmp=XMP)
    image = make_image(data=data, caption="تعليق المحرر")
    image.refresh_from_db()
    assert image.credit_photographer == "ليلى منصور"
    assert image.credit_agency == "وكالة الموج"
    assert image.caption == "تعليق المحرر"


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("ed", "ed@example.org", "pass-1234-word")
    client.force_login(user)
    return client


def _upload(client, name, content, alt="صورة لشارع"):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": "اختبار", "description": alt, "file": SimpleUploadedFile(name, content)},
    )


def test_admin_upload_of_a_real_photo_with_alt_text_works(editor_client):
    response = _upload(editor_client, "street.jpg", jpeg_bytes())
    assert response.status_code == 302
    assert NewsImage.objects.filter(description="صورة لشارع").exists()


def test_admin_requires_alt_text(editor_client):
    response = _upload(editor_client, "street.jpg", jpeg_bytes(), alt="")
    assert response.status_code == 200
    assert not NewsImage.objects.exists()
    assert "النص البديل" in response.content.decode()


def test_admin_refuses_a_file_that_is_not_an_image(editor_client):
    response = _upload(editor_client, "notes.jpg", b"<?php echo 'not an image'; ?>" * 20)
    assert response.status_code == 200
    assert not NewsImage.objects.exists()
    assert "ليس ملفا لصورة" in response.content.decode()  # Wagtail's Arabic message


def test_admin_refuses_a_decompression_bomb(editor_client):
    from PIL import Image

    buf = io.BytesIO()
    # 12,000 x 12,000 = 144 megapixels of one colour: a few hundred KB as PNG
    Image.new("1", (12000, 12000), 0).save(buf, "PNG", optimize=True)
    response = _upload(editor_client, "bomb.png", buf.getvalue())
    assert response.status_code == 200
    assert not NewsImage.objects.exists()
    html = response.content.decode()
    assert "عدد كبير جدًا من البكسل (144000000)" in html


def test_upload_loses_its_gps_location_but_keeps_other_exif():
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Nashr Camera"  # Make
    exif[0x8298] = "CC0"  # Copyright
    exif.get_ifd(0x8825)[2] = (24.0, 42.0, 11.5)  # GPSLatitude
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 90)).save(buf, "JPEG", exif=exif.tobytes())
    assert 0x8825 in Image.open(io.BytesIO(buf.getvalue())).getexif()
    image = make_image(data=buf.getvalue())
    with image.file.open("rb") as fh, Image.open(fh) as stored:
        kept = stored.getexif()
        assert 0x8825 not in kept
        assert kept[0x010F] == "Nashr Camera" and kept[0x8298] == "CC0"
        assert stored.size == (64, 48)
