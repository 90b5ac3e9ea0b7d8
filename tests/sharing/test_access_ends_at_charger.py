"""At the charger, over a real websocket: when an owner releases a charger or deletes their
account, their tag stops working there at once (CP-3 Delete, ACC-6, TAG-5)."""

import pytest
from channels.db import database_sync_to_async as db

from accounts.services import user_deactivate
from chargers.models import ChargePoint
from chargers.services import charger_unclaim
from tests.factories.accounts import PASSWORD
from tests.gateway.helpers import booted, call

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def authorize_status(cp_id, id_tag):
    comm = await booted(cp_id)
    status = (await call(comm, "Authorize", {"idTag": id_tag}))[2]["idTagInfo"]["status"]
    await comm.disconnect()
    return status


async def test_released_charger_refuses_its_former_owner(charger, owner, tags):
    assert await authorize_status("CP-HOME", "OWNER1") == "Accepted"
    old_code = charger.claim_code
    await db(charger_unclaim)(charge_point=charger, acting_user=owner)
    assert await authorize_status("CP-HOME", "OWNER1") == "Invalid"
    released = await db(ChargePoint.objects.get)(pk=charger.pk)
    assert released.owner_id is None and released.claim_code != old_code


async def test_deleted_account_is_blocked_at_the_charger(charger, owner, tags):
    assert await authorize_status("CP-HOME", "OWNER1") == "Accepted"
    await db(user_deactivate)(user=owner, password=PASSWORD)
    assert await authorize_status("CP-HOME", "OWNER1") == "Blocked"
