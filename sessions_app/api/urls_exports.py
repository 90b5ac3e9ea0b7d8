"""Session exports API (SES-5) under /api/v1/ (see sessions_app/api/exports.py)."""

from django.urls import path

from . import exports as v

urlpatterns = [
    path("exports/", v.ExportsApi.as_view(), name="api-exports"),
    path("exports/<int:pk>/", v.ExportApi.as_view(), name="api-export"),
    path("exports/<int:pk>/download/", v.ExportDownloadApi.as_view(), name="api-export-download"),
]
