from django.apps import AppConfig


class WccPortalConfig(AppConfig):
    name = "wccportal"
    verbose_name = "WCC Portal"

    def ready(self):
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # `field__lower=value.lower()` matches the LOWER(...) unique indexes of e-mails and tag
        # ids; `__iexact` compiles to UPPER(...) on PostgreSQL and scans the table.
        CharField.register_lookup(Lower)
