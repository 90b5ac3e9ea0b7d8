from .models import Notification, User


def notification_list(*, user: User):
    return Notification.objects.filter(user=user).order_by("-created_at")
