"""At the charger, over a real websocket: a share's tag is Accepted until the share expires
(then Expired) and Invalid the moment the owner revokes it (CP-3, TAG-5)."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.utils import timezone

from chargers import sharing
from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]



async def authorize(comm, id_tag):
    return (await call(comm, "Authorize", {"idTag": id_tag}))[2]["idTagInfo"]


def share_for(charger, owner, seconds, tag=""):
    return sharing.share_create(
        charge_point=charger, email="friend@example.com", id_tag=tag, acting_user=owner,
        expires_at=timezone.now() + timedelta(seconds=seconds),
    ).share


async def test_share_tag_is_accepted_until_the_share_expires(charger, owner):
    share = await db(share_for)(charger, owner, 3, "CARD-1")
    comm = await booted("CP-HOME")
    info = await authorize(comm, "card-1")  # tag ids ignore case
    assert info["status"] == "Accepted"
    assert info["expiryDate"] == share.expires_at.isoformat().replace("+00:00", "Z")
    # The owner's own tag is not involved: the guest's access ends with the share.
    remaining = (share.expires_at - timezone.now()).total_seconds()
    await asyncio.sleep(max(remaining, 0) + 0.2)
    assert (await authorize(comm, "CARD-1"))["status"] == "Expired"
    start = await call(comm, "StartTransaction", {
        "connectorId": 1, "idTag": "CARD-1", "meterStart": 0, "timestamp": timezone.now().isoformat()})
    assert start[2]["idTagInfo"]["status"] != "Accepted"
    await comm.disconnect()


async def test_revoking_a_share_refuses_its_tag_at_once(charger, owner):
    share = await db(share_for)(charger, owner, 3600)
    tag = await db(lambda: share.id_tag.id_tag)()
    comm = await booted("CP-HOME")
    assert (await authorize(comm, tag))["status"] == "Accepted"
    await db(sharing.share_revoke)(share=share, acting_user=owner)
    info = await authorize(comm, tag)
    assert info["status"] == "Invalid"
    await comm.disconnect()
