"""Constructed data for the dashboard (DASH-2): sessions, power samples and bookings on the
personas' chargers, on days fixed relative to today (local time, Europe/Berlin)."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from chargers.models import Connector
from groups.models import Booking
from sessions_app.models import ChargingSession, MeterValue


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), timezone.get_current_timezone())


def make_session(cp, tag, started_at, *, user=None, active=False, power_w=None, connector=1):
    return ChargingSession.objects.create(
        charge_point=cp, connector_id=connector, id_tag=tag.id_tag, tag=tag, user=user or tag.user,
        started_at=started_at, meter_start=0,
        status=ChargingSession.Status.ACTIVE if active else ChargingSession.Status.COMPLETED,
        stopped_at=None if active else started_at + timedelta(hours=1),
        meter_stop=None if active else 5000, current_power_w=power_w,
    )


def sample(session, at, value, *, unit="W", phase="", location=""):
    return MeterValue.objects.create(
        charge_point=session.charge_point, connector_id=session.connector_id, session=session, timestamp=at,
        measurand="Power.Active.Import", unit=unit, phase=phase, location=location, value=value,
    )


@pytest.fixture
def dash_world(world, charger, group_charger, org_charger, tags, owner, member, operator):
    """CP-HOME online, CP-GROUP offline, CP-ORG never seen. Sessions: three on CP-HOME two
    days ago, one active now (7.4 kW); one of the member's on CP-GROUP yesterday; one on
    CP-ORG (another tenant) two days ago, active at 11 kW. Bookings on CP-GROUP."""
    now = timezone.now()
    charger.is_online, charger.last_seen_at = True, now
    charger.save(update_fields=["is_online", "last_seen_at"])
    group_charger.last_seen_at = now - timedelta(days=1)
    group_charger.save(update_fields=["last_seen_at"])
    Connector.objects.filter(charge_point=charger, connector_id=1).update(
        status=Connector.Status.CHARGING, status_changed_at=now)
    Connector.objects.filter(charge_point=charger, connector_id=2).update(
        status=Connector.Status.FAULTED, error_code=Connector.ErrorCode.GROUND_FAILURE, status_changed_at=now)
    today = timezone.localdate()
    two_days_ago, yesterday = today - timedelta(days=2), today - timedelta(days=1)
    s = {
        "home1": make_session(charger, tags["owner"], local(two_days_ago, 8)),
        "home2": make_session(charger, tags["guest"], local(two_days_ago, 18)),
        "home3": make_session(charger, tags["owner"], local(two_days_ago, 0, 30)),
        "active": make_session(charger, tags["owner"], now - timedelta(minutes=30), active=True, power_w=7400),
        "group": make_session(group_charger, tags["member"], local(yesterday, 9)),
        "org": make_session(org_charger, tags["outsider"], local(two_days_ago, 10), user=operator,
                            active=True, power_w=11000, connector=2),
    }
    group = group_charger.group_link.group
    bookings = {
        "member": Booking.objects.create(group=group, charge_point=group_charger, connector_id=1, user=member,
                                         starts_at=local(yesterday, 10), ends_at=local(yesterday, 11)),
        "owner": Booking.objects.create(group=group, charge_point=group_charger, connector_id=1, user=owner,
                                        starts_at=local(today, 14), ends_at=local(today, 15)),
        "cancelled": Booking.objects.create(group=group, charge_point=group_charger, connector_id=1, user=owner,
                                            starts_at=local(today, 16), ends_at=local(today, 17),
                                            status=Booking.Status.CANCELLED),
    }
    return {"sessions": s, "bookings": bookings, "today": today, "yesterday": yesterday,
            "two_days_ago": two_days_ago}
