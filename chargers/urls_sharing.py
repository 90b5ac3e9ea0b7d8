"""Sharing pages (CP-3): Share, Users (revoke) and leave, in the driver app's namespace."""

from django.urls import path

from . import views_sharing as v

urlpatterns = [
    path("<str:charge_point_id>/share/", v.charger_share, name="charger_share"),
    path("<str:charge_point_id>/users/", v.charger_users, name="charger_users"),
    path("<str:charge_point_id>/users/<int:share_id>/revoke/", v.charger_share_revoke,
         name="charger_share_revoke"),
    path("<str:charge_point_id>/leave/", v.charger_share_leave, name="charger_share_leave"),
]
