"""RES-4 over a real charger websocket: three drivers queue while the group's charger is
busy; its StatusNotification Available offers it to the first, who alone is accepted there
during the hold; the hold times out and the second gets it, and is served by starting."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async as db
from django.core import mail
from django.utils import timezone

from groups import waitlist
from groups.models import WaitlistEntry
from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

Status = WaitlistEntry.Status


def now_iso():
    return timezone.now().isoformat().replace("+00:00", "Z")


def statuses(entries):
    for entry in entries:
        entry.refresh_from_db()
    return [entry.status for entry in entries]


async def authorize(comm, id_tag):
    return (await call(comm, "Authorize", {"idTag": id_tag}))[2]["idTagInfo"]["status"]


async def test_order_hold_timeout_and_service_through_the_gateway(group, group_charger, drivers):
    # The charger is offline: the group is busy, all three queue in this order.
    entries = [(await db(waitlist.waitlist_join)(user=user, group=group)).entry for user in drivers]
    assert [e.status for e in entries] == [Status.WAITING] * 3

    comm = await booted("CP-GROUP")
    for connector in (0, 2):  # connector 2 stays occupied
        status = "Available" if connector == 0 else "Charging"
        await call(comm, "StatusNotification", {"connectorId": connector, "errorCode": "NoError", "status": status})
    assert await db(statuses)(entries) == [Status.WAITING] * 3

    # Connector 1 frees up: the first in line is offered the charger, in the app and by e-mail.
    answer = await call(comm, "StatusNotification", {
        "connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": now_iso()})
    assert answer[2] == {}
    assert await db(statuses)(entries) == [Status.OFFERED, Status.WAITING, Status.WAITING]
    first = entries[0]
    assert first.offered_charge_point_id == group_charger.pk
    assert first.hold_until - first.offered_at == timedelta(minutes=5)
    assert [m.to for m in mail.outbox] == [["member@example.com"]]

    # During the hold only the first driver is accepted at this charger.
    assert await authorize(comm, "MEMBER1") == "Accepted"
    assert await authorize(comm, "ANNA1") == "Invalid"
    assert await authorize(comm, "BEN1") == "Invalid"

    # The hold runs out unused (moved into the past): the tick passes the charger on.
    await db(WaitlistEntry.objects.filter(pk=first.pk).update)(
        offered_at=timezone.now() - timedelta(minutes=6), hold_until=timezone.now() - timedelta(seconds=1))
    result = await db(waitlist.waitlist_tick)()
    assert result == {"served": 0, "expired": 1, "offered": 1}
    assert await db(statuses)(entries) == [Status.EXPIRED, Status.OFFERED, Status.WAITING]
    assert entries[1].offered_charge_point_id == group_charger.pk
    assert await authorize(comm, "MEMBER1") == "Invalid"
    assert await authorize(comm, "ANNA1") == "Accepted"

    # Anna starts charging there: served, and the third driver keeps waiting.
    started = await call(comm, "StartTransaction", {
        "connectorId": 1, "idTag": "ANNA1", "meterStart": 1000, "timestamp": now_iso()})
    assert started[2]["idTagInfo"]["status"] == "Accepted"
    await call(comm, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Charging"})
    result = await db(waitlist.waitlist_tick)()
    assert result == {"served": 1, "expired": 0, "offered": 0}
    assert await db(statuses)(entries) == [Status.EXPIRED, Status.SERVED, Status.WAITING]
    await comm.disconnect()
