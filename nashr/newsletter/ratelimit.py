"""Fixed-window rate limits on Django's default cache.

One counter per (scope, key, window): the first hit of a window creates it
with ``cache.add`` (atomic "set if absent"), later hits ``cache.incr`` it
(atomic on Redis and Memcached; on the local-memory cache, atomic within the
process, which is the only place that cache is shared anyway). The counter
expires with its window, so nothing needs cleaning up.

A fixed window lets a client make up to ``2 × limit`` requests around a
window boundary; for keeping a form from mailing someone's inbox a hundred
times that is plenty exact, and it costs one or two cache calls.

Keys are hashed (SHA-256), so addresses and IPs never sit in the cache in
clear and every key is short and safe for any backend.

If the cache is unreachable the request is allowed and the failure logged:
the other guards (one confirmation email per address per 24 hours, kept in
the database) still hold.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

__all__ = ["rate_limit_hit", "client_ip"]


def rate_limit_hit(*, scope: str, key: str, limit: int, window_s: int, now: float | None = None) -> bool:
    """Count one hit of ``key`` in ``scope`` and say whether it is allowed.

    Args:
        scope: a short name for what is limited, e.g. ``"subscribe-ip"``.
        key: who is limited (an IP bucket, an email key...). Any string.
        limit: hits allowed per window (>= 0; 0 refuses everything).
        window_s: window length in seconds (> 0). Windows are aligned to
            the Unix epoch: ``[n × window_s, (n + 1) × window_s)``.
        now: Unix time in seconds, for tests; default ``time.time()``.

    Returns:
        ``True`` while this is at most the ``limit``-th hit in the current
        window, ``False`` once over it. Every call counts, allowed or not.
    """
    if window_s <= 0:
        raise ValueError("window_s must be positive")
    now = time.time() if now is None else now
    window = int(now // window_s)
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    cache_key = f"nashr:rl:{scope}:{window_s}:{window}:{digest}"
    # A little longer than the window so the counter never vanishes early
    # on a backend with coarse expiry.
    timeout = window_s + 60
    try:
        if cache.add(cache_key, 1, timeout=timeout):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:
                # expired between add and incr: this is the first hit again
                cache.add(cache_key, 1, timeout=timeout)
                count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not take the form down
        logger.exception("rate limit cache unavailable; allowing %s", scope)
        return True
    return count <= limit


def client_ip(request) -> str:
    """The client's address as a rate-limit bucket.

    ``REMOTE_ADDR`` by default. Behind a reverse proxy, set
    ``NASHR_CLIENT_IP_HEADER`` to the header the proxy sets, as a
    ``request.META`` key (``"HTTP_X_REAL_IP"``, or ``"HTTP_X_FORWARDED_FOR"``,
    of which the *last* entry is used: the one your proxy appended; earlier
    ones are whatever the client claimed). Without it, every reader behind
    the proxy shares one bucket.

    IPv6 addresses are bucketed by their /64 network, since one host
    usually holds a whole /64 (RFC 6177) and could otherwise rotate
    addresses to escape the limit. Returns ``""`` when unknown.
    """
    header = getattr(settings, "NASHR_CLIENT_IP_HEADER", "")
    raw = ""
    if header:
        raw = request.META.get(header, "").split(",")[-1].strip()
    if not raw:
        raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
