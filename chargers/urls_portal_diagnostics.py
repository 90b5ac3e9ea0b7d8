"""Diagnostics files (CP-7 Diagnostics tab, Maintenance > Diagnostics) and the charger logs of
security events (CP-10), in the "portal" namespace; included at the portal's root."""

from django.urls import path

from . import views_portal_diagnostics as v

urlpatterns = [
    path("charger/<str:charge_point_id>/diagnostics/", v.charger_diagnostics, name="charger_diagnostics"),
    path("charger/<str:charge_point_id>/diagnostics/state/", v.charger_diagnostics_state,
         name="charger_diagnostics_state"),
    path("maintenance/diagnostics/", v.diagnostics_list, name="diagnostics"),
    path("maintenance/diagnostics/<int:pk>/download/", v.diagnostics_download, name="diagnostics_download"),
    path("logs/security/", v.security_events, name="logs_security"),
]
