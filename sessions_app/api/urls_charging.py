"""Starting a charge (SES-1, SES-2, SES-6) under /api/v1/ (see sessions_app/api/charging.py)."""

from django.urls import path

from . import charging as v

urlpatterns = [
    path("charge/start/", v.ChargeStartApi.as_view(), name="api-charge-start"),
    path("chargers/<str:charge_point_id>/start/", v.ChargerStartApi.as_view(), name="api-charger-start"),
    path("charge/start/<int:pk>/", v.ChargeStartDetailApi.as_view(), name="api-charge-start-detail"),
    path("chargers/<str:charge_point_id>/connectors/<int:connector_id>/start-info/",
         v.ConnectorStartInfoApi.as_view(), name="api-connector-start-info"),
]
