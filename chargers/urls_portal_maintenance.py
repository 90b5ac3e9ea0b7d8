"""Maintenance > Inventory (CP-9) with audited reveals, in the "portal" namespace."""

from django.urls import path

from . import views_portal_inventory as v

urlpatterns = [
    path("", v.inventory_list, name="maintenance"),
    path("inventory/<str:charge_point_id>/", v.inventory_detail, name="inventory_detail"),
    path("inventory/<str:charge_point_id>/access-code/", v.inventory_reveal_code, name="inventory_reveal_code"),
]
