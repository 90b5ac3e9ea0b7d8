"""CP-5, NOT-1, NOT-2: versions, and telling owners of older chargers about a release once."""

import pytest
from django.core import mail
from django_q.models import Success

from accounts.models import Notification
from chargers import firmware, services
from chargers.firmware import firmware_updates_for, version_key
from chargers.models import ChargePoint, FirmwareRelease
from tests.factories.accounts import UserFactory
from tests.factories.chargers import ChargePointFactory
from tests.firmware.conftest import LOCATION, make_release

pytestmark = pytest.mark.django_db

KIND = Notification.Kind.FIRMWARE_AVAILABLE


@pytest.mark.parametrize(("older", "newer"), [
    ("1.9.2", "1.10.0"),
    ("1.0.0", "1.0.1"),
    ("2.0-rc1", "2.0"),
    ("2.0-beta", "2.0-rc1"),
    ("1.2", "1.2.1"),
    ("", "0.1"),
    ("v1.9", "v1.10"),
    ("1.0.9", "1.1"),
    ("1.0-rc2", "1.0.0"),
])
def test_versions_are_ordered_the_way_people_read_them(older, newer):
    assert version_key(older) < version_key(newer)
    assert sorted([newer, older], key=version_key) == [older, newer]


def test_equal_versions_compare_equal():
    assert version_key("1.10.0") == version_key("1.10.0")
    assert version_key("1.0") == version_key("1.0.0")
    assert not version_key("1.1.0") > version_key("1.1.0")


@pytest.fixture
def fleet(owner, member, outsider):
    """Chargers of several owners; the release below is 1.1.0 for SimBox 22."""
    outsider.language = "de"
    outsider.save(update_fields=["language"])
    return {
        "home": ChargePointFactory(charge_point_id="CP-HOME", name="Home", owner=owner,
                                   firmware_version="1.0.0"),
        "garage": ChargePointFactory(charge_point_id="CP-GARAGE", name="Garage", owner=owner,
                                     firmware_version="0.9.8"),
        "other": ChargePointFactory(charge_point_id="CP-OTHER", owner=outsider,
                                    firmware_version="1.0.0"),
        "current": ChargePointFactory(charge_point_id="CP-CURRENT", owner=member,
                                      firmware_version="1.1.0"),
        "newer": ChargePointFactory(charge_point_id="CP-NEWER", owner=member,
                                    firmware_version="1.10.0"),
        "model": ChargePointFactory(charge_point_id="CP-MODEL", owner=member, model="AC-22",
                                    firmware_version="0.1"),
        "vendor": ChargePointFactory(charge_point_id="CP-VENDOR", owner=member, vendor="Acme",
                                     firmware_version="0.1"),
        "unclaimed": ChargePointFactory(charge_point_id="CP-FREE", owner=None,
                                        firmware_version="0.1"),
    }


def publish_in_admin(client, staff, *, version="1.1.0", vendor="WCC Sim", is_active=True,
                     release=None):
    client.force_login(staff)
    data = {
        "vendor": vendor, "model": "SimBox 22", "version": version,
        "location": LOCATION.format(version), "release_notes": "Faster boot.\nFixes the LED.",
        "released_at_0": "2026-01-15", "released_at_1": "10:00:00",
    }
    if is_active:
        data["is_active"] = "on"
    url = (f"/admin/chargers/firmwarerelease/{release.pk}/change/" if release
           else "/admin/chargers/firmwarerelease/add/")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return FirmwareRelease.objects.get(model="SimBox 22", version=version)


def test_publishing_in_admin_notifies_each_owner_of_an_older_charger_once(
    client, staff, owner, outsider, member, fleet, run_jobs
):
    with run_jobs():
        release = publish_in_admin(client, staff)

    notes = Notification.objects.filter(kind=KIND)
    assert sorted(notes.values_list("user__email", "link")) == [
        ("outsider@example.com", "/app/chargers/CP-OTHER/?firmware=1.1.0"),
        ("owner@example.com", "/app/chargers/CP-GARAGE/?firmware=1.1.0"),
        ("owner@example.com", "/app/chargers/CP-HOME/?firmware=1.1.0"),
    ]
    home = notes.get(link__contains="CP-HOME")
    assert home.title == "Firmware 1.1.0 is available for Home"
    assert "1.0.0" in home.body and home.read_at is None
    assert not notes.filter(user=member).exists()  # up to date, other model or other vendor

    # One e-mail per owner, HTML and text, listing that owner's chargers only.
    assert sorted(m.to[0] for m in mail.outbox) == ["outsider@example.com", "owner@example.com"]
    to_owner = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert to_owner.subject == "Firmware 1.1.0 is available for 2 of your chargers"
    html = to_owner.alternatives[0][0]
    for text in (to_owner.body, html):
        assert "Home" in text and "Garage" in text and "CP-OTHER" not in text
        assert "Faster boot." in text
        assert "http://localhost:8000/app/chargers/CP-HOME/?firmware=1.1.0" in text.replace("&amp;", "&")
    assert to_owner.body.startswith("Hello Olivia,")
    assert html.lstrip().lower().startswith("<!doctype html")
    to_outsider = next(m for m in mail.outbox if m.to == ["outsider@example.com"])
    # The outsider reads German: the e-mail is written in their language.
    assert to_outsider.subject == "Firmware 1.1.0 ist für Ihre Ladestation verfügbar"

    # Saving the release again (or running the job twice) tells nobody twice.
    with run_jobs():
        publish_in_admin(client, staff, release=release)
        firmware.firmware_notify_release(release_id=release.pk)
    assert notes.count() == 3 and len(mail.outbox) == 2


def test_an_unpublished_release_notifies_nobody_until_it_is_published(client, staff, fleet, run_jobs):
    with run_jobs():
        release = publish_in_admin(client, staff, is_active=False)
    assert not Notification.objects.exists() and not mail.outbox
    assert firmware_updates_for([fleet["home"]]) == {}

    with run_jobs():
        publish_in_admin(client, staff, release=release)
    assert Notification.objects.filter(kind=KIND).count() == 3


def test_a_release_for_any_vendor_reaches_every_vendor_of_the_model(owner, fleet, run_jobs):
    with run_jobs():
        release = make_release("1.1.0")  # vendor left empty: any vendor
        firmware.firmware_release_published(release=release)
    links = set(Notification.objects.values_list("link", flat=True))
    assert "/app/chargers/CP-VENDOR/?firmware=1.1.0" in links
    assert "/app/chargers/CP-MODEL/?firmware=1.1.0" not in links
    assert not any("CP-FREE" in link for link in links)  # nobody owns it


def test_an_older_release_published_later_is_not_announced(owner, fleet, run_jobs):
    with run_jobs():
        firmware.firmware_release_published(release=make_release("1.2.0"))
    before = Notification.objects.count()
    with run_jobs():
        firmware.firmware_release_published(release=make_release("1.1.5"))
    # 1.2.0 remains the newest update for every charger: nothing new to say.
    assert Notification.objects.count() == before
    assert firmware_updates_for([fleet["home"]])[fleet["home"].pk].version == "1.2.0"


def test_a_deactivated_owner_is_not_told(owner, fleet, run_jobs):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    with run_jobs():
        firmware.firmware_release_published(release=make_release("1.1.0"))
    assert not Notification.objects.filter(user=owner).exists()
    # (The release is for any vendor: the member's Acme charger hears of it too.)
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "outsider@example.com"]


def test_many_chargers_are_handled_in_chunks(owner, run_jobs, monkeypatch):
    monkeypatch.setattr(firmware, "CHUNK", 7)
    users = UserFactory.create_batch(3)
    for i in range(30):
        ChargePointFactory(owner=users[i % 3], firmware_version="1.0.0", connectors=0)
    release = make_release("1.1.0")
    with run_jobs():
        assert firmware.firmware_notify_release(release_id=release.pk) == 30
    assert Notification.objects.filter(kind=KIND).count() == 30
    assert len(mail.outbox) == 3  # one per owner
    assert all("10 of your chargers" in m.subject for m in mail.outbox)
    # Chunks of about CHUNK chargers, never splitting an owner's chargers.
    assert [len(c) for c in firmware._chunks_by_owner([(i, i // 10) for i in range(30)])] == [10, 10, 10]
    assert [len(c) for c in firmware._chunks_by_owner([(i, i) for i in range(30)])] == [7, 7, 7, 7, 2]


def boot(cp, version, model="SimBox 22"):
    return services.charger_boot(pk=cp.pk, payload={
        "chargePointVendor": "WCC Sim", "chargePointModel": model, "firmwareVersion": version,
    })


def test_a_charger_booting_with_an_older_version_notifies_its_owner_once(charger, owner, run_jobs):
    release = make_release("1.1.0")
    with run_jobs():
        assert boot(charger, "1.0.0") == "Accepted"
    note = Notification.objects.get(kind=KIND)
    assert (note.user, note.link) == (owner, "/app/chargers/CP-HOME/?firmware=1.1.0")
    assert len(mail.outbox) == 1 and "Home" in mail.outbox[0].body

    with run_jobs():
        boot(charger, "1.0.0")  # the next boot: already told
        firmware.firmware_release_published(release=release)  # and the publish job agrees
    assert Notification.objects.filter(kind=KIND).count() == 1 and len(mail.outbox) == 1

    with run_jobs():
        boot(charger, "1.1.0")  # updated: nothing to say
    assert Notification.objects.filter(kind=KIND).count() == 1
    assert firmware_updates_for([ChargePoint.objects.get(pk=charger.pk)]) == {}


def test_a_new_release_after_the_first_is_announced_again(charger, owner, run_jobs):
    make_release("1.1.0")
    with run_jobs():
        boot(charger, "1.0.0")
    with run_jobs():
        firmware.firmware_release_published(release=make_release("1.2.0"))
    assert sorted(Notification.objects.values_list("link", flat=True)) == [
        "/app/chargers/CP-HOME/?firmware=1.1.0", "/app/chargers/CP-HOME/?firmware=1.2.0",
    ]


def test_boot_of_an_unclaimed_or_pending_charger_notifies_nobody(owner, run_jobs):
    make_release("1.1.0")
    free = ChargePointFactory(owner=None)
    pending = ChargePointFactory(owner=owner, registration_status=ChargePoint.Registration.PENDING)
    with run_jobs():
        boot(free, "1.0.0")
        assert boot(pending, "1.0.0") == "Pending"
    # The accepted charger was checked (and has nobody to tell); the pending one not at all.
    checks = Success.objects.filter(func="chargers.tasks.charger_booted")
    assert [task.args for task in checks] == [(free.pk,)]
    assert not Notification.objects.exists() and not mail.outbox


def test_boot_pushes_the_running_version_to_live_pages(charger, owner, run_jobs, monkeypatch):
    sent = []
    monkeypatch.setattr(firmware, "live_update_on_commit", lambda group, msg: sent.append((group, msg)))
    make_release("1.1.0")
    with run_jobs():
        boot(charger, "1.0.0")
    assert (f"live.charger.{charger.pk}", {
        "type": "live.event", "event": "charger", "charger": charger.pk,
        "firmware_version": "1.0.0", "firmware_status": "", "firmware_update": "1.1.0",
    }) in sent


def test_admin_release_form_and_charger_qr_link(client, staff, charger):
    client.force_login(staff)
    response = client.post("/admin/chargers/firmwarerelease/add/", {
        "model": "SimBox 22", "version": "  ", "location": "not a url",
        "released_at_0": "2026-01-15", "released_at_1": "10:00:00",
    })
    assert response.status_code == 200 and not FirmwareRelease.objects.exists()
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"version", "location"}
    page = client.get(f"/admin/chargers/chargepoint/{charger.pk}/change/").content.decode()
    assert 'href="/app/chargers/CP-HOME/qr/"' in page
