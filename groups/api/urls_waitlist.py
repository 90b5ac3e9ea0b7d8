"""Waitlist API (RES-4) under /api/v1/."""

from django.urls import path

from . import waitlist as v

urlpatterns = [
    path("waitlist/", v.WaitlistApi.as_view(), name="api-waitlist"),
    path("waitlist/<int:pk>/", v.WaitlistEntryApi.as_view(), name="api-waitlist-entry"),
    path("groups/<int:pk>/waitlist/status/", v.GroupWaitlistStatusApi.as_view(), name="api-group-waitlist-status"),
]
