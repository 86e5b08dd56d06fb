"""Newsletter messages built per recipient in microseconds, as RFC 5322 bytes.

Python's :class:`email.message.EmailMessage` parses and re-folds every header
and re-encodes every part each time a message is made: about 10 ms for a
45 KB issue on the benchmark machine (``bench/newsletter_message.py``), which
alone would cap a worker at about a hundred messages a second (issue 3,
"Speed and memory"). A newsletter issue sends the same message to everyone
except for the ``To`` header, the ``Message-ID``, the ``Date`` and two links.
So :class:`PreparedIssue` encodes everything else once per issue, and
:meth:`PreparedIssue.build` only fills in the per-recipient parts:

- headers that never vary (``From``, ``Subject``, ``List-Id``,
  ``MIME-Version``, ``Content-Type``...) are kept as ready bytes;
- each body part is stored base64-encoded up to the last whole 57-byte group
  (one 76-character base64 line, RFC 2045 §6.8) before its first
  placeholder; per recipient only the tail (the footer, where the
  unsubscribe and manage links are) is substituted and encoded.

The message (RFC 5322, MIME RFC 2045/2046) is ``multipart/alternative`` with a
``text/plain`` and a ``text/html`` part, both UTF-8 and base64 with CRLF line
breaks. Non-ASCII header text (an Arabic subject or display name) is written
as RFC 2047 "B" encoded-words that each hold whole UTF-8 characters, so every
encoded-word decodes on its own (some clients decode word by word and show
mojibake otherwise). Headers ``List-Id`` (RFC 2919), ``List-Unsubscribe``
(RFC 2369) and ``List-Unsubscribe-Post`` (RFC 8058, one-click unsubscribe)
are always present; ``Precedence: bulk`` lets vacation responders stay quiet
(RFC 3834 §2).

The header encoders are pure functions with doctests; this module imports
Django only in :func:`issue_prepare`.

The package's modules: ``headers`` (the header encoders and checks),
``parts`` (the link placeholders and the body parts), ``prepared``
(:class:`PreparedIssue` and :class:`BuiltMessage`) and ``issue``
(:func:`issue_prepare`, from the settings). The public names are all
importable from here.
"""

from .headers import (
    LINE_HARD_MAX,
    LINE_MAX,
    WORD_MAX,
    addr_spec,
    display_name_normalise,
    encoded_words,
    header_mailbox,
    header_unstructured,
    phrase_tokens,
    rfc5322_date,
)
from .issue import issue_prepare, prepare_issue, site_domain
from .parts import PLACEHOLDER_MANAGE, PLACEHOLDER_UNSUBSCRIBE
from .prepared import BuiltMessage, PreparedIssue

__all__ = [
    "PLACEHOLDER_UNSUBSCRIBE",
    "PLACEHOLDER_MANAGE",
    "BuiltMessage",
    "PreparedIssue",
    "issue_prepare",
    "prepare_issue",
    "encoded_words",
    "header_unstructured",
    "header_mailbox",
    "phrase_tokens",
    "display_name_normalise",
    "addr_spec",
]
