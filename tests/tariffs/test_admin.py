"""Staff edit a tariff's time-of-use periods inline in the admin, under the same rules (TAR-1)."""

import pytest

pytestmark = pytest.mark.django_db


def admin_data(tariff, *periods):
    data = {
        "owner": tariff.owner_id, "name": tariff.name, "currency": "EUR", "connection_fee": "1",
        "price_per_kwh": "0.3", "time_fee_per_hour": "0", "parking_fee_per_hour": "0",
        "parking_grace_minutes": "0", "min_price": "", "max_price": "",
        "periods-TOTAL_FORMS": str(len(periods)), "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0", "periods-MAX_NUM_FORMS": "1000",
    }
    for i, (days, start, end) in enumerate(periods):
        data.update({f"periods-{i}-weekdays": days, f"periods-{i}-start_time": start,
                     f"periods-{i}-end_time": end, f"periods-{i}-price_per_kwh": "0.4"})
    return data


def test_admin_refuses_overlapping_periods(client, staff, peak_tariff):
    client.force_login(staff)
    url = f"/admin/groups/tariff/{peak_tariff.pk}/change/"
    assert client.get(url).status_code == 200
    peak_tariff.periods.all().delete()
    r = client.post(url, admin_data(peak_tariff, ("01234", "18:00", "22:00"), ("4", "21:00", "23:00")))
    assert r.status_code == 200 and "overlaps period 1" in r.content.decode()
    assert peak_tariff.periods.count() == 0
    r = client.post(url, admin_data(peak_tariff, ("01234", "18:00", "22:00"), ("56", "00:00", "00:00")))
    assert r.status_code == 302 and peak_tariff.periods.count() == 2
