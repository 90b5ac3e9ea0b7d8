from datetime import time
from decimal import Decimal as D

import pytest

from groups import tariffs


@pytest.fixture
def peak_tariff(owner):
    """0.30 EUR/kWh and 1.00 EUR per session; 0.40 EUR/kWh and 2.00 EUR/h on weekdays 18:00–22:00."""
    return tariffs.tariff_create(
        owner=owner, name="Peak evenings", currency="EUR", connection_fee=D("1.00"), price_per_kwh=D("0.30"),
        time_fee_per_hour=D("0"), periods=[
            {"weekdays": "01234", "start_time": time(18), "end_time": time(22), "price_per_kwh": D("0.40"),
             "time_fee_per_hour": D("2.00")},
        ],
    )
