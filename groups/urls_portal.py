"""Portal group management (GRP-1…GRP-6), in the "portal" namespace, at /portal/groups/."""

from django.urls import path

from . import views_portal as v

urlpatterns = [
    path("", v.group_list, name="groups"),
    path("new/", v.group_create, name="group_create"),
    path("<int:pk>/", v.group_detail, name="group_detail"),
    path("<int:pk>/edit/", v.group_update, name="group_update"),
    path("<int:pk>/delete/", v.group_delete, name="group_delete"),
    path("<int:pk>/leave/", v.group_leave, name="group_leave"),
    path("<int:pk>/invite/", v.group_invite, name="group_invite"),
    path("<int:pk>/invitations/<int:invitation_id>/revoke/", v.group_invitation_revoke,
         name="group_invitation_revoke"),
    path("<int:pk>/members/<int:user_id>/remove/", v.group_member_remove, name="group_member_remove"),
    path("<int:pk>/chargers/<str:charge_point_id>/", v.group_charger_toggle, name="group_charger_toggle"),
]
