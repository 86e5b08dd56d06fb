"""The newsroom image model: alt text, caption and a structured credit.

Alt text uses Wagtail's own ``description`` field (required by the admin form,
see :mod:`nashr.articles.forms`); caption and credit are ours. The credit is
printed the way newsrooms print it: ``photographer | agency | distributor``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Filter, Image


class NewsImage(AbstractImage):
    caption = models.TextField("التعليق", blank=True, default="")
    credit_photographer = models.CharField("المصوّر", max_length=255, blank=True, default="")
    credit_agency = models.CharField("الوكالة", max_length=255, blank=True, default="")
    credit_distributor = models.CharField("الموزّع", max_length=255, blank=True, default="")

    admin_form_fields = Image.admin_form_fields + (
        "caption",
        "credit_photographer",
        "credit_agency",
        "credit_distributor",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = "صورة"
        verbose_name_plural = "الصور"

    @property
    def credit(self) -> str:
        """The printed credit line, e.g. ``"سارة خليل | وكالة الأفق | شبكة الصور"``;
        empty parts are skipped, empty string when nothing is known."""
        return format_credit(
            self.credit_photographer, self.credit_agency, self.credit_distributor
        )

    @property
    def alt_text(self) -> str:
        return self.description or self.title


def format_credit(photographer: str, agency: str, distributor: str) -> str:
    """Join the non-empty parts of a credit with ``" | "``.

    >>> format_credit("سارة خليل", "", "شبكة الصور")
    'سارة خليل | شبكة الصور'
    >>> format_credit(" ", "", "")
    ''
    """
    parts = [p.strip() for p in (photographer, agency, distributor)]
    return " | ".join(p for p in parts if p)


class NewsRendition(AbstractRendition):
    image = models.ForeignKey(
        NewsImage, on_delete=models.CASCADE, related_name="renditions"
    )

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


@lru_cache(maxsize=64)
def rendition_filters(specs: str) -> tuple[Filter, ...]:
    """Wagtail image ``Filter`` objects for the comma-separated rendition
    ``specs`` (``"width-480,width-800"``; blanks ignored), made once per
    process and shared: a filter parses its operations on first use, which
    costs more than finding a prefetched rendition, and never changes."""
    return tuple(Filter(spec=s.strip()) for s in specs.split(",") if s.strip())


#: A relative file name that ``urljoin`` leaves as it is and
#: ``filepath_to_uri`` does not quote: ASCII letters, digits, ``_``, ``-``
#: and ``.``, in ``/``-separated segments none of which starts with a dot.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def storage_url(storage, name: str) -> str:
    """``storage.url(name)``: the public URL of a stored file. For Django's
    ``FileSystemStorage`` and a plain relative ``name`` (see
    :data:`_PLAIN_NAME`: what Wagtail names renditions), that is the
    storage's base URL followed by the name, joined here without
    ``urljoin`` and ``filepath_to_uri`` (a page shows some thirty image
    URLs); anything else is the storage's own answer. Raises what
    ``storage.url`` raises (``ValueError`` for a storage without URLs)."""
    from django.core.files.storage import FileSystemStorage

    if storage.__class__ is FileSystemStorage and name and _PLAIN_NAME.fullmatch(name):
        base = storage.base_url
        if base and base.endswith("/") and "/." not in base:
            return base + name
    return storage.url(name)


def rendition_url(rendition) -> str:
    """``rendition.url`` (:func:`storage_url` of its file)."""
    file = rendition.file
    if not file.name:
        return rendition.url  # raises as Django does for a missing file
    return storage_url(file.storage, file.name)
