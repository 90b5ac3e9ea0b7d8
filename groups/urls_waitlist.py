"""Waitlist pages (RES-4) in the driver app's namespace: app:waitlist is the list."""

from django.urls import path

from . import views_waitlist as v

urlpatterns = [
    path("", v.waitlist, name="waitlist"),
    path("state/", v.waitlist_state, name="waitlist_state"),
    path("join/", v.waitlist_join, name="waitlist_join"),
    path("<int:pk>/leave/", v.waitlist_leave, name="waitlist_leave"),
]
