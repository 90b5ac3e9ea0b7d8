"""Tariff endpoints under /api/v1/ (TAR-1, TAR-2)."""

from django.urls import path

from . import tariffs

urlpatterns = [
    path("tariffs/", tariffs.TariffListApi.as_view(), name="api-tariffs"),
    path("tariffs/<int:pk>/", tariffs.TariffDetailApi.as_view(), name="api-tariff"),
    path("tariffs/<int:pk>/preview/", tariffs.TariffPreviewApi.as_view(), name="api-tariff-preview"),
]
