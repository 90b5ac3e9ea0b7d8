"""The charge point page's tabs (CP-7), under /portal/charger/<charge_point_id>/ ("portal" namespace).
The Diagnostics tab (portal:charger_diagnostics) lives in chargers/urls_portal_diagnostics.py."""

from django.urls import path

from . import views_portal_detail as v

urlpatterns = [
    path("", v.overview, name="charger_detail"),
    path("site/", v.site_update, name="charger_site"),
    path("logbook/switch/", v.logbook_switch, name="charger_logbook_switch"),
    path("assignment/remove/", v.assignment_remove, name="charger_assignment_remove"),
    path("firmware/", v.firmware_card, name="charger_firmware"),
    path("firmware/install/", v.firmware_install_view, name="charger_firmware_install"),
    path("sessions/", v.sessions, name="charger_sessions"),
    path("connectors/", v.connectors, name="charger_connectors"),
    path("installation/", v.installation, name="charger_installation"),
    path("installation/time-zone/", v.time_zone_update, name="charger_time_zone"),
    path("configuration/", v.configuration, name="charger_configuration"),
    path("configuration/panel/", v.configuration_panel, name="charger_configuration_panel"),
    path("configuration/read/", v.configuration_read, name="charger_configuration_read"),
    path("configuration/change/", v.configuration_change, name="charger_configuration_change"),
    path("pictures/", v.pictures, name="charger_pictures"),
    path("pictures/<int:slot>/", v.picture, name="charger_picture"),
    path("pictures/<int:slot>/delete/", v.picture_delete, name="charger_picture_delete"),
    path("logbook/", v.logbook, name="charger_logbook"),
]
