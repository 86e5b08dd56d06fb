"""The authentication backend for magic links (django-sesame tokens)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from sesame.backends import SesameBackendMixin


class MemberTokenBackend(SesameBackendMixin, ModelBackend):
    """Accepts a sesame token only for a member's own user: one with a
    :class:`~nashr.members.models.Member` row, active, neither staff nor
    superuser, with no groups and no permissions of its own. A token can
    therefore never sign an editor in, and a session
    started by this backend ends as soon as the user stops being such a
    member (the session's user is looked up through :meth:`get_user`).

    Returns ``None`` (Django's "not me") for anyone else; never raises."""

    def get_user(self, user_id):
        user = (
            get_user_model()._default_manager
            .filter(pk=user_id, is_active=True, is_staff=False, is_superuser=False,
                    nashr_member__isnull=False)
            # a member user someone gave a group or a permission (Wagtail's
            # admin needs no is_staff: a group is enough) is an editor now,
            # and an emailed link must never open the admin
            .filter(groups__isnull=True, user_permissions__isnull=True)
            .first()
        )
        return user

