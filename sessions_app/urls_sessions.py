"""Session history and detail (SES-4) in the driver app's namespace: app:sessions is the history."""

from django.urls import path

from wccportal import app_views as v

urlpatterns = [
    path("", v.sessions, name="sessions"),
]
