def shell(request):
    """What every shell page shows: the unread-notification badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from accounts.services import notification_unread_count

    return {"unread_notifications": notification_unread_count(user=user)}


def group_context(request):
    """The portal's group context switch (ACC-10)."""
    from .group_context import context

    return context(request)
