"""Driver-app pages (filled in by the feature's views)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
