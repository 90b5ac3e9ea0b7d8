"""Starting a charge (SES-1, SES-2, SES-6) in the driver app's namespace: app:charge is the Charge page."""

from django.urls import path

from wccportal import app_views as v

urlpatterns = [
    path("", v.charge, name="charge"),
]
