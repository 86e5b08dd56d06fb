"""A :class:`PreparedIssue` for an issue from the site's settings; the only
place the package uses Django (imported inside :func:`issue_prepare`)."""

from __future__ import annotations

from typing import Callable

from .prepared import PreparedIssue


def site_domain(site_url: str) -> str:
    """The host of an absolute URL, without port or user info.

    >>> site_domain("https://news.example.com:8443/path")
    'news.example.com'
    >>> site_domain("http://127.0.0.1:8000")
    '127.0.0.1'
    """
    from urllib.parse import urlsplit

    host = urlsplit(site_url).hostname
    if not host:
        raise ValueError(f"no host in {site_url!r}")
    return host


def issue_prepare(*, issue, subject_prefix: str = "",
                  signer: Callable[[bytes], bytes] | None | bool = True) -> PreparedIssue:
    """A :class:`PreparedIssue` for an :class:`~nashr.newsletter.models.Issue`,
    from the settings ``NASHR_NEWSLETTER_FROM_NAME``,
    ``NASHR_NEWSLETTER_FROM_EMAIL``, ``NASHR_SITE_NAME``, ``SITE_URL`` (its
    host) and ``NASHR_UNSUBSCRIBE_MAILTO``.

    The parts are the issue's stored ``html_template``/``text_template``;
    when those are empty they are rendered now with
    :func:`nashr.newsletter.rendering.issue_render` (and not saved).
    ``subject_prefix`` goes before the subject (``"[تجربة] "`` for a test
    send).
    ``signer=True`` (the default) signs with DKIM when the
    ``NASHR_DKIM_*`` settings are set; pass ``None`` not to sign, or a
    callable of your own.

    Raises:
        ValueError: as :class:`PreparedIssue`, or the issue has no article
            and no stored parts.
        django.core.exceptions.ImproperlyConfigured: DKIM half configured.
    """
    from django.conf import settings

    html, text = issue.html_template, issue.text_template
    if not html or not text:
        from ..rendering import issue_render

        html, text = issue_render(issue=issue)
    if signer is True:
        from ..dkim import dkim_signer_from_settings

        signer = dkim_signer_from_settings()
    return PreparedIssue(
        issue_id=issue.pk,
        subject=subject_prefix + issue.subject,
        from_name=settings.NASHR_NEWSLETTER_FROM_NAME,
        from_email=settings.NASHR_NEWSLETTER_FROM_EMAIL,
        html_template=html,
        text_template=text,
        site_name=settings.NASHR_SITE_NAME,
        domain=site_domain(settings.SITE_URL),
        unsubscribe_mailto=settings.NASHR_UNSUBSCRIBE_MAILTO,
        signer=signer or None,
    )


#: The same as :func:`issue_prepare` (the house's ``<noun>_<verb>`` name);
#: kept for callers written against the first draft of this module.
prepare_issue = issue_prepare
