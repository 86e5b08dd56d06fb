"""When a member row goes (the subscriber was deleted in the admin, or the
member deleted their account), its sign-in user goes too: a member's user
has no other use and must not linger as an account."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def member_user_delete(sender, instance, **kwargs) -> None:
    get_user_model()._default_manager.filter(
        pk=instance.user_id, is_staff=False, is_superuser=False).delete()
