from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from chargers.models import ChargePoint, DiagnosticsFile


def online(cp):
    ChargePoint.objects.filter(pk=cp.pk).update(is_online=True)
    cp.refresh_from_db()
    return cp


def upload_path(row: DiagnosticsFile) -> str:
    """The path of the upload link the charger got (its location, without the host)."""
    return urlsplit(row.operation.payload["location"]).path


def stored_files(cp) -> list:
    folder = Path(str(settings.PRIVATE_ROOT)) / "chargers" / str(cp.pk) / "diagnostics"
    return sorted(folder.iterdir()) if folder.exists() else []
