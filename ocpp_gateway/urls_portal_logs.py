"""Portal logs (CP-10): the CS-CP frame log and the heartbeat log, in the "portal" namespace."""

from django.urls import path

from . import views_portal_logs as v

urlpatterns = [
    path("", v.frame_log, name="logs"),
    path("heartbeats/", v.heartbeat_log, name="heartbeats"),
]
