"""Starting a charge (SES-1, SES-2, SES-6) in the driver app's namespace: app:charge is the
Charge page; app:charge_connector is the start page a connector's QR sticker opens."""

from django.urls import path

from . import views_charge as v

urlpatterns = [
    path("", v.charge, name="charge"),
    path("<str:charge_point_id>/", v.charge_charger, name="charge_charger"),
    path("<str:charge_point_id>/start/", v.charge_quick_start, name="charge_quick_start"),
    path("<str:charge_point_id>/<int:connector_id>/", v.charge_connector, name="charge_connector"),
]
