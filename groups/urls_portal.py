"""Portal group management (GRP-1…GRP-6), in the "portal" namespace, at /portal/groups/."""

from django.urls import path

from .views_portal import pages

urlpatterns = [
    path("", pages.group_list, name="groups"),
    path("new/", pages.group_create, name="group_create"),
    path("<int:pk>/", pages.group_detail, name="group_detail"),
    path("<int:pk>/edit/", pages.group_update, name="group_update"),
    path("<int:pk>/delete/", pages.group_delete, name="group_delete"),
    path("<int:pk>/leave/", pages.group_leave, name="group_leave"),
    path("<int:pk>/invite/", pages.group_invite, name="group_invite"),
    path("<int:pk>/invitations/<int:invitation_id>/revoke/", pages.group_invitation_revoke,
         name="group_invitation_revoke"),
    path("<int:pk>/members/<int:user_id>/remove/", pages.group_member_remove, name="group_member_remove"),
    path("<int:pk>/chargers/<str:charge_point_id>/", pages.group_charger_toggle, name="group_charger_toggle"),
]
