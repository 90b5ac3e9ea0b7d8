"""Tariff pages (TAR-2): list with search, create and edit with periods, detail with the
groups using it, preview (whole page and htmx panel, draft values too), remove, tenancy."""

from datetime import time
from decimal import Decimal as D

import pytest
from django.urls import reverse

from groups import tariffs
from groups.models import Group, Tariff
from tests.factories.groups import GroupFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Residence", "currency": "EUR", "price_per_kwh": "0.30", "connection_fee": "1.00",
    "time_fee_per_hour": "0", "parking_fee_per_hour": "0", "parking_grace_minutes": "0",
    "min_price": "", "max_price": "",
    "periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0", "periods-MIN_NUM_FORMS": "0",
    "periods-MAX_NUM_FORMS": "1000",
}
PREVIEW = {"preview-energy_kwh": "35.13", "preview-start_date": "2026-03-02", "preview-start_time": "09:00",
           "preview-charging_minutes": "120", "preview-parked_minutes": "0"}


def with_periods(*rows, **fields):
    data = {**FORM, **fields, "periods-TOTAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"periods-{i}-{key}"] = value
    return data


PEAK_ROW = {"weekdays": ["0", "1", "2", "3", "4"], "start_time": "18:00", "end_time": "22:00",
            "price_per_kwh": "0.40", "time_fee_per_hour": ""}


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def test_list_search_and_cards(signed_in, owner, outsider, peak_tariff):
    GroupFactory(owner=owner, tariff=peak_tariff)
    tariffs.tariff_create(owner=owner, name="Weekend CHF", currency="CHF", price_per_kwh=D("0.2875"))
    tariffs.tariff_create(owner=outsider, name="Someone else's", price_per_kwh=D("1"))
    r = signed_in.get(reverse("app:tariffs"))
    html = r.content.decode()
    assert r.status_code == 200
    assert [c["tariff"].name for c in r.context["cards"]] == ["Peak evenings", "Weekend CHF"]
    assert "0.30 EUR / kWh" in html and "1.00 EUR / session" in html and "0.2875 CHF / kWh" in html
    assert "used by 1 group" in html and "1 time-of-use period" in html
    assert "Someone else" not in html
    r = signed_in.get(reverse("app:tariffs") + "?q=weekend")
    assert [c["tariff"].name for c in r.context["cards"]] == ["Weekend CHF"]
    r = signed_in.get(reverse("app:tariffs") + "?q=nothing")
    assert "No tariff matches" in r.content.decode()


def test_create_with_a_period(signed_in, owner):
    r = signed_in.post(reverse("app:tariff_create"), with_periods(PEAK_ROW))
    tariff = Tariff.objects.get()
    assert r.status_code == 302 and r.url == reverse("app:tariff_detail", args=[tariff.pk])
    assert tariff.owner == owner and tariff.price_per_kwh == D("0.30")
    assert list(tariff.periods.values_list("weekdays", "start_time", "price_per_kwh", "time_fee_per_hour")) == [
        ("01234", time(18), D("0.40"), None)]


def test_removed_and_blank_rows_are_ignored(signed_in):
    removed = {**PEAK_ROW, "DELETE": "on", "end_time": "17:00"}  # invalid, but removed
    blank = {"weekdays": ["0", "1", "2", "3", "4", "5", "6"], "start_time": "", "end_time": "", "price_per_kwh": ""}
    r = signed_in.post(reverse("app:tariff_create"), with_periods(removed, blank, PEAK_ROW))
    assert r.status_code == 302
    assert Tariff.objects.get().periods.count() == 1


def test_rule_errors_are_shown_on_the_form(signed_in):
    overlapping = {**PEAK_ROW, "weekdays": ["4"], "start_time": "21:00", "end_time": "23:00"}
    r = signed_in.post(reverse("app:tariff_create"), with_periods(
        PEAK_ROW, overlapping, min_price="10", max_price="5", price_per_kwh="0.123456"))
    assert r.status_code == 400 and Tariff.objects.count() == 0
    form, formset = r.context["form"], r.context["formset"]
    assert "max_price" in form.errors and "price_per_kwh" in form.errors
    html = r.content.decode()
    assert "The maximum per session cannot be below the minimum." in html

    r = signed_in.post(reverse("app:tariff_create"), with_periods(PEAK_ROW, overlapping))
    formset = r.context["formset"]
    assert "overlaps period 1" in formset.forms[1].errors["start_time"][0]
    r = signed_in.post(reverse("app:tariff_create"), with_periods({**PEAK_ROW, "weekdays": []}))
    assert r.context["formset"].forms[0].errors["weekdays"]


def test_edit_shows_the_values_and_replaces_the_periods(signed_in, peak_tariff):
    url = reverse("app:tariff_edit", args=[peak_tariff.pk])
    r = signed_in.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and 'value="Peak evenings"' in html
    assert 'name="periods-0-start_time" value="18:00"' in html and "periods-__prefix__-weekdays" in html
    weekend = {"weekdays": ["5", "6"], "start_time": "00:00", "end_time": "00:00", "price_per_kwh": "0.25"}
    r = signed_in.post(url, {**with_periods(weekend, name="Weekend", price_per_kwh="0.35"),
                             "periods-INITIAL_FORMS": "0"})
    assert r.status_code == 302
    peak_tariff.refresh_from_db()
    assert peak_tariff.name == "Weekend" and peak_tariff.price_per_kwh == D("0.35")
    assert list(peak_tariff.periods.values_list("weekdays", flat=True)) == ["56"]


def test_detail_shows_prices_periods_and_groups(signed_in, owner, peak_tariff):
    GroupFactory(owner=owner, name="Residence", tariff=peak_tariff)
    r = signed_in.get(reverse("app:tariff_detail", args=[peak_tariff.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Mon–Fri" in html and "18:00–22:00" in html and "0.40 EUR" in html
    assert "Residence" in html and "It is detached from the group that uses it" in html
    assert 'data-bs-target="#delete-tariff-modal"' in html


def test_preview_on_the_detail_page(signed_in, owner):
    tariff = tariffs.tariff_create(owner=owner, name="Home", price_per_kwh=D("0.30"), connection_fee=D("1"))
    url = reverse("app:tariff_detail", args=[tariff.pk])
    r = signed_in.post(url, PREVIEW)  # without JavaScript: the whole page
    assert r.status_code == 200 and "<html" in r.content.decode()
    assert r.context["preview"].total == D("11.54")
    r = signed_in.post(url, PREVIEW, headers={"HX-Request": "true"})  # the htmx panel
    html = r.content.decode()
    assert "<html" not in html and 'data-testid="preview-result"' in html
    assert "35.13 kWh" in html and "0.30 EUR/kWh" in html and "10.54 EUR" in html and "11.54 EUR" in html
    r = signed_in.post(url, {**PREVIEW, "preview-energy_kwh": "-3"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'data-testid="preview-errors"' in r.content.decode()
    assert 'data-testid="preview-result"' not in r.content.decode()


def test_the_edit_page_previews_the_values_as_typed(signed_in, peak_tariff):
    url = reverse("app:tariff_edit", args=[peak_tariff.pk])
    data = {**with_periods(PEAK_ROW, price_per_kwh="0.50"), **PREVIEW, "_preview": "1",
            "preview-start_time": "17:00"}
    r = signed_in.post(url, data, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="preview-result"' in html
    assert "0.50 EUR/kWh" in html and "0.40 EUR/kWh" in html
    peak_tariff.refresh_from_db()
    assert peak_tariff.price_per_kwh == D("0.30")  # not saved
    r = signed_in.post(url, {**data, "currency": "XXX"}, headers={"HX-Request": "true"})
    assert "Correct the tariff&#x27;s errors first." in r.content.decode() and "Currency" in r.content.decode()
    r = signed_in.post(reverse("app:tariff_create"), data)  # without JavaScript: the whole form page
    assert r.status_code == 200 and r.context["preview"] is not None and Tariff.objects.count() == 1


def test_delete_detaches_groups(signed_in, owner, peak_tariff):
    group = GroupFactory(owner=owner, tariff=peak_tariff)
    r = signed_in.post(reverse("app:tariff_delete", args=[peak_tariff.pk]), follow=True)
    assert r.redirect_chain[-1][0] == reverse("app:tariffs")
    assert "1 group no longer has a tariff" in r.content.decode()
    assert not Tariff.objects.exists() and Group.objects.get(pk=group.pk).tariff is None
    assert signed_in.get(reverse("app:tariff_delete", args=[1])).status_code == 405


def test_another_users_tariff_is_not_found(client, outsider, peak_tariff):
    client.force_login(outsider)
    for name in ("app:tariff_detail", "app:tariff_edit"):
        assert client.get(reverse(name, args=[peak_tariff.pk])).status_code == 404
    assert client.post(reverse("app:tariff_detail", args=[peak_tariff.pk]), PREVIEW).status_code == 404
    assert client.post(reverse("app:tariff_edit", args=[peak_tariff.pk]), FORM).status_code == 404
    assert client.post(reverse("app:tariff_delete", args=[peak_tariff.pk])).status_code == 404
    assert Tariff.objects.get(pk=peak_tariff.pk).name == "Peak evenings"


def test_anonymous_goes_to_sign_in(client, peak_tariff):
    r = client.get(reverse("app:tariffs"))
    assert r.status_code == 302 and "/accounts/login/" in r.url
