"""Portal charging sessions (SES-7, SES-8) in the "portal" namespace: portal:sessions is the table."""

from django.urls import path

from wccportal import portal_views as v

urlpatterns = [
    path("", v.sessions, name="sessions"),
]
