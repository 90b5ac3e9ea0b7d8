"""Group pages (GRP-1 … GRP-6) in the driver app's namespace, at /app/groups/."""

from django.urls import path

from . import views as v
from .views import pages

urlpatterns = [
    path("", pages.group_list, name="groups"),
    path("new/", pages.group_create, name="group_create"),
    path("invitations/", v.invitation_list, name="invitation_list"),
    path("invitations/<int:invitation_id>/accept/", v.invitation_accept, name="invitation_accept"),
    path("invitations/<int:invitation_id>/decline/", v.invitation_decline, name="invitation_decline"),
    path("<int:pk>/", pages.group_detail, name="group_detail"),
    path("<int:pk>/settings/", pages.group_update, name="group_update"),
    path("<int:pk>/delete/", pages.group_delete, name="group_delete"),
    path("<int:pk>/leave/", pages.group_leave, name="group_leave"),
    path("<int:pk>/invite/", pages.group_invite, name="group_invite"),
    path("<int:pk>/invitations/<int:invitation_id>/revoke/", pages.group_invitation_revoke,
         name="group_invitation_revoke"),
    path("<int:pk>/members/<int:user_id>/remove/", pages.group_member_remove, name="group_member_remove"),
    path("<int:pk>/chargers/<str:charge_point_id>/", pages.group_charger_toggle, name="group_charger_toggle"),
]
