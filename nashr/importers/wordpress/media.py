"""Attachment files: from the old site's ``wp-content/uploads`` folder
(``--uploads DIR``) or over HTTP (``--fetch-media``), checked before they
become a :class:`~nashr.articles.images.NewsImage`.

Checks: the file is an image Pillow can read, in one of
``WAGTAILIMAGES_EXTENSIONS``' formats, at most ``WAGTAILIMAGES_MAX_UPLOAD_SIZE``
bytes and ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` pixels (the limits of the
editor's upload form). Fetching: http/https only, a timeout, the size limit
enforced while reading, and an ``image/*`` content type.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

from .mapping import uploads_relative_path

FETCH_TIMEOUT_S = 20
_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}


class MediaError(Exception):
    """The file could not be used (Arabic message for the report)."""


def max_bytes() -> int:
    return int(getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 20 * 1024 * 1024))


def _too_big() -> MediaError:
    limit = max_bytes()
    size = f"{limit // (1024 * 1024)} م.ب" if limit >= 1024 * 1024 else f"{limit // 1024} ك.ب"
    return MediaError(f"الملف أكبر من الحد المسموح ({size})")


def image_check(data: bytes) -> str:
    """The file extension for image ``data`` (``"jpg"``, ``"png"``...);
    raises :class:`MediaError` for anything that is not a usable image."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > max_bytes():
        raise _too_big()
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt = im.format
            pixels = im.width * im.height
            im.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MediaError("الملف ليس صورة يمكن قراءتها") from None
    ext = _FORMATS.get(fmt or "")
    allowed = getattr(settings, "WAGTAILIMAGES_EXTENSIONS", list(_FORMATS.values()))
    if ext is None or ext not in allowed:
        raise MediaError(f"صيغة الصورة {fmt} غير مدعومة")
    if pixels > int(getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 60_000_000)):
        raise MediaError("أبعاد الصورة أكبر من الحد المسموح")
    return ext


def media_from_uploads(*, uploads: Path, url: str) -> bytes:
    """Read the file of attachment ``url`` from the uploads folder; raises
    :class:`MediaError` when it is missing or outside the folder."""
    relative = uploads_relative_path(url)
    if not relative:
        raise MediaError("لا يمكن معرفة مسار الملف من رابطه")
    root = uploads.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise MediaError("مسار الملف خارج مجلد الرفع")
    try:
        if path.stat().st_size > max_bytes():
            raise _too_big()
        return path.read_bytes()
    except FileNotFoundError:
        raise MediaError(f"الملف غير موجود في مجلد الرفع: {relative}") from None
    except OSError as exc:
        raise MediaError(f"تعذّرت قراءة الملف {relative}: {exc.strerror}") from None


def _iri_to_uri(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.encode("idna").decode("ascii") if parts.netloc else "",
                       quote(parts.path, safe="/%:@!$&'()*+,;="), quote(parts.query, safe="=&%/:+,;"), ""))


def media_fetch(*, url: str, timeout: float | None = None) -> bytes:
    """Download attachment ``url`` (http/https) within ``timeout`` seconds
    (default :data:`FETCH_TIMEOUT_S`) and the size limit; raises
    :class:`MediaError` on any failure."""
    timeout = FETCH_TIMEOUT_S if timeout is None else timeout
    if urlsplit(url).scheme not in ("http", "https"):
        raise MediaError("رابط الملف ليس http أو https")
    limit = max_bytes()
    request = urllib.request.Request(_iri_to_uri(url), headers={"User-Agent": "Nashr WordPress importer"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            ctype = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if not ctype.startswith("image/"):
                raise MediaError(f"الخادم أرسل نوعًا غير الصور ({ctype or 'غير معروف'})")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise _too_big()
            data = response.read(limit + 1)
    except MediaError:
        raise
    except urllib.error.HTTPError as exc:
        raise MediaError(f"تعذّر تنزيل الملف: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MediaError(f"تعذّر تنزيل الملف: {reason}") from None
    if len(data) > limit:
        raise _too_big()
    return data
