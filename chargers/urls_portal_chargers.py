"""Portal charge points (CP-6) and connectors (CP-8) in the "portal" namespace."""

from django.urls import path

from wccportal import portal_views as v

urlpatterns = [
    path("", v.chargers, name="chargers"),
]
