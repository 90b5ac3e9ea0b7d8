"""Matching a StartTransaction to the start asked for in the app or portal (SES-1, SES-2, SES-6).

The RemoteStartTransaction carries only connector and tag; the session it opens is found by
them, within ``START_REQUEST_MINUTES`` of the request, and takes over the request's source
and logbook entry. One indexed query per StartTransaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import StartRequest

START_REQUEST_MINUTES = 5


def start_request_for(charge_point_pk: int, connector_id: int, id_tag: str) -> StartRequest | None:
    since = timezone.now() - timedelta(minutes=START_REQUEST_MINUTES)
    return (
        StartRequest.objects.filter(charge_point_id=charge_point_pk, connector_id=connector_id,
                                    id_tag__iexact=id_tag, session__isnull=True, created_at__gte=since)
        .order_by("-created_at").first()
    )
