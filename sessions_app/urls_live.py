"""The live session, its Stop (SES-3) and the dashboard (DASH-1) in the driver app's namespace."""

from django.urls import path

from wccportal import app_views as v

urlpatterns = [
    path("", v.dashboard, name="dashboard"),
]
