from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import OcppFrame


def frame_log_prune(*, keep_days: int | None = None, batch: int = 10_000) -> int:
    """Delete frames older than OCPP_FRAME_LOG_DAYS, in batches (the table is huge)."""
    keep_days = keep_days if keep_days is not None else getattr(settings, "OCPP_FRAME_LOG_DAYS", 90)
    limit = timezone.now() - timedelta(days=keep_days)
    deleted = 0
    while True:
        ids = list(OcppFrame.objects.filter(created_at__lt=limit).values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += OcppFrame.objects.filter(id__in=ids).delete()[0]
