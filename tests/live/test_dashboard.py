"""DASH-1: energy per day over 7 / 30 days with the period's total kWh and total cost, the last
session, the running sessions as a bar with Stop, shortcuts; page, bar fragment and API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupCharger
from sessions_app.live import dashboard_for
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory, TariffFactory
from tests.live.helpers import online, sample, start, stop
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db


def noon(days_ago: int, hours: float = 0):
    """Local noon ``days_ago`` days back (plus ``hours``): far from the day's edges."""
    local = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    return local - timedelta(days=days_ago) + timedelta(hours=hours)


def session(cp, id_tag, days_ago, kwh, hours=2.0, meter=100_000):
    tx = start(cp, id_tag, noon(days_ago).isoformat(), meter=meter)
    stop(cp, tx, noon(days_ago, hours).isoformat(), meter + int(kwh * 1000))
    return tx


@pytest.fixture
def history(group_charger, tags, member):
    """The member's sessions at the group's charger (0.30 EUR/kWh + 1.00 EUR): 10 kWh 2 days
    ago, 20 kWh 5 days ago, 5 kWh 20 days ago, 8 kWh 40 days ago (outside both periods);
    one running since an hour (3 kWh so far)."""
    txs = {
        "two": session(group_charger, "MEMBER1", 2, 10),
        "five": session(group_charger, "MEMBER1", 5, 20),
        "twenty": session(group_charger, "MEMBER1", 20, 5),
        "forty": session(group_charger, "MEMBER1", 40, 8),
    }
    online(group_charger)
    now = timezone.now()
    txs["running"] = start(group_charger, "MEMBER1", (now - timedelta(hours=1)).isoformat(), meter=500_000)
    sample(group_charger, txs["running"], (now - timedelta(minutes=1)).isoformat(), wh=503_000, w=11000)
    return txs


def test_a_week_and_a_month_of_charging(history, member):
    week = dashboard_for(member, days=7)
    assert len(week.per_day) == 7 and week.end == timezone.localdate()
    kwh = {d.day: d.kwh for d in week.per_day}
    assert kwh[timezone.localdate() - timedelta(days=2)] == 10
    assert kwh[timezone.localdate() - timedelta(days=5)] == 20
    assert sum(kwh.values()) == pytest.approx(33)  # with the running session's 3 kWh so far
    assert week.total_kwh == pytest.approx(33) and week.sessions == 3
    # 10 kWh: 4.00, 20 kWh: 7.00, running 3 kWh: 1.90 so far.
    assert [(m.currency, m.amount, m.display) for m in week.costs] == [("EUR", Decimal("12.90"), "12.90 EUR")]
    month = dashboard_for(member, days=30)
    assert len(month.per_day) == 30 and month.total_kwh == pytest.approx(38) and month.sessions == 4
    assert month.costs[0].amount == Decimal("15.40")
    assert month.last.session.pk == history["two"]
    assert (month.last.cost_display, month.last.duration_display) == ("4.00 EUR", "2 h 00 min")
    assert [state.id for state in month.active] == [history["running"]]


def test_totals_are_kept_per_currency(member, tags, history, owner):
    chf = ChargePointFactory(charge_point_id="CP-ZURICH", name="Zurich", owner=owner)
    group = GroupFactory(owner=owner, name="Zurich", tariff=TariffFactory(owner=owner, currency="CHF"))
    GroupCharger.objects.create(group=group, charge_point=chf)
    group.memberships.create(user=member)
    session(chf, "MEMBER1", 1, 10)
    board = dashboard_for(member, days=7)
    assert [(m.currency, m.display) for m in board.costs] == [("CHF", "4.00 CHF"), ("EUR", "12.90 EUR")]


def test_whose_sessions_count(history, member, owner, outsider, staff, charger, tags):
    session(charger, "OWNER1", 1, 4)  # the owner at home, free
    # The owner sees the usage of their chargers, or only their own charging.
    everything = dashboard_for(owner, days=7)
    assert everything.total_kwh == pytest.approx(37) and everything.has_chargers
    assert [s.id for s in everything.active] == [history["running"]]
    mine = dashboard_for(owner, days=7, scope="mine")
    assert mine.total_kwh == pytest.approx(4) and mine.costs == [] and mine.active == []
    assert mine.last.cost_display == "Free"
    # Nobody else's sessions on an outsider's or staff's dashboard.
    for user in (outsider, staff):
        board = dashboard_for(user, days=30)
        assert board.total_kwh == 0 and board.sessions == 0 and board.last is None and board.active == []
    assert not dashboard_for(member, days=7).has_chargers


def test_the_dashboard_page(client, history, member):
    client.force_login(member)
    response = client.get(reverse("app:dashboard") + "?days=7")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ('data-testid="total-kwh">33.00<', "12.90 EUR", 'data-testid="total-sessions">3<',
                 "Last charging session", f'href="{reverse("app:session_detail", args=[history["two"]])}"',
                 'data-testid="last-cost">4.00 EUR<', f'href="{reverse("app:exports")}"',
                 f'href="{reverse("app:tags")}"', f'href="{reverse("app:groups")}"', "My groups", "Session export",
                 f'data-session-id="{history["running"]}"', 'data-testid="active-stop"', "Stop charging?",
                 f'action="{reverse("app:session_stop", args=[history["running"]])}"',
                 'name="next" value="/app/?days=7"', "js/session_live.js", 'data-live-charger="CP-GROUP"'):
        assert text in html, text
    assert "Only mine" not in html  # a driver without chargers has nothing to choose
    chart = response.context["chart"]
    assert len(chart["labels"]) == 7 and sum(chart["kwh"]) == pytest.approx(33)


def test_a_new_driver_sees_an_empty_dashboard(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("app:dashboard")).content.decode()
    assert "No charging session yet." in html and 'data-testid="active-session"' not in html
    assert 'data-testid="total-kwh">0.00<' in html


def test_the_bar_fragment(client, history, member, outsider):
    client.force_login(member)
    url = reverse("app:active_sessions_bar") + "?back=/app/%3Fdays%3D7"
    html = client.get(url).content.decode()
    assert 'data-fragment="bar"' in html and 'data-fragment="modals"' in html
    assert f'data-session-id="{history["running"]}"' in html and "Residence" in html and "3.00" in html
    assert 'name="next" value="/app/?days=7"' in html
    evil = client.get(reverse("app:active_sessions_bar") + "?back=https://evil.example.com/").content.decode()
    assert 'value="https://evil.example.com/"' not in evil and 'name="next" value="/app/"' in evil
    client.force_login(outsider)
    assert 'data-testid="active-session"' not in client.get(url).content.decode()


def test_the_dashboard_api(history, member, owner):
    body = app_client(member).get("/api/v1/dashboard/?days=7").json()
    assert body["days"] == 7 and body["scope"] == "all" and len(body["per_day"]) == 7
    assert body["total_kwh"] == pytest.approx(33) and body["sessions"] == 3
    assert body["costs"] == [{"currency": "EUR", "amount": "12.90", "display": "12.90 EUR"}]
    last = body["last_session"]
    assert last["id"] == history["two"] and last["energy_kwh"] == 10 and last["total_cost"] == "4.00"
    assert last["duration_seconds"] == 7200 and last["charger_name"] == "Residence"
    assert [s["id"] for s in body["active_sessions"]] == [history["running"]]
    assert app_client(member).get("/api/v1/dashboard/?days=12").json()["days"] == 30  # 7 or 30 only
    mine = app_client(owner).get("/api/v1/dashboard/?scope=mine").json()
    assert mine["scope"] == "mine" and mine["total_kwh"] == 0 and mine["last_session"] is None
