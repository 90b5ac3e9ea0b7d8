"""Portal general settings (ACC-10), in the "portal" namespace, at /portal/settings/."""

from django.urls import path

from . import views_portal_settings as v

urlpatterns = [
    path("", v.settings_page, name="settings"),
    path("privacy/", v.privacy_update, name="settings_privacy"),
]
