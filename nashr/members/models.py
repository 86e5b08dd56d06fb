"""A member: a confirmed newsletter subscriber who signs in by magic link.

Why a Django user per member (created on the first sign-in) rather than a
session key of our own: Django's ``login``/``logout`` then give session
rotation, CSRF token rotation and ``request.user`` for free, and
django-sesame's documented API (``get_token``/``get_user``) signs and
checks the links. What keeps members out of the editors' admin:

- the user is created with an unusable password, ``is_staff=False``, no
  groups and no permissions, so Wagtail's admin (which needs
  ``wagtailadmin.access_admin``) refuses it like any stranger;
- the only backend that accepts a magic-link token
  (:class:`nashr.members.backends.MemberTokenBackend`) accepts it only for a
  user that has a :class:`Member` row, is neither staff nor superuser and
  has no groups or permissions, so a link can never sign an editor in, even one whose address is also a
  subscriber's;
- usernames are ``member-<random hex>``, never the address, so no member
  username can collide with or impersonate an editor's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Member(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="حساب الدخول", on_delete=models.CASCADE,
        related_name="nashr_member",
    )
    subscriber = models.OneToOneField(
        "newsletter.Subscriber", verbose_name="المشترك", on_delete=models.CASCADE,
        related_name="member",
    )
    created_at = models.DateTimeField("تاريخ أول دخول", auto_now_add=True)

    class Meta:
        verbose_name = "عضو"
        verbose_name_plural = "الأعضاء"

    def __str__(self) -> str:
        return self.subscriber.email if self.subscriber_id else f"member {self.pk}"
