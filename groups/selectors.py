from django.db.models import Q, QuerySet

from .models import Group


def group_list_for_user(user) -> QuerySet[Group]:
    """Groups the user owns or belongs to (staff: all)."""
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_staff:
        return Group.objects.all()
    return Group.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()
