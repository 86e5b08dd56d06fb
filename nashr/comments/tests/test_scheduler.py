"""The scheduler that `nashr serve` runs erases commenters' client data
after the retention period, without anyone setting up cron."""

from datetime import timedelta

from django.utils import timezone

from nashr.comments.models import Comment
from nashr.site.management.commands import publish_scheduled_loop


def test_the_serve_scheduler_erases_old_ip_hashes_once_an_hour(article, settings, monkeypatch):
    settings.NASHR_COMMENTS_IP_RETENTION_DAYS = 30
    old = Comment.objects.create(article=article, author_name="قديم", author_email="o@example.org",
                                 body="تعليق قديم", status="approved", ip_hash="a" * 64, user_agent="Firefox")
    new = Comment.objects.create(article=article, author_name="جديد", author_email="n@example.org",
                                 body="تعليق جديد", status="approved", ip_hash="b" * 64, user_agent="Chrome")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    monkeypatch.setattr(publish_scheduled_loop, "_HOURLY_LAST_RUN", {})

    publish_scheduled_loop.run_jobs_once()

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_hash, old.user_agent) == ("", "")
    assert (new.ip_hash, new.user_agent) == ("b" * 64, "Chrome")
    assert old.body == "تعليق قديم"  # the comment itself stays

    # within the hour the job does not run again
    Comment.objects.filter(pk=new.pk).update(created_at=timezone.now() - timedelta(days=31))
    publish_scheduled_loop.run_jobs_once()
    new.refresh_from_db()
    assert new.ip_hash == "b" * 64
