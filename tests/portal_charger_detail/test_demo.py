"""The demo data of the charge point page: an address and a picture, loaded once."""

import pytest

from chargers.charger_details import demo_charger_details
from chargers.models import ChargerPicture
from tests.factories.chargers import ChargePointFactory

pytestmark = pytest.mark.django_db


def test_demo_sites_and_picture_are_set_once(owner):
    chargers = {cp_id: ChargePointFactory(charge_point_id=cp_id, owner=owner)
                for cp_id in ("DEMO-CP-001", "DEMO-CP-002", "DEMO-CP-003")}
    demo_charger_details(chargers, owner)
    demo_charger_details(chargers, owner)
    for cp in chargers.values():
        cp.refresh_from_db()
    assert chargers["DEMO-CP-001"].street == "Lindenstraße" and chargers["DEMO-CP-002"].city == "München"
    assert chargers["DEMO-CP-003"].city == ""
    picture = ChargerPicture.objects.get()
    assert picture.charge_point == chargers["DEMO-CP-001"] and picture.image.name.endswith(".jpg")
