"""The B2B portal (server-rendered, portal shell)."""

from django.urls import include, path

from . import group_context, portal_dashboard
from . import portal_views as v

app_name = "portal"
urlpatterns = [
    path("", portal_dashboard.dashboard_page, name="dashboard"),  # DASH-2
    path("group/", group_context.group_context_set, name="group_context"),  # ACC-10
    path("dashboard/data/", include("wccportal.portal_dashboard")),  # DASH-2 figures as JSON
    path("chargers/", include("chargers.urls_portal_chargers")),  # CP-6 overview, CP-8 connectors
    path("chargers/<str:charge_point_id>/", v.charger_detail, name="charger_detail"),
    path("reservations/", v.reservations, name="reservations"),
    path("sessions/", include("sessions_app.urls_portal")),  # SES-7, SES-8
    path("authorization/", include("chargers.urls_portal_tags")),  # TAG-4
    path("settings/", v.settings_page, name="settings"),
    path("operations/", include("chargers.urls_portal_operations")),  # OPS-1, OPS-2
    path("maintenance/", v.maintenance, name="maintenance"),
    path("notifications/", v.notifications, name="notifications"),
    path("groups/", v.groups, name="groups"),
    path("users/", include("accounts.urls_portal_users")),  # ACC-9, ACC-12
    path("logs/", include("ocpp_gateway.urls_portal_logs")),  # CP-10
]
