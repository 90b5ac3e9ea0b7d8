"""My chargers (CP-1 … CP-4), mounted at /app/chargers/ in the "app" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.chargers, name="chargers"),
    # Before the <charge_point_id> pages: "claim" is not a charger.
    path("claim/", views.charger_claim, name="charger_claim"),
    path("<str:charge_point_id>/", views.charger_detail, name="charger_detail"),
    path("<str:charge_point_id>/favourite/", views.charger_favourite, name="charger_favourite"),
    path("<str:charge_point_id>/settings/", views.charger_settings, name="charger_settings"),
    path("<str:charge_point_id>/restart/", views.charger_restart, name="charger_restart"),
    path("<str:charge_point_id>/delete/", views.charger_delete, name="charger_delete"),
    path("<str:charge_point_id>/qr/", views.charger_qr, name="charger_qr"),
]
