"""Groups endpoints (GRP-1 … GRP-6) under /api/v1/."""

from django.urls import path

from . import groups as g

urlpatterns = [
    path("groups/", g.GroupListApi.as_view(), name="api-groups"),
    path("groups/<int:pk>/", g.GroupDetailApi.as_view(), name="api-group"),
    path("groups/<int:pk>/leave/", g.GroupLeaveApi.as_view(), name="api-group-leave"),
    path("groups/<int:pk>/members/", g.GroupMembersApi.as_view(), name="api-group-members"),
    path("groups/<int:pk>/members/<int:user_id>/", g.GroupMemberApi.as_view(), name="api-group-member"),
    path("groups/<int:pk>/invitations/", g.GroupInvitationsApi.as_view(), name="api-group-invitations"),
    path("groups/<int:pk>/invitations/<int:invitation_id>/", g.GroupInvitationApi.as_view(),
         name="api-group-invitation"),
    path("groups/<int:pk>/chargers/", g.GroupChargersApi.as_view(), name="api-group-chargers"),
    path("groups/<int:pk>/chargers/<str:charge_point_id>/", g.GroupChargerApi.as_view(),
         name="api-group-charger"),
    path("invitations/", g.InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/accept/", g.InvitationTokenAcceptApi.as_view(), name="api-invitation-token-accept"),
    path("invitations/<int:invitation_id>/accept/", g.InvitationAcceptApi.as_view(), name="api-invitation-accept"),
    path("invitations/<int:invitation_id>/decline/", g.InvitationDeclineApi.as_view(),
         name="api-invitation-decline"),
]
