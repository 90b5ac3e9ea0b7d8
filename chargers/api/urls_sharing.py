"""Sharing (CP-3) and guest sign-in (ACC-3) endpoints under /api/v1/."""

from django.urls import path

from . import sharing

urlpatterns = [
    path("chargers/<str:charge_point_id>/shares/", sharing.ChargerSharesApi.as_view(),
         name="api-charger-shares"),
    path("chargers/<str:charge_point_id>/shares/<int:share_id>/", sharing.ChargerShareApi.as_view(),
         name="api-charger-share"),
    path("chargers/<str:charge_point_id>/users/", sharing.ChargerUsersApi.as_view(),
         name="api-charger-users"),
    path("chargers/<str:charge_point_id>/leave/", sharing.ChargerLeaveApi.as_view(),
         name="api-charger-leave"),
    path("auth/guest/", sharing.GuestLoginApi.as_view(), name="api-guest-login"),
]
