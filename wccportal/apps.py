from django.apps import AppConfig


class WccPortalConfig(AppConfig):
    name = "wccportal"
    verbose_name = "WCC Portal"
