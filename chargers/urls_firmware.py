"""Firmware pages (CP-5), in the "app" namespace under /app/chargers/."""

from django.urls import path

from . import views_firmware as v

urlpatterns = [
    path("<str:charge_point_id>/firmware/", v.charger_firmware, name="charger_firmware"),
    path("<str:charge_point_id>/firmware/card/", v.charger_firmware_card,
         name="charger_firmware_card"),
    path("<str:charge_point_id>/firmware/install/", v.charger_firmware_install,
         name="charger_firmware_install"),
]
