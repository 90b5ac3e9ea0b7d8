"""QR stickers of a charger's connectors (SES-1), under app/chargers/<id>/, and Start from a
charger's actions (SES-2), which goes through the same checks as every other start."""

from django.urls import path

from . import views_charge, views_stickers

urlpatterns = [
    path("<str:charge_point_id>/stickers/", views_stickers.charger_stickers, name="charger_stickers"),
    path("<str:charge_point_id>/stickers.pdf", views_stickers.charger_stickers_pdf, name="charger_stickers_pdf"),
    path("<str:charge_point_id>/start/", views_charge.charge_quick_start, name="charger_start"),
]
