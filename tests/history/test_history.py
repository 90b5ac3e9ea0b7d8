"""SES-4 reads: filters by month, charger, tag and whose sessions; month navigation and
totals; a session's figures (cost per kWh, meter readings, power); the power curve from W, kW
or per-phase samples, or from the energy register when the charger sends no power."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from chargers.models import ChargePoint
from sessions_app import history, services
from sessions_app.history import HistoryFilters
from sessions_app.models import ChargingSession, MeterValue
from tests.factories.chargers import ChargePointFactory, IdTagFactory
from tests.history.conftest import at, charge, iso
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def names(qs):
    return sorted(qs.values_list("pk", flat=True))


def keys(world, *names_):
    return sorted(world[n].pk for n in names_)


# --- Filters ---------------------------------------------------------------------------------


def test_the_owner_sees_their_sessions_and_those_on_their_chargers_by_month(history_world, owner):
    march = history.history_sessions(owner, HistoryFilters(month=MARCH))
    assert names(march) == keys(history_world, "owner_mar", "owner_mar2", "guest_mar", "member_mar", "owner_group")
    # Newest first.
    assert [s.started_at.day for s in march] == [20, 5, 4, 3, 2]


def test_month_bounds_follow_the_current_time_zone(charger, tags):
    # 23:30 UTC on 31 March is already April in Berlin.
    late = charge(charger, "OWNER1", at("2026-03-31", 23).replace(minute=30), minutes=20)
    owner = late.user
    assert names(history.history_sessions(owner, HistoryFilters(month=MARCH))) == []
    assert names(history.history_sessions(owner, HistoryFilters(month=date(2026, 4, 1)))) == [late.pk]


def test_filter_by_charger_and_by_tag(history_world, owner, group_charger, tags):
    by_charger = history.history_sessions(owner, HistoryFilters(month=MARCH, charger=group_charger))
    assert names(by_charger) == keys(history_world, "member_mar", "owner_group")
    by_tag = history.history_sessions(owner, HistoryFilters(month=MARCH, tag=tags["guest"]))
    assert names(by_tag) == keys(history_world, "guest_mar")
    every_month = history.history_sessions(owner, HistoryFilters(tag=tags["member"]))
    assert names(every_month) == keys(history_world, "member_mar", "member_feb")


def test_scope_mine_and_on_my_chargers(history_world, owner, member, org_charger):
    mine = history.history_sessions(owner, HistoryFilters(scope="mine"))
    assert names(mine) == keys(history_world, "owner_mar", "owner_mar2", "owner_jan", "owner_group")
    on_my_chargers = history.history_sessions(owner, HistoryFilters(scope="chargers"))
    assert names(on_my_chargers) == sorted(s.pk for s in history_world.values())
    # A member owns no charger: nothing "on my chargers", and the toggle is not offered.
    assert names(history.history_sessions(member, HistoryFilters(scope="chargers"))) == []
    assert history.history_filter_options(member).scopes == []
    assert [k for k, _label in history.history_filter_options(owner).scopes] == ["all", "mine", "chargers"]


def test_filters_are_parsed_and_checked_against_what_the_user_sees(history_world, owner, member, tags,
                                                                    group_charger, charger, org_charger):
    parsed = history.history_filters_parse(owner, {"month": "2026-03", "charger": "CP-GROUP",
                                                   "tag": str(tags["member"].pk), "scope": "chargers"})
    assert parsed == HistoryFilters(month=MARCH, charger=group_charger, tag=tags["member"], scope="chargers")
    assert parsed.as_params() == {"month": "2026-03", "charger": "CP-GROUP", "tag": str(tags["member"].pk),
                                  "scope": "chargers"}
    with pytest.raises(DomainError) as bad:
        history.history_filters_parse(member, {"month": "2026-13", "charger": "CP-HOME",
                                               "tag": str(tags["owner"].pk), "scope": "everyone"})
    assert bad.value.code == "invalid_filter" and bad.value.status == 400
    assert set(bad.value.fields) == {"month", "charger", "tag", "scope"}
    # The same answer for a charger that exists (the owner's) and one that does not.
    for unknown in ("CP-HOME", "CP-NOPE"):
        with pytest.raises(DomainError) as err:
            history.history_filters_parse(member, {"charger": unknown})
        assert err.value.fields == {"charger": ["No such charger among your sessions."]}
    # Member sees their group charger (rights today) and their own tag.
    assert history.history_filters_parse(member, {"charger": "CP-GROUP", "tag": str(tags["member"].pk)})


def test_a_guest_whose_share_ended_still_filters_by_that_charger(history_world, guest, share, tags):
    share.expires_at = timezone.now() - timedelta(days=1)
    share.save()
    filters = history.history_filters_parse(guest, {"charger": "CP-HOME", "tag": str(tags["guest"].pk)})
    assert names(history.history_sessions(guest, filters)) == keys(history_world, "guest_mar")


def test_filter_options_are_the_chargers_and_tags_of_visible_sessions(history_world, owner, member, tags):
    options = history.history_filter_options(member)
    assert [cp.charge_point_id for cp in options.chargers] == ["CP-GROUP"]
    assert [t.id_tag for t in options.tags] == ["MEMBER1"]
    options = history.history_filter_options(owner)
    assert [cp.charge_point_id for cp in options.chargers] == ["CP-HOME", "CP-GROUP"]  # by name: Home, Residence
    assert [t.id_tag for t in options.tags][0] == "OWNER1"  # own tags first
    assert {t.id_tag for t in options.tags} == {"OWNER1", "MEMBER1", "GUEST1"}


# --- Months ----------------------------------------------------------------------------------


def test_months_with_sessions_newest_first(history_world, owner, member):
    assert history.history_months(history.history_sessions(owner, HistoryFilters())) == [
        date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1)]
    assert history.history_months(history.history_sessions(member, HistoryFilters())) == [
        date(2026, 3, 1), date(2026, 2, 1)]


def test_month_navigation_defaults_and_neighbours():
    months = [date(2026, 3, 1), date(2026, 1, 1)]
    # The current month has no session: the latest month with sessions is shown.
    nav = history.month_navigation(months, None, today=date(2026, 5, 20))
    assert nav.month == date(2026, 3, 1)
    assert nav.previous == date(2026, 1, 1)  # February is empty: skipped
    assert nav.next == date(2026, 5, 1)  # the current month
    assert nav.months == [date(2026, 5, 1), date(2026, 3, 1), date(2026, 1, 1)]
    # The current month has sessions: it is the default.
    nav = history.month_navigation([date(2026, 5, 1), *months], None, today=date(2026, 5, 20))
    assert nav.month == date(2026, 5, 1) and nav.next is None and nav.previous == date(2026, 3, 1)
    # No session at all: the current month, nowhere to go.
    nav = history.month_navigation([], None, today=date(2026, 5, 20))
    assert (nav.month, nav.previous, nav.next, nav.months) == (date(2026, 5, 1), None, None, [date(2026, 5, 1)])
    # An empty month asked for is shown, between its neighbours.
    nav = history.month_navigation(months, date(2026, 2, 1), today=date(2026, 5, 20))
    assert (nav.previous, nav.next) == (date(2026, 1, 1), date(2026, 3, 1))
    assert date(2026, 2, 1) in nav.months


def test_month_parse():
    assert history.month_parse("2026-03") == MARCH
    for bad in ("2026-3", "03-2026", "2026-00", "1999-12", "march"):
        with pytest.raises(DomainError):
            history.month_parse(bad)


def test_month_totals_sum_energy_and_cost_per_currency(history_world, owner, member):
    totals = history.history_totals(history.history_sessions(owner, HistoryFilters(month=MARCH)))
    assert totals.sessions == 5 and totals.active == 0
    assert totals.energy_kwh == D("31.000")  # 10 + 5 + 4 + 10 + 2
    # Only the group charger has a tariff: 4.00 (member) + 1.60 (owner).
    assert [(c.currency, c.amount, c.display) for c in totals.costs] == [("EUR", D("5.60"), "5.60 EUR")]
    feb = history.history_totals(history.history_sessions(member, HistoryFilters(month=date(2026, 2, 1))))
    assert (feb.sessions, feb.energy_kwh, [c.display for c in feb.costs]) == (1, D("20.000"), ["7.00 EUR"])


def test_totals_keep_currencies_apart_and_count_running_sessions_without_cost(
        history_world, owner, group_charger, tags):
    tariff = group_charger.group_link.group.tariff
    tariff.currency = "CHF"
    tariff.save()
    charge(group_charger, "OWNER1", at("2026-03-25"), energy_wh=10000, meter_start=60000)
    charge(group_charger, "OWNER1", at("2026-03-26"), energy_wh=3000, meter_start=80000, connector=2, stop=False)
    totals = history.history_totals(history.history_sessions(owner, HistoryFilters(month=MARCH)))
    assert [c.display for c in totals.costs] == ["4.00 CHF", "5.60 EUR"]
    assert totals.sessions == 7 and totals.active == 1
    assert totals.energy_kwh == D("42.500")  # 31 + 10 + 1.5 so far (the half-way sample)


# --- A session's figures ---------------------------------------------------------------------


def test_figures_of_a_finished_session(group_charger, tags):
    # The worked example of the tariff: 35.13 kWh × 0.30 = 10.54 EUR + 1.00 EUR = 11.54 EUR.
    session = charge(group_charger, "MEMBER1", at("2026-03-01"), minutes=120, energy_wh=35130, power_w=22000)
    figures = history.session_figures(session)
    assert figures.total_cost == D("11.54") and figures.total_cost_display == "11.54 EUR"
    assert figures.cost_per_kwh == D("0.33")  # 11.54 / 35.13 = 0.3285 → 0.33
    assert figures.cost_per_kwh_display == "0.33 EUR/kWh"
    assert (figures.meter_start_kwh, figures.meter_stop_kwh, figures.energy_kwh) == (D("1.000"), D("36.130"),
                                                                                       D("35.130"))
    assert figures.max_power_kw == D("22.00")
    assert figures.average_power_kw == D("17.57")  # 35.13 kWh in 2 h
    assert figures.plug_in == session.started_at and figures.plug_out == session.stopped_at
    assert figures.duration_text == "2 h 00 min"


def test_plug_out_is_the_unplug_time_when_the_charger_reports_it(charger, tags):
    session = charge(charger, "OWNER1", at("2026-03-01"))
    unplugged = session.stopped_at + timedelta(minutes=25)
    services.session_status_event(charge_point_pk=charger.pk, connector_id=1, status="Available",
                                  previous="Finishing", at=unplugged)
    session.refresh_from_db()
    assert history.session_figures(session).plug_out == unplugged


def test_figures_of_a_running_session(charger, tags):
    session = charge(charger, "OWNER1", timezone.now() - timedelta(minutes=30), stop=False)
    figures = history.session_figures(session)
    assert figures.active and figures.plug_out is None and figures.meter_stop_kwh is None
    assert figures.total_cost is None and figures.cost_per_kwh is None and figures.energy_kwh == D("5.000")
    assert history.duration_text(timedelta(minutes=45)) == "45 min"


def test_stop_reasons_read_as_text():
    assert history.stop_reason_label("EVDisconnected") == "Vehicle disconnected"
    assert history.stop_reason_label("VendorThing") == "VendorThing"
    assert history.stop_reason_label("") == ""


# --- Power curve -----------------------------------------------------------------------------


@pytest.fixture
def bare_session(charger, tags):
    """A session with no samples yet: 10:00–11:00 UTC, meter 0 → 11,000 Wh."""
    session = ChargingSession.objects.create(
        charge_point=charger, connector_id=1, id_tag="OWNER1", started_at=at("2026-03-01"), meter_start=0,
        stopped_at=at("2026-03-01", 11), meter_stop=11000, status=ChargingSession.Status.COMPLETED)
    return session


def sample(session, minute, measurand, value, unit="", phase="", location=""):
    MeterValue.objects.create(charge_point=session.charge_point, connector_id=1, session=session,
                              timestamp=session.started_at + timedelta(minutes=minute), measurand=measurand,
                              value=value, unit=unit, phase=phase, location=location)


def curve(session):
    result = history.power_curve(session)
    return result.source, [(int((p.t - session.started_at).total_seconds() // 60), p.kw) for p in result.points]


def test_power_curve_from_power_samples_in_w_and_kw(bare_session):
    sample(bare_session, 10, "Power.Active.Import", 7200, "W")
    sample(bare_session, 20, "Power.Active.Import", 11.04, "kW")
    sample(bare_session, 30, "Power.Active.Import", 3500)  # no unit: W
    sample(bare_session, 30, "Energy.Active.Import.Register", 5000, "Wh")
    assert curve(bare_session) == ("power", [(10, 7.2), (20, 11.04), (30, 3.5)])
    assert history.power_curve(bare_session).max_kw == 11.04


def test_power_curve_sums_phases_when_only_phases_are_sent(bare_session):
    for phase, watts in (("L1", 3680), ("L2", 3700), ("L3", 3620)):
        sample(bare_session, 10, "Power.Active.Import", watts, "W", phase=phase)
    for phase in ("L1-N", "L2-N", "L3-N"):
        sample(bare_session, 20, "Power.Active.Import", 2.3, "kW", phase=phase)
    # The whole charger's value wins over its phases at the same time.
    sample(bare_session, 30, "Power.Active.Import", 11000, "W")
    sample(bare_session, 30, "Power.Active.Import", 5000, "W", phase="L1")
    # Not the charger's outlet: the grid inlet and the car's own reading are left out.
    sample(bare_session, 40, "Power.Active.Import", 99000, "W", location="Inlet")
    sample(bare_session, 40, "Power.Active.Import", 99000, "W", location="EV")
    assert curve(bare_session) == ("power", [(10, 11.0), (20, 6.9), (30, 11.0)])


def test_power_curve_falls_back_to_the_energy_register(bare_session):
    sample(bare_session, 15, "Energy.Active.Import.Register", 2750, "Wh")  # 11 kW for 15 min
    sample(bare_session, 30, "Energy.Active.Import.Register", 4.0, "kWh")  # 5 kW
    sample(bare_session, 30, "Current.Import", 16, "A", phase="L1")
    # … then to the meter stop (11,000 Wh) at 11:00: 7 kWh in 30 min = 14 kW.
    source, points = curve(bare_session)
    assert source == "energy"
    assert points == [(0, 11.0), (15, 11.0), (30, 5.0), (60, 14.0)]


def test_power_curve_of_a_session_without_readings_is_empty(bare_session):
    bare_session.meter_stop = None
    bare_session.stopped_at = None
    bare_session.save()
    assert curve(bare_session) == ("", [])


def test_long_curves_are_thinned_for_the_chart(bare_session):
    MeterValue.objects.bulk_create([
        MeterValue(charge_point=bare_session.charge_point, connector_id=1, session=bare_session,
                   timestamp=bare_session.started_at + timedelta(seconds=2 * i), measurand="Power.Active.Import",
                   value=1000 * (i % 2) + 6000, unit="W")
        for i in range(1440)
    ])
    points = history.power_curve(bare_session).points
    assert len(points) == history.MAX_POINTS  # 1,440 samples in pairs
    assert all(p.kw == 6.5 for p in points)  # runs of alternating 6 and 7 kW, averaged
    assert points == sorted(points, key=lambda p: p.t)


def test_power_curve_of_a_session_driven_through_the_services(group_charger, tags):
    session = charge(group_charger, "MEMBER1", at("2026-03-01"), power_w=7400)
    services.meter_values_store(items=[(group_charger.pk, {"connectorId": 1, "transactionId": session.pk,
                                        "meterValue": [{"timestamp": iso(at("2026-03-01", 12)), "sampledValue": [
                                            {"value": "3.7", "measurand": "Power.Active.Import", "unit": "kW"}]}]})])
    assert curve(session) == ("power", [(30, 7.4), (120, 3.7)])


def test_a_session_on_another_charger_with_the_same_tag_is_not_mixed_in(history_world, owner):
    other = ChargePointFactory(charge_point_id="CP-ELSEWHERE", owner=owner)
    IdTagFactory(id_tag="LOOSE1")
    charge(other, "LOOSE1", at("2026-03-07"))
    assert ChargePoint.objects.filter(charge_point_id="CP-ELSEWHERE").exists()
    march = history.history_sessions(owner, HistoryFilters(month=MARCH))
    assert march.count() == 6  # the owner's own charger: an unknown tag's session is theirs to see
    assert march.filter(charge_point=other).get().user is None
