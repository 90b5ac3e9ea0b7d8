"""The B2B portal (server-rendered, portal shell)."""

from django.urls import path

from . import portal_views as v

app_name = "portal"
urlpatterns = [
    path("", v.dashboard, name="dashboard"),
    path("chargers/", v.chargers, name="chargers"),
    path("chargers/<str:charge_point_id>/", v.charger_detail, name="charger_detail"),
    path("reservations/", v.reservations, name="reservations"),
    path("sessions/", v.sessions, name="sessions"),
    path("settings/", v.settings_page, name="settings"),
    path("operations/", v.operations, name="operations"),
    path("maintenance/", v.maintenance, name="maintenance"),
    path("notifications/", v.notifications, name="notifications"),
    path("groups/", v.groups, name="groups"),
]
