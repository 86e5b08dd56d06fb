"""Shared helpers for the WordPress import tests: fixture paths, an uploads
folder with real image files, and a run of the importer."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from PIL import Image

from nashr.importers.wordpress.importer import WordPressImporter

WXR = Path(__file__).parent / "files" / "wxr"
REPO = Path(__file__).resolve().parents[3]
THEME_UNIT = REPO.parent / "shared" / "data" / "wordpress" / "themeunittestdata.wordpress.xml"


def image_bytes(fmt: str = "JPEG", size=(800, 500), color=(200, 120, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def make_uploads(root: Path) -> Path:
    """The old site's wp-content/uploads for ``arabic_site.xml`` (souq.jpg and
    market.png; missing.jpg deliberately absent)."""
    folder = root / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    (folder / "souq.jpg").write_bytes(image_bytes("JPEG"))
    (folder / "market.png").write_bytes(image_bytes("PNG", (600, 400)))
    return root / "uploads"


def run(path, **kwargs):
    return WordPressImporter(path=path, **kwargs).run()


def command(*args) -> tuple[int, str, str]:
    """Run ``nashr import-wordpress`` in-process; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-wordpress", *map(str, args), "--no-progress", stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    except Exception as exc:  # CommandError: what the user sees on stderr, exit status 1
        from django.core.management import CommandError

        if not isinstance(exc, CommandError):
            raise
        err.write(str(exc))
        status = 1
    return status, out.getvalue(), err.getvalue()
