"""When an article is published with "send to subscribers" ticked, its
newsletter issue is created (once ever) and queued after the commit."""

from django.dispatch import receiver
from wagtail.signals import page_published


@receiver(page_published)
def send_article_to_subscribers(sender, instance, revision=None, **kwargs) -> None:
    from nashr.articles.models import ArticlePage

    if not isinstance(instance, ArticlePage) or not instance.send_to_subscribers:
        return
    from .sending import issue_create_for_article
    from .tasks import issue_start_on_commit

    issue, created = issue_create_for_article(article=instance)
    if created:
        issue_start_on_commit(issue.pk)


from django.db.models.signals import pre_save  # noqa: E402

from .models import Issue  # noqa: E402


@receiver(pre_save, sender=Issue)
def schedule_timed_issue(sender, instance, **kwargs) -> None:
    from .sending import issue_schedule_if_timed

    issue_schedule_if_timed(issue=instance)
