"""TAG-1 over a real charger websocket: the next unknown card at the chosen charger within
60 seconds becomes the user's; nothing else is bound."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from channels.layers import get_channel_layer
from django.utils import timezone

from chargers import tags as tag_services
from chargers.models import ChargePoint, IdTag, TagEnrolment
from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]



async def authorize(comm, id_tag):
    answer = await call(comm, "Authorize", {"idTag": id_tag})
    assert answer[0] == 3, answer
    return answer[2]["idTagInfo"]["status"]


async def start(user, cp):
    cp = await db(ChargePoint.objects.get)(pk=cp.pk)
    return await db(tag_services.enrolment_start)(user=user, charge_point=cp, alias="Blue card")


async def test_unknown_card_in_the_window_is_bound_and_accepted(owner, charger):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(f"live.user.{owner.pk}", channel)
    comm = await booted("CP-HOME")
    enrolment = await start(owner, charger)
    assert await authorize(comm, "04A1B2C3D4") == "Accepted"
    tag = await db(IdTag.objects.get)(id_tag="04A1B2C3D4")
    assert (tag.user_id, tag.kind, tag.alias, tag.is_favourite) == (owner.pk, "physical", "Blue card", True)
    enrolment = await db(TagEnrolment.objects.get)(pk=enrolment.pk)
    assert enrolment.id_tag_id == tag.pk
    # The page hears of it at once.
    while True:
        message = await layer.receive(channel)
        if message.get("event") == "tag_enrolled":
            break
    assert message["enrolment"] == enrolment.pk and message["id_tag"] == "04A1B2C3D4"
    # The window is used up: the next unknown card is refused and stays unknown.
    assert await authorize(comm, "04FFFFFFFF") == "Invalid"
    assert not await db(IdTag.objects.filter(id_tag="04FFFFFFFF").exists)()
    # The bound card now works like any tag of the owner.
    assert await authorize(comm, "04a1b2c3d4") == "Accepted"
    await comm.disconnect()


async def test_after_the_window_the_card_is_invalid(owner, charger):
    comm = await booted("CP-HOME")
    enrolment = await start(owner, charger)
    await db(TagEnrolment.objects.filter(pk=enrolment.pk).update)(expires_at=timezone.now() - timedelta(seconds=1))
    assert await authorize(comm, "04A1B2C3D4") == "Invalid"
    assert not await db(IdTag.objects.filter(id_tag="04A1B2C3D4").exists)()
    await comm.disconnect()


async def test_cancelled_enrolment_binds_nothing(owner, charger):
    comm = await booted("CP-HOME")
    enrolment = await start(owner, charger)
    await db(tag_services.enrolment_cancel)(enrolment=enrolment)
    assert await authorize(comm, "04A1B2C3D4") == "Invalid"
    assert not await db(IdTag.objects.exists)()
    await comm.disconnect()


async def test_a_card_at_another_charger_is_invalid(owner, charger, group_charger):
    home = await booted("CP-HOME")
    other = await booted("CP-GROUP")
    await start(owner, charger)
    assert await authorize(other, "04A1B2C3D4") == "Invalid"
    assert not await db(IdTag.objects.exists)()
    await home.disconnect()
    await other.disconnect()


async def test_a_known_tag_is_never_rebound(owner, charger, tags):
    comm = await booted("CP-HOME")
    enrolment = await start(owner, charger)
    # The member's tag has no right here: refused, still the member's, window still open.
    assert await authorize(comm, "member1") == "Invalid"
    tag = await db(IdTag.objects.get)(pk=tags["member"].pk)
    assert tag.user_id == tags["member"].user_id
    enrolment = await db(TagEnrolment.objects.get)(pk=enrolment.pk)
    assert enrolment.id_tag_id is None
    # The owner's own known tag is accepted as before, nothing is bound.
    assert await authorize(comm, "OWNER1") == "Accepted"
    assert (await db(TagEnrolment.objects.get)(pk=enrolment.pk)).id_tag_id is None
    await comm.disconnect()
