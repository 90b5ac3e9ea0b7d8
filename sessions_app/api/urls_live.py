"""API routes under /api/v1/ (see sessions_app/api/live.py): SES-3, DASH-1."""

from django.urls import path

from . import live as v

urlpatterns = [
    path("sessions/active/", v.ActiveSessionsApi.as_view(), name="api-sessions-active"),
    path("sessions/<int:pk>/live/", v.SessionLiveApi.as_view(), name="api-session-live"),
    path("sessions/<int:pk>/stop/", v.SessionStopApi.as_view(), name="api-session-stop"),
    path("dashboard/", v.DashboardApi.as_view(), name="api-dashboard"),
]
