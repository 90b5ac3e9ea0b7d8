"""Session history API (SES-4) under /api/v1/ (see sessions_app/api/sessions.py). The live
state and Stop of a session (sessions/active/, sessions/<id>/live/, sessions/<id>/stop/) are
in urls_live.py."""

from django.urls import path

from . import sessions as v

urlpatterns = [
    path("sessions/", v.SessionListApi.as_view(), name="api-sessions"),
    path("sessions/summary/", v.SessionSummaryApi.as_view(), name="api-sessions-summary"),
    path("sessions/<int:pk>/", v.SessionDetailApi.as_view(), name="api-session"),
    path("sessions/<int:pk>/power/", v.SessionPowerApi.as_view(), name="api-session-power"),
]
