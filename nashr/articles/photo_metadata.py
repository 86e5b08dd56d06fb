"""Read the caption and credit a photographer or agency embedded in a JPEG.

Sources, in order of preference:

* IPTC-IIM (the "IPTC" block in Photoshop's APP13 segment): dataset 2:80
  By-line (creator), 2:110 Credit, 2:115 Source, 2:120 Caption/Abstract.
  IPTC Photo Metadata Standard, IIM 4.2.
* XMP: ``dc:creator``, ``photoshop:Credit``, ``photoshop:Source``,
  ``dc:description`` (IPTC Core mapping of the same fields).

Pillow parses both (XMP through defusedxml, so hostile XML is refused).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, IptcImagePlugin

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoMetadata:
    """Caption and credit parts found in a photo; empty strings when absent."""

    creator: str = ""
    credit_line: str = ""
    source: str = ""
    caption: str = ""


def _iptc_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8").strip()
        except UnicodeDecodeError:
            return value.decode("latin-1").strip()
    return str(value or "").strip()


def _xmp_text(value: Any) -> str:
    """Flatten Pillow's dict form of an XMP value (``rdf:Seq``/``rdf:Alt``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in ("Seq", "Alt", "Bag", "li", "text"):
            if key in value:
                return _xmp_text(value[key])
        return ""
    if isinstance(value, list):
        return _xmp_text(value[0]) if value else ""
    return ""


def _find(tree: Any, name: str) -> Any:
    """Depth-first search of Pillow's XMP dict for a local element name."""
    if isinstance(tree, dict):
        if name in tree:
            return tree[name]
        for child in tree.values():
            found = _find(child, name)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for child in tree:
            found = _find(child, name)
            if found is not None:
                return found
    return None


def read_photo_metadata(fileobj: IO[bytes]) -> PhotoMetadata:
    """Return the :class:`PhotoMetadata` of a JPEG file object.

    Never raises for a broken or non-JPEG file: it logs and returns an empty
    :class:`PhotoMetadata`. The file position is restored afterwards.
    """
    position = fileobj.tell() if hasattr(fileobj, "tell") else None
    try:
        with Image.open(fileobj) as im:
            if im.format != "JPEG":
                return PhotoMetadata()
            iptc = IptcImagePlugin.getiptcinfo(im) or {}
            try:
                xmp = im.getxmp() or {}
            except Exception:  # malformed XMP packet; IPTC may still help
                logger.info("unreadable XMP packet", exc_info=True)
                xmp = {}
    except Exception:
        logger.info("could not read photo metadata", exc_info=True)
        return PhotoMetadata()
    finally:
        if position is not None:
            fileobj.seek(position)
    return PhotoMetadata(
        creator=_iptc_text(iptc.get((2, 80))) or _xmp_text(_find(xmp, "creator")),
        credit_line=_iptc_text(iptc.get((2, 110))) or _xmp_text(_find(xmp, "Credit")),
        source=_iptc_text(iptc.get((2, 115))) or _xmp_text(_find(xmp, "Source")),
        caption=_iptc_text(iptc.get((2, 120))) or _xmp_text(_find(xmp, "description")),
    )
