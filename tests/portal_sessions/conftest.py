"""Sessions for the portal table tests: the history world (owner, guest, member on the owner's
chargers) plus one on the operator's organisation charger, made through the real services."""

import pytest

from tests.history.conftest import at, build_history_world, charge


@pytest.fixture
def sessions_world(world, charger, group_charger, org_charger, tags):
    sessions = build_history_world(charger, group_charger)
    sessions["org"] = charge(org_charger, "OUTSIDER1", at("2026-03-06"), energy_wh=3000)
    sessions["active"] = charge(charger, "OWNER1", at("2026-03-21"), energy_wh=1000, meter_start=16000, stop=False)
    return sessions
