"""``nashr comments_forget_clients``: erase hashed IPs and user agents of
comments older than ``NASHR_COMMENTS_IP_RETENTION_DAYS`` (run daily)."""

from django.core.management.base import BaseCommand

from nashr.comments.services import comments_forget_clients


class Command(BaseCommand):
    help = "Erase comment IP hashes and user agents older than the retention period."

    def handle(self, *args, **options):
        changed = comments_forget_clients()
        self.stdout.write(f"{changed} comment(s) forgotten")
