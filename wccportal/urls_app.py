"""The driver app as mobile-first web pages (app shell)."""

from django.urls import path

from . import app_views as v

app_name = "app"
urlpatterns = [
    path("", v.dashboard, name="dashboard"),
    path("chargers/", v.chargers, name="chargers"),
    path("charge/", v.charge, name="charge"),
    path("bookings/", v.bookings, name="bookings"),
    path("sessions/", v.sessions, name="sessions"),
    path("notifications/", v.notifications, name="notifications"),
    path("profile/", v.profile, name="profile"),
]
