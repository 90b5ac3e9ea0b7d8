"""QR stickers of a charger's connectors (SES-1), under app/chargers/<id>/."""

urlpatterns = []
