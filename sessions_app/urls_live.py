"""The live session, its Stop (SES-3) and the dashboard (DASH-1) in the driver app's namespace.

The live page (app:session_live) and Stop (app:session_stop) are routed under sessions/ in
urls_sessions; their views are in views_live.
"""

from django.urls import path

from . import views_live

urlpatterns = [
    path("", views_live.dashboard, name="dashboard"),
    path("live/active/", views_live.active_sessions_bar, name="active_sessions_bar"),
]
