"""Session history and detail (SES-4) in the driver app's namespace: app:sessions is the history.

The live page and Stop (SES-3) live in views_live (Part B) but share the "sessions/" prefix.
"""

from django.urls import path

from . import views_history, views_live

urlpatterns = [
    path("", views_history.session_history, name="sessions"),
    path("<int:pk>/", views_history.session_detail, name="session_detail"),
    path("<int:pk>/live/", views_live.session_live, name="session_live"),
    path("<int:pk>/stop/", views_live.session_stop, name="session_stop"),
]
