"""Portal charging sessions (SES-7, SES-8) in the "portal" namespace: portal:sessions is the table."""

from django.urls import path

from . import views_portal as v

urlpatterns = [
    path("", v.session_list, name="sessions"),
    path("columns/", v.columns_save, name="sessions_columns"),
    path("export.<str:fmt>", v.export, name="sessions_export"),
    path("start/", v.session_start, name="session_start"),
    path("<int:pk>/", v.session_detail, name="session_detail"),
    path("<int:pk>/stop/", v.session_stop, name="session_stop"),
    path("<int:pk>/logbook/", v.logbook, name="session_logbook"),
]
