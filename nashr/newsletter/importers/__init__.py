"""Subscriber CSV import: Nashr's own export and the subscriber exports of
WordPress.com/Jetpack, Substack and Ghost.

Reader → mapping → importer (DESIGN.md, rule 6): :func:`csv_rows_read`
(``reader.py``) streams the file line by line; :func:`import_format_detect`
(``formats.py``) picks the format from the header row and each format maps
a row to (address, name, status); :func:`subscribers_import`
(``subscribers.py``) applies the rules below in batches of 500 rows, one
transaction each.

File: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8"),
LF or CRLF line ends, comma-separated, ``"``-quoted. Header names are
matched case-insensitively, with spaces and hyphens read as ``_``
(``Email Address`` = ``email_address``). Columns not listed are ignored.

Columns read, per format (the first column found of each list):

========  =========================================  ==============================================
format    detected by a header row with              columns read
========  =========================================  ==============================================
nashr     an email, a status and a source column     email ``email``/``البريد الإلكتروني``;
          (the admin's CSV export: Arabic headings,  name ``name``/``الاسم``; status
          or the field names)                        ``status``/``الحالة``: ``confirmed``,
                                                     ``pending``, ``unsubscribed``, ``cleaned``
                                                     or their Arabic labels
ghost     ``subscribed_to_emails``                   ``email``; ``name``; ``subscribed_to_emails``
                                                     (``false`` → unsubscribed); ``deleted_at``
                                                     (not empty → row skipped: a deleted member)
substack  ``email_disabled`` or                      ``email``; ``name`` if present;
          ``active_subscription``                    ``email_disabled`` (``true`` → unsubscribed)
jetpack   any other header with ``email`` or         email ``email``/``email_address``; name
          ``email_address`` (WordPress.com and       ``name``/``full_name``/``display_name``, else
          Jetpack's download, or any simple list)    ``first_name`` + ``last_name``; status, if
                                                     present, ``status``/``subscription_status``/
                                                     ``email_subscription``: ``subscribed``/
                                                     ``confirmed``/``active`` → confirmed,
                                                     ``unsubscribed``/``not subscribed``/
                                                     ``inactive``/``not sending`` → unsubscribed,
                                                     ``not confirmed``/``unconfirmed``/``pending``
                                                     → pending
========  =========================================  ==============================================

Not read: dates (``created_at``, ``date_subscribed``, ``subscription_date``,
``expiry``), plans and tiers, labels, notes, Stripe ids. Booleans are
``true/false``, ``yes/no``, ``1/0``, ``t/f``, ``y/n`` (any case); an empty
status or boolean cell means subscribed. Column names for the exports of
other platforms are as their importers and documentation describe them;
a file in another shape can be given explicitly (``--format``) or its
columns renamed.

Rules (one row = one address):

* Rows whose status maps to *confirmed* are imported as confirmed
  subscribers (they opted in on the old platform; no confirmation email is
  sent), ``source = "import:<format>"``. *unsubscribed* rows are stored as
  unsubscribed (the opt-out is kept, nobody is mailed); *cleaned* rows as
  cleaned, with the address put on the suppression list (reason
  ``manual``). *pending* rows (never confirmed there) are skipped and
  reported: double opt-in is not bypassed by an import.
* An existing subscriber's status is never lowered and never raised past
  the reader's own choice: confirmed stays confirmed; an unsubscribed or
  cleaned one is not subscribed again (reported); only pending →
  confirmed is applied. An empty name is filled in; a name is never
  overwritten.
* Addresses on the suppression list are skipped and reported when the
  row would subscribe them; an unsubscribed or cleaned row for such an
  address is stored as it is (it is not mailed either way).
* A bad row — no address, an address the subscribe form would refuse
  (invalid, CR/LF/NUL or other control characters, over 254 characters),
  a name with control characters or over 200 characters, an unknown
  status or boolean, bytes that are not UTF-8 — is reported with its line
  number (the file's physical line, the header being line 1) and skipped;
  the import goes on. Rows whose every cell is empty are not records and
  are passed over.
* Running the same file twice changes nothing the second time.
"""

from .formats import FORMATS, import_format_detect
from .reader import ImportFileError, csv_rows_read
from .subscribers import BATCH_SIZE, ImportReport, RowNote, subscribers_import

__all__ = [
    "BATCH_SIZE", "FORMATS", "ImportFileError", "ImportReport", "RowNote",
    "csv_rows_read", "import_format_detect", "subscribers_import",
]
