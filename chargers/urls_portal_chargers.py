"""Portal charge points (CP-6) and connectors (CP-8) in the "portal" namespace."""

from django.urls import path

from . import views_portal_chargers as v

urlpatterns = [
    path("", v.charger_list, name="chargers"),
    path("export.xlsx", v.charger_export, name="chargers_export"),
    path("availability/", v.charger_availability, name="chargers_availability"),
    path("connectors/", v.connector_list, name="connectors"),
]
