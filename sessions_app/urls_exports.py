"""Session exports (SES-5) in the driver app's namespace: app:exports is the list."""

from django.urls import path

from . import views_exports as v

urlpatterns = [
    path("", v.exports, name="exports"),
    path("state/", v.exports_state, name="exports_state"),
    path("new/", v.export_create, name="export_create"),
    path("download/<str:token>/", v.export_download, name="export_download"),
]
