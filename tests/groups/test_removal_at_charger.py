"""GRP-4 at the charger, over a real websocket: the moment the owner removes a member, the
group's charger answers Invalid to the member's tag, and the platform sends it a
SendLocalList that deletes the tag from its local list (for offline authorization, TAG-5).
Joining through an invitation works the same way round."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async as db

from groups import services
from groups.models import Membership
from tests.gateway.helpers import LOCAL_LIST_ANSWERS, booted

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class Charger:
    """A connected charger that answers the platform's local-list commands and keeps them."""

    def __init__(self, comm):
        self.comm = comm
        self.local_lists: list[dict] = []
        self._ids = 0

    async def _receive(self, timeout=10):
        frame = json.loads(await self.comm.receive_from(timeout=timeout))
        if frame[0] == 2 and frame[2] in LOCAL_LIST_ANSWERS:
            if frame[2] == "SendLocalList":
                self.local_lists.append(frame[3])
            await self.comm.send_to(text_data=json.dumps([3, frame[1], LOCAL_LIST_ANSWERS[frame[2]]]))
            return None
        return frame

    async def call(self, action, payload):
        self._ids += 1
        message_id = f"grp{self._ids}"
        await self.comm.send_to(text_data=json.dumps([2, message_id, action, payload]))
        while True:
            frame = await self._receive()
            if frame is not None and frame[1] == message_id:
                return frame

    async def authorize(self, id_tag) -> str:
        return (await self.call("Authorize", {"idTag": id_tag}))[2]["idTagInfo"]["status"]

    async def wait_for_list(self, predicate, timeout=10.0):
        """Answer commands until a SendLocalList matching ``predicate`` has come."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not any(predicate(update) for update in self.local_lists):
            remaining = deadline - loop.time()
            assert remaining > 0, f"no such SendLocalList; got {self.local_lists}"
            try:
                await self._receive(timeout=min(remaining, 1))
            except TimeoutError:
                continue
        return next(update for update in self.local_lists if predicate(update))


def removes(id_tag):
    return lambda update: any(
        entry["idTag"] == id_tag and "idTagInfo" not in entry
        for entry in update.get("localAuthorizationList", [])
    ) and update["updateType"] == "Differential"


def adds(id_tag):
    return lambda update: any(
        entry["idTag"] == id_tag and entry.get("idTagInfo", {}).get("status") == "Accepted"
        for entry in update.get("localAuthorizationList", [])
    )


async def test_removed_member_is_refused_at_the_charger_at_once(world, owner, member, group_charger, tags):
    group = await db(lambda: group_charger.group_link.group)()
    charger = Charger(await booted("CP-GROUP"))
    # After the boot the charger gets its list: the member's tag is in it.
    await charger.wait_for_list(adds("MEMBER1"))
    assert await charger.authorize("MEMBER1") == "Accepted"

    await db(services.member_remove)(group=group, user=member, acting_user=owner)

    # Right away, before any list update is answered: Authorize says Invalid.
    assert await charger.authorize("MEMBER1") == "Invalid"
    start = await charger.call("StartTransaction", {
        "connectorId": 1, "idTag": "MEMBER1", "meterStart": 0, "timestamp": "2030-01-01T00:00:00Z"})
    assert start[2]["idTagInfo"]["status"] == "Invalid"
    # And the charger is told to forget the tag (a Differential entry without idTagInfo).
    update = await charger.wait_for_list(removes("MEMBER1"))
    assert update["localAuthorizationList"] == [{"idTag": "MEMBER1"}]
    assert await charger.authorize("OWNER1") == "Accepted"  # the owner's own tag is untouched
    await charger.comm.disconnect()
    assert not await db(Membership.objects.filter(user=member).exists)()


async def test_an_accepted_invitation_reaches_the_charger(world, owner, outsider, group_charger, tags):
    group = await db(lambda: group_charger.group_link.group)()
    charger = Charger(await booted("CP-GROUP"))
    await charger.wait_for_list(adds("MEMBER1"))
    assert await charger.authorize("OUTSIDER1") == "Invalid"
    result = await db(services.invitation_create)(group=group, email=outsider.email, invited_by=owner)
    await db(services.invitation_accept)(user=outsider, token=result.token)
    assert await charger.authorize("OUTSIDER1") == "Accepted"
    await charger.wait_for_list(adds("OUTSIDER1"))
    await charger.comm.disconnect()
