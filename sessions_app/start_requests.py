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
    """The request a StartTransaction answers, with its source and logbook fields loaded."""
    from .hotpath import start_request_for as latest_request  # hotpath imports the models

    since = timezone.now() - timedelta(minutes=START_REQUEST_MINUTES)
    return latest_request(charge_point_pk, connector_id, id_tag, since)
