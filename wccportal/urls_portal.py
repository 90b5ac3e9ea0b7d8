"""The B2B portal (server-rendered, portal shell)."""

from django.urls import include, path

from . import group_context, portal_dashboard
from . import portal_views as v

app_name = "portal"
urlpatterns = [
    path("", portal_dashboard.dashboard_page, name="dashboard"),  # DASH-2
    path("group/", group_context.group_context_set, name="group_context"),  # ACC-10
    path("dashboard/data/", include("wccportal.portal_dashboard")),  # DASH-2 figures as JSON
    # Diagnostics (CP-7 tab, Maintenance) and security events (CP-10): full paths, listed
    # first so "maintenance/diagnostics/" is not read as something else.
    path("", include("chargers.urls_portal_diagnostics")),
    path("chargers/", include("chargers.urls_portal_chargers")),  # CP-6 overview, CP-8 connectors
    # One charger's page and tabs (CP-7). "charger/" not "chargers/": an id like "connectors"
    # must not collide with the overview's own pages.
    path("charger/<str:charge_point_id>/", include("chargers.urls_portal_detail")),
    path("reservations/", include("groups.urls_portal_reservations")),  # RES-1 rules per group
    path("sessions/", include("sessions_app.urls_portal")),  # SES-7, SES-8
    path("authorization/", include("chargers.urls_portal_tags")),  # TAG-4
    path("settings/", include("accounts.urls_portal_settings")),  # ACC-10
    path("operations/", include("chargers.urls_portal_operations")),  # OPS-1, OPS-2
    path("maintenance/", include("chargers.urls_portal_maintenance")),  # CP-9
    path("notifications/", v.notifications, name="notifications"),
    path("groups/", include("groups.urls_portal")),  # GRP-1…GRP-6
    path("users/", include("accounts.urls_portal_users")),  # ACC-9, ACC-12
    path("logs/", include("ocpp_gateway.urls_portal_logs")),  # CP-10
]
