"""Demo data: the personas and a few months of charging sessions (idempotent).

Used by the README's run command so every dashboard and table has something real to show.
"""

from __future__ import annotations

import random
from datetime import time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

DEMO_PASSWORD = "wcc-demo-2026"  # noqa: S105 - printed by the run command, demo only

# (charge point id, OCPP password, name, owner key, connectors)
DEMO_CHARGERS = [
    ("DEMO-CP-001", "demo-cp-001-secret", "Home garage", "owner", 1),
    ("DEMO-CP-002", "demo-cp-002-secret", "Residence car park", "owner", 2),
    ("DEMO-CP-101", "demo-cp-101-secret", "Depot bay 1", "operator", 2),
    # Nobody's yet: claim it in the app with DEMO_CLAIM_CODE (CP-1).
    ("DEMO-CP-201", "demo-cp-201-secret", "", None, 1),
]
DEMO_CLAIM_CODE = "DEMO2026"
# ACC-3: a visitor without an account signs in as a guest with this e-mail and access code.
DEMO_VISITOR = {"email": "visitor@demo.wcc", "access_code": "246810", "id_tag": "DEMO-VISITOR-1"}
# GRP-3: an invitation to the demo group waiting for this address; open /invitations/<token>/.
DEMO_INVITATION = {"email": "friend@demo.wcc", "token": "demo-invitation-2026"}
DEMO_TAGS = ["DEMO-OWNER-1", "DEMO-MEMBER-1", "DEMO-GUEST-1", "DEMO-FLEET-1"]

PERSONAS = {
    "owner": {"email": "owner@demo.wcc", "first_name": "Olivia", "last_name": "Owner", "plan": "premium"},
    "member": {"email": "member@demo.wcc", "first_name": "Max", "last_name": "Member", "plan": "premium"},
    "guest": {"email": "guest@demo.wcc", "first_name": "Gina", "last_name": "Guest"},
    "operator": {"email": "operator@demo.wcc", "first_name": "Oscar", "last_name": "Operator",
                 "user_type": "operator"},
    "staff": {"email": "admin@demo.wcc", "first_name": "Sam", "last_name": "Staff"},
}


def demo_logins() -> list[tuple[str, str, str]]:
    return [(key, p["email"], DEMO_PASSWORD) for key, p in PERSONAS.items()]


@transaction.atomic
def load_demo_data(*, days: int = 90, seed: int = 7) -> dict:
    from accounts.models import Notification, Organisation, User
    from chargers.models import ChargePoint, ChargerShare, FirmwareRelease, IdTag
    from chargers.passwords import hash_secret
    from chargers.services import charger_create
    from groups.models import Booking, Group, GroupCharger, Invitation, Membership, Tariff, TariffPeriod
    from groups.services import hash_token

    organisation, _ = Organisation.objects.get_or_create(name="Demo Operator GmbH")
    users = {}
    for key, data in PERSONAS.items():
        user = User.objects.filter(email=data["email"]).first()
        if user is None:
            extra = {k: v for k, v in data.items() if k != "email"}
            if key == "staff":
                user = User.objects.create_superuser(data["email"], DEMO_PASSWORD, **extra)
            else:
                user = User.objects.create_user(
                    data["email"], DEMO_PASSWORD, organisation=organisation if key == "operator" else None, **extra
                )
            Notification.objects.create(
                user=user, title="Welcome to WCC Portal",
                body="This is demo data: explore the dashboards, chargers and sessions.",
            )
        users[key] = user

    chargers = {}
    for cp_id, password, name, owner_key, connectors in DEMO_CHARGERS:
        cp = ChargePoint.objects.filter(charge_point_id=cp_id).first()
        if cp is None:
            owner = users[owner_key] if owner_key == "owner" else None
            cp, _pw = charger_create(charge_point_id=cp_id, password=password, name=name, model="SimBox 22",
                                     vendor="WCC Sim", owner=owner, connectors=connectors)
            if owner_key == "operator":
                cp.organisation = organisation
                cp.logbook_enabled = True  # SES-6: a company car's starts ask for mileage and vehicle
                cp.save(update_fields=["organisation", "logbook_enabled"])
            if owner_key is None:
                cp.claim_code = DEMO_CLAIM_CODE
                cp.save(update_fields=["claim_code"])
        elif not cp.password_hash:
            cp.password_hash = hash_secret(password)
            cp.save(update_fields=["password_hash"])
        chargers[cp_id] = cp

    tags = {}
    for key, tag_id in zip(["owner", "member", "guest", "operator"], DEMO_TAGS, strict=True):
        tags[key], _ = IdTag.objects.get_or_create(
            id_tag=tag_id, defaults={"user": users[key], "alias": f"{users[key].first_name}'s card",
                                     "kind": IdTag.Kind.PHYSICAL, "is_favourite": True},
        )

    tariff, new_tariff = Tariff.objects.get_or_create(
        owner=users["owner"], name="Residence tariff",
        defaults={"currency": "EUR", "price_per_kwh": Decimal("0.30"), "connection_fee": Decimal("1.00"),
                  "parking_fee_per_hour": Decimal("2.00"), "parking_grace_minutes": 60},
    )
    if new_tariff:  # TAR-1: a weekday evening peak
        TariffPeriod.objects.create(tariff=tariff, weekdays="01234", start_time=time(17), end_time=time(21),
                                    price_per_kwh=Decimal("0.42"))
    group, _ = Group.objects.get_or_create(
        owner=users["owner"], name="Demo Residence",
        defaults={"city": "Munich", "zip_code": "80331", "address": "Marienplatz 1", "tariff": tariff,
                  "bookings_enabled": True},
    )
    Membership.objects.get_or_create(group=group, user=users["member"])
    GroupCharger.objects.get_or_create(charge_point=chargers["DEMO-CP-002"], defaults={"group": group})
    if not Invitation.objects.filter(email=DEMO_INVITATION["email"]).exists():
        Invitation.objects.create(
            group=group, email=DEMO_INVITATION["email"], invited_by=users["owner"],
            token_hash=hash_token(DEMO_INVITATION["token"]), expires_at=timezone.now() + timedelta(days=365),
        )
    if not Booking.objects.filter(user=users["member"]).exists():  # RES-2: tomorrow 10:00–12:00
        start = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        Booking.objects.create(group=group, charge_point=chargers["DEMO-CP-002"], user=users["member"],
                               starts_at=start, ends_at=start + timedelta(hours=2))
    if not ChargerShare.objects.filter(charge_point=chargers["DEMO-CP-001"], email=users["guest"].email).exists():
        ChargerShare.objects.create(
            charge_point=chargers["DEMO-CP-001"], shared_by=users["owner"], email=users["guest"].email,
            recipient=users["guest"], id_tag=tags["guest"], access_code_hash=hash_secret("GUEST-CODE"),
            expires_at=timezone.now() + timedelta(days=365),
        )

    if not ChargerShare.objects.filter(email=DEMO_VISITOR["email"]).exists():
        visitor_tag, _ = IdTag.objects.get_or_create(
            id_tag=DEMO_VISITOR["id_tag"], defaults={"alias": "Share: Home garage", "kind": IdTag.Kind.VIRTUAL},
        )
        ChargerShare.objects.create(
            charge_point=chargers["DEMO-CP-001"], shared_by=users["owner"], email=DEMO_VISITOR["email"],
            id_tag=visitor_tag, access_code_hash=hash_secret(DEMO_VISITOR["access_code"]),
            expires_at=timezone.now() + timedelta(days=30),
        )
    # CP-5: the simulated chargers run 1.0.0; this release makes "update available" show.
    FirmwareRelease.objects.get_or_create(
        vendor="WCC Sim", model="SimBox 22", version="1.1.0",
        defaults={"location": "https://firmware.example.com/simbox/1.1.0",
                  "release_notes": "Faster boot and smoother power ramp-up."},
    )
    # CP-9: manufacturing data and a master password for the inventory.
    from chargers.inventory import demo_inventory

    demo_inventory(chargers)
    # CP-7: site addresses and a picture on the charge point pages.
    from chargers.charger_details import demo_charger_details

    demo_charger_details(chargers, users["owner"])
    # CP-10: a diagnostics file and security events to look at in Maintenance.
    from chargers.diagnostics import demo_diagnostics
    from chargers.security_events import demo_security_events

    for cp_id in ("DEMO-CP-001", "DEMO-CP-002"):
        demo_diagnostics(charge_point=chargers[cp_id], acting_user=users["owner"])
        demo_security_events(charge_point=chargers[cp_id])

    created = _demo_sessions(chargers, users, tags, days=days, seed=seed)
    return {"users": len(users), "chargers": len(chargers), "sessions_created": created}


def _demo_sessions(chargers, users, tags, *, days: int, seed: int) -> int:
    from sessions_app.models import ChargingSession, MeterValue, SessionEvent
    from sessions_app.services import _price, tariff_snapshot_for

    if ChargingSession.objects.filter(charge_point__charge_point_id__startswith="DEMO-").exists():
        return 0
    rng = random.Random(seed)
    plan = [  # who charges where, how often (probability per day)
        ("owner", "DEMO-CP-001", 0.55),
        ("member", "DEMO-CP-002", 0.45),
        ("guest", "DEMO-CP-001", 0.15),
        ("operator", "DEMO-CP-101", 0.35),
    ]
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    meter = {cp_id: rng.randint(200_000, 900_000) for cp_id in chargers}
    busy: dict[str, list[tuple]] = {cp_id: [] for cp_id in chargers}  # one car at a time per charger
    created = 0
    mileage = [41_200]
    for day in range(days, 0, -1):
        base = today - timedelta(days=day)
        for who, cp_id, probability in plan:
            if rng.random() > probability:
                continue
            cp = chargers[cp_id]
            start = base + timedelta(hours=rng.choice([7, 8, 12, 17, 18, 19, 20]), minutes=rng.randint(0, 59))
            power_w = rng.choice([3700, 7400, 11000])
            minutes = rng.randint(40, 240)
            samples, energy, at = [], 0.0, start
            for step in range(0, minutes, 5):
                p = power_w * (1.0 if step < minutes * 0.8 else 0.4) * rng.uniform(0.95, 1.0)
                energy += p * 5 / 60
                at = start + timedelta(minutes=step + 5)
                samples.append((at, meter[cp_id] + energy, p))
            stop = at
            if any(start < until and stop > since for since, until in busy[cp_id]):
                continue
            busy[cp_id].append((start, stop + timedelta(minutes=30)))
            session = ChargingSession.objects.create(
                charge_point=cp, connector_id=1, id_tag=tags[who].id_tag, tag=tags[who], user=users[who],
                status=ChargingSession.Status.COMPLETED, started_at=start, stopped_at=stop,
                plugged_out_at=stop + timedelta(minutes=rng.randint(2, 30)), meter_start=meter[cp_id],
                meter_stop=int(meter[cp_id] + energy), last_meter_wh=int(meter[cp_id] + energy),
                max_power_w=max(s[2] for s in samples), current_power_w=0, stop_reason="EVDisconnected",
                received_start_at=start, received_stop_at=stop,
                **_demo_logbook(who, mileage, energy),
            )
            MeterValue.objects.bulk_create(
                [MeterValue(charge_point=cp, connector_id=1, session=session, timestamp=t, measurand=m,
                            unit=u, context="Sample.Periodic", value=v, received_at=t)
                 for t, wh, p in samples
                 for m, u, v in (("Energy.Active.Import.Register", "Wh", round(wh)),
                                 ("Power.Active.Import", "W", round(p)))],
                batch_size=1000,
            )
            snapshot = tariff_snapshot_for(cp)
            if snapshot:  # priced from its samples, as at a real stop
                session.tariff_snapshot = snapshot.to_dict()
                _price(session, save=False)
                session.save()
            SessionEvent.objects.bulk_create([
                SessionEvent(session=session, kind=SessionEvent.Kind.VEHICLE_CONNECTED,
                             at=start - timedelta(minutes=1)),
            ])
            meter[cp_id] = session.meter_stop
            created += 1
    return created


def _demo_logbook(who: str, mileage: list[int], energy_wh: float) -> dict:
    """The operator's company car keeps a logbook (SES-6): mileage grows with the energy charged."""
    if who != "operator":
        return {}
    mileage[0] += int(energy_wh / 180)  # about 18 kWh per 100 km
    return {"vehicle_mileage_km": mileage[0], "vehicle_id": "M-WC 2026"}
