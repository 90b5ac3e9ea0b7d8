"""Firmware API (CP-5) under /api/v1/."""

from django.urls import path

from . import firmware

urlpatterns = [
    path("chargers/<str:charge_point_id>/firmware/", firmware.FirmwareApi.as_view(),
         name="api-charger-firmware"),
    path("chargers/<str:charge_point_id>/firmware/install/", firmware.FirmwareInstallApi.as_view(),
         name="api-charger-firmware-install"),
]
