"""Platform-wide configuration keys for the owner settings (CP-4); staff add per-model rows."""

from django.db import migrations

DEFAULTS = [
    ("free_charging", "FreeCharging", "true", "false"),
    ("led_brightness", "LedBrightness", "", ""),
]


def add_defaults(apps, schema_editor):
    ConfigurationKey = apps.get_model("chargers", "ConfigurationKey")
    for setting, key, on, off in DEFAULTS:
        ConfigurationKey.objects.get_or_create(
            vendor="", model="", setting=setting,
            defaults={"key": key, "true_value": on, "false_value": off},
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("chargers", "ConfigurationKey").objects.filter(vendor="", model="").delete()


class Migration(migrations.Migration):
    dependencies = [("chargers", "0002_configurationkey_firmwarerelease_locallistentry_and_more")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
