"""SES-7: the portal sessions table: filters, page sizes, remembered columns, sorting, export
(CSV and XLSX of what is shown) and who sees which rows."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from sessions_app import portal

pytestmark = pytest.mark.django_db

TABLE = reverse("portal:sessions")


def rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="session-row" data-session="(\d+)"', response.content.decode())]


def headers(response) -> list[str]:
    return re.findall(r'<th [^>]*data-col="(\w+)"', response.content.decode())


def test_needs_login(client):
    response = client.get(TABLE)
    assert response.status_code == 302


def test_owner_sees_sessions_on_their_chargers_newest_first(client, owner, sessions_world):
    w = sessions_world
    client.force_login(owner)
    response = client.get(TABLE)
    assert response.status_code == 200
    assert rows(response) == [w[k].pk for k in ("active", "owner_mar2", "guest_mar", "owner_group", "member_mar",
                                                "owner_mar", "member_feb", "owner_jan")]
    assert headers(response) == portal.DEFAULT_COLUMNS


@pytest.mark.parametrize(("persona", "visible"), [
    ("owner", {"owner_mar", "owner_mar2", "owner_jan", "guest_mar", "member_mar", "member_feb", "owner_group",
               "active"}),
    ("member", {"member_mar", "member_feb"}),
    ("guest", {"guest_mar"}),
    ("outsider", {"org"}),  # their own tag, on the organisation's charger
    ("operator", {"org"}),
])
def test_each_persona_sees_only_their_rows(client, personas, sessions_world, persona, visible):
    client.force_login(personas[persona])
    assert set(rows(client.get(TABLE, {"per_page": 50}))) == {sessions_world[k].pk for k in visible}


def test_staff_see_everything(client, staff, sessions_world):
    client.force_login(staff)
    assert len(rows(client.get(TABLE, {"per_page": 50}))) == len(sessions_world)


def test_filters(client, owner, sessions_world):
    w = sessions_world
    client.force_login(owner)
    assert set(rows(client.get(TABLE, {"charge_point": "group"}))) == {
        w["member_mar"].pk, w["member_feb"].pk, w["owner_group"].pk}
    assert set(rows(client.get(TABLE, {"by": "tag", "q": "guest"}))) == {w["guest_mar"].pk}
    assert rows(client.get(TABLE, {"by": "session", "q": str(w["owner_jan"].pk)})) == [w["owner_jan"].pk]
    assert rows(client.get(TABLE, {"by": "status", "q": "Charging"})) == [w["active"].pk]
    assert rows(client.get(TABLE, {"by": "status", "q": "active"})) == [w["active"].pk]
    period = {"start_from": "2026-03-01T00:00", "start_to": "2026-03-04T23:59"}
    assert set(rows(client.get(TABLE, period))) == {w["owner_mar"].pk, w["member_mar"].pk, w["owner_group"].pk}


def test_bad_filters_are_form_errors(client, owner, sessions_world):
    client.force_login(owner)
    for params in ({"by": "session", "q": "abc"}, {"by": "status", "q": "flying"},
                   {"start_from": "2026-03-05T00:00", "start_to": "2026-03-01T00:00"}, {"start_from": "yesterday"}):
        response = client.get(TABLE, params)
        assert response.status_code == 200
        assert rows(response) == [] and 'data-testid="filter-error"' in response.content.decode(), params


def test_another_tenants_session_id_is_not_found_by_the_filter(client, member, sessions_world):
    client.force_login(member)
    assert rows(client.get(TABLE, {"by": "session", "q": str(sessions_world["owner_mar"].pk)})) == []


def test_page_size_is_applied_and_remembered(client, owner, sessions_world):
    client.force_login(owner)
    assert len(rows(client.get(TABLE, {"per_page": 10}))) == 8
    response = client.get(TABLE, {"per_page": "30"})
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["per_page"] == 30
    assert '<option value="30" selected>' in response.content.decode()
    assert '<option value="30" selected>' in client.get(TABLE).content.decode()
    client.get(TABLE, {"per_page": "33"})  # not offered: ignored
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["per_page"] == 30


def test_pagination(client, owner, sessions_world):
    client.force_login(owner)
    User.objects.filter(pk=owner.pk).update(portal_preferences={"sessions": {"per_page": 10}})
    from sessions_app.models import ChargingSession
    from tests.history.conftest import at, charge

    for day in range(1, 10):
        charge(sessions_world["owner_mar"].charge_point, "OWNER1", at(f"2025-12-{day:02d}"), meter_start=day * 100000)
    assert ChargingSession.objects.filter(charge_point__owner=owner).count() == 17
    first, second = client.get(TABLE), client.get(TABLE, {"page": 2})
    assert len(rows(first)) == 10 and len(rows(second)) == 7
    assert not set(rows(first)) & set(rows(second))


def test_columns_are_chosen_and_remembered(client, owner, sessions_world):
    client.force_login(owner)
    response = client.post(reverse("portal:sessions_columns"), {
        "columns": ["id", "charge_point", "city", "costs_per_kwh", "total_costs", "employee_number"],
        "next": TABLE + "?charge_point=GROUP"})
    assert response.status_code == 302 and response["Location"] == TABLE + "?charge_point=GROUP"
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["columns"] == [
        "id", "charge_point", "city", "employee_number", "costs_per_kwh", "total_costs"]
    response = client.get(TABLE, {"charge_point": "GROUP"})
    assert headers(response) == ["id", "charge_point", "city", "employee_number", "costs_per_kwh", "total_costs"]
    page = response.content.decode()
    assert "0.30 EUR" in page and "4.00 EUR" in page
    # Nothing chosen: refused, the choice kept. Reset: the defaults.
    client.post(reverse("portal:sessions_columns"), {"columns": []})
    owner.refresh_from_db()
    assert len(owner.portal_preferences["sessions"]["columns"]) == 6
    client.post(reverse("portal:sessions_columns"), {"reset": "1"})
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["columns"] == portal.DEFAULT_COLUMNS
    client.post(reverse("portal:sessions_columns"), {"columns": ["id", "bogus"]})
    owner.refresh_from_db()
    assert owner.portal_preferences["sessions"]["columns"] == portal.DEFAULT_COLUMNS


def test_every_column_renders(client, owner, sessions_world):
    client.force_login(owner)
    User.objects.filter(pk=owner.pk).update(portal_preferences={"sessions": {"columns": portal.ALL_COLUMNS}})
    response = client.get(TABLE)
    assert response.status_code == 200
    assert headers(response) == portal.ALL_COLUMNS


def test_sorting(client, owner, sessions_world):
    w = sessions_world
    client.force_login(owner)
    ascending = rows(client.get(TABLE, {"sort": "start"}))
    assert ascending[0] == w["owner_jan"].pk and ascending[-1] == w["active"].pk
    by_cp = rows(client.get(TABLE, {"sort": "charge_point"}))
    assert set(by_cp[:3]) == {w["member_mar"].pk, w["member_feb"].pk, w["owner_group"].pk}
    by_cost = rows(client.get(TABLE, {"sort": "-total_costs", "charge_point": "GROUP"}))
    assert by_cost == [w["member_feb"].pk, w["member_mar"].pk, w["owner_group"].pk]


def _export_settings(user):
    User.objects.filter(pk=user.pk).update(portal_preferences={"sessions": {
        "columns": ["id", "charge_point", "start", "energy", "first_name", "total_costs", "currency_code", ACTIONS]}})


ACTIONS = portal.ACTIONS


def test_csv_export_of_what_is_shown(client, owner, sessions_world):
    w = sessions_world
    client.force_login(owner)
    _export_settings(owner)
    response = client.get(reverse("portal:sessions_export", args=["csv"]), {"charge_point": "GROUP", "sort": "id"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0] == ["ID", "Charge point ID", "Start", "Charged energy (kWh)", "First name", "Total costs",
                        "Currency code"]
    ordered = sorted([w["member_mar"], w["member_feb"], w["owner_group"]], key=lambda s: s.pk)
    assert [int(r[0]) for r in table[1:]] == [s.pk for s in ordered]
    member = next(r for r in table[1:] if int(r[0]) == w["member_mar"].pk)
    assert member[1] == "CP-GROUP" and member[3] == "10.000" and member[4] == "Max"
    assert member[5] == "4.00" and member[6] == "EUR" and member[2].startswith("2026-03-03T11:00:00+01:00")


def test_xlsx_export_of_what_is_shown(client, owner, sessions_world):
    w = sessions_world
    client.force_login(owner)
    _export_settings(owner)
    response = client.get(reverse("portal:sessions_export", args=["xlsx"]), {"by": "tag", "q": "MEMBER"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="charging-sessions-')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert values[0][0] == "ID" and len(values[0]) == 7
    assert [r[0] for r in values[1:]] == [w["member_mar"].pk, w["member_feb"].pk]
    assert float(values[1][3]) == 10.0 and float(values[1][5]) == 4.0 and values[1][6] == "EUR"


def test_export_only_holds_the_users_sessions(client, member, sessions_world):
    client.force_login(member)
    response = client.get(reverse("portal:sessions_export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8")
    ids = {int(r[0]) for r in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]}
    assert ids == {sessions_world["member_mar"].pk, sessions_world["member_feb"].pk}


def test_export_with_bad_filter_or_format(client, owner, sessions_world):
    client.force_login(owner)
    assert client.get(reverse("portal:sessions_export", args=["csv"]), {"by": "session", "q": "x"}).status_code == 302
    assert client.get(reverse("portal:sessions_export", args=["pdf"])).status_code == 404
