"""The newsletter pipeline: issue → one delivery per subscriber → workers
claim batches → provider → a status per delivery.

The rules that keep every subscriber at exactly one email:

* ``Delivery`` rows are unique per (issue, subscriber) (database constraint).
* A worker *claims* a batch of queued rows (``claimed_by`` = a fresh token,
  one UPDATE guarded by ``claimed_by = ''``, so two workers never get the
  same row, on SQLite or PostgreSQL).
* Just before the provider call a row is marked ``sending`` (committed);
  after the provider accepts it, ``sent``. Rows still ``sending`` when a
  worker died have an *unknown outcome*: :func:`deliveries_recover` marks
  them ``unknown`` and they are reported, never silently re-sent. Claimed
  rows never marked ``sending`` were never attempted and are released.
* Transient errors (SMTP 4xx, dropped connections, timeouts) put the row back
  in the queue with exponential backoff; permanent ones (5xx) fail it.
* Everything that can be rendered once per issue is (``Issue.html_template``
  and ``text_template``); per recipient only links and headers change.

The package's modules: ``issues`` (an issue's life cycle, from creation to
progress and a test send), ``claiming`` (claiming batches of deliveries),
``loop`` (:func:`issue_send`), ``writes`` (its batched writes and
:class:`SendStats`), ``recovery`` (after a crash) and ``limits`` (backoff,
batch size and the send loop's settings). The public names are all
importable from here.
"""

from ..providers import get_provider
from .claiming import deliveries_claim
from .issues import (
    issue_create_for_article,
    issue_finish_if_done,
    issue_next_attempt_at,
    issue_progress,
    issue_queue,
    issue_render_once,
    issue_schedule_if_timed,
    issue_send_test,
    issue_set_status,
    issues_start_due,
)
from .limits import (
    BACKOFF_BASE_S,
    BATCH_SIZE,
    MAX_ATTEMPTS,
    OPEN_STATUSES,
    STALE_CLAIM_AFTER,
    STALE_SENDING_AFTER,
    backoff,
    connections_per_sender,
    sending_groups,
    unknown_max,
)
from .loop import issue_send
from .recovery import deliveries_recover, delivery_resolve_unknown
from .writes import SendStats, _mark_sending
