"""Account use cases. Views, API, admin and tasks call these; none holds logic itself."""

from django.db import transaction
from django.utils import timezone

from wccportal.lib.realtime import live_update_on_commit

from .models import Notification, User


def notification_create(*, user: User, kind: str, title: str, body: str = "", link: str = ""):
    """Store an in-app notification and push the new unread count to the user's pages."""
    notification = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, link=link
    )
    live_update_on_commit(
        f"live.user.{user.pk}",
        {"type": "live.event", "event": "notification", "unread": notification_unread_count(user=user)},
    )
    return notification


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids=None) -> int:
    """Mark the given notifications (or all) of the user as read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language", "updated_at"])
