"""Charge pages (SES-1, SES-2, SES-6): the Charge page, a charger's connectors, the start page
of a connector (what its QR sticker opens), 1-Click Remote Start, and the QR stickers; each
for whom it is meant, 404 for everyone else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers.models import ChargePoint, ChargerOperation, Connector, Favourite
from sessions_app.models import ChargingSession, StartRequest
from tests.charging.conftest import set_connector

pytestmark = pytest.mark.django_db

Status = Connector.Status


def connector_url(cp_id="CP-HOME", number=1):
    return reverse("app:charge_connector", args=[cp_id, number])


def html(response):
    return response.content.decode()


# --- The Charge page --------------------------------------------------------------------------


def test_charge_page_lists_favourites_with_quick_start_and_the_other_chargers(client, ready, charger, group_charger):
    Favourite.objects.create(user=ready["owner"], charge_point=charger)
    client.force_login(ready["owner"])
    page = html(client.get(reverse("app:charge")))
    assert 'data-testid="scan-card"' in page and 'name="charge_point_id"' in page
    favourites = page.split('data-testid="favourite"')
    assert len(favourites) == 2 and "Home" in favourites[1].split('data-testid="other-charger"')[0]
    assert reverse("app:charge_quick_start", args=["CP-HOME"]) in page
    assert "Start charging at Home?" in page and "Yes, start" in page
    assert 'data-testid="other-charger"' in page and "Residence" in page
    assert "2 of 2 connectors free" in page


def test_charge_page_shows_my_running_session(client, ready, charger):
    session = ChargingSession.objects.create(charge_point=charger, connector_id=1, id_tag="OWNER1",
                                             user=ready["owner"], started_at=timezone.now(), meter_start=0,
                                             last_meter_wh=3210)
    client.force_login(ready["owner"])
    page = html(client.get(reverse("app:charge")))
    assert "Charging at Home" in page and "3.21 kWh" in page
    assert reverse("app:session_live", args=[session.pk]) in page


def test_charge_page_of_a_guest_shows_only_the_shared_charger(client, ready):
    client.force_login(ready["guest"])
    page = html(client.get(reverse("app:charge")))
    assert "Home" in page and "Residence" not in page and "Depot" not in page


def test_charge_page_without_chargers(client, ready):
    client.force_login(ready["outsider"])
    page = html(client.get(reverse("app:charge")))
    assert "No charger is available to you yet." in page


def test_typed_charger_id_leads_to_its_connectors(client, ready, charger):
    client.force_login(ready["owner"])
    response = client.get(reverse("app:charge"), {"charge_point_id": " cp-home "})
    assert response["Location"] == reverse("app:charge_charger", args=["CP-HOME"])
    response = client.get(reverse("app:charge"), {"charge_point_id": ""}, follow=True)
    assert "Enter the charger&#x27;s ID." in html(response)
    client.force_login(ready["outsider"])
    response = client.get(reverse("app:charge"), {"charge_point_id": "CP-HOME"}, follow=True)
    assert "No charger with the ID CP-HOME is available to you." in html(response)


def test_connectors_page_and_single_connector_shortcut(client, ready, charger):
    client.force_login(ready["owner"])
    page = html(client.get(reverse("app:charge_charger", args=["CP-HOME"])))
    assert page.count('data-testid="connector-choice"') == 2 and connector_url(number=2) in page
    Connector.objects.filter(charge_point=charger, connector_id=2).delete()
    response = client.get(reverse("app:charge_charger", args=["CP-HOME"]))
    assert response["Location"] == connector_url()


# --- The connector's start page ---------------------------------------------------------------


def test_start_page_shows_charger_connector_tag_and_start(client, ready, charger):
    client.force_login(ready["owner"])
    page = html(client.get(connector_url(number=2)))
    assert 'data-testid="charger-name">Home<' in page and "Connector 2" in page
    assert 'data-status="Available"' in page and "OWNER1" in page
    assert 'data-testid="start-button"' in page and "disabled" not in page.split('data-testid="start-button"')[1][:10]
    assert 'data-testid="logbook"' not in page


def test_start_page_explains_why_a_start_cannot_work_now(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=False)
    client.force_login(ready["owner"])
    page = html(client.get(connector_url()))
    assert 'data-code="charger_offline"' in page and "Home is offline" in page
    assert 'data-testid="start-button" disabled' in page


def test_start_from_the_page_then_its_progress(client, ready, charger):
    client.force_login(ready["owner"])
    response = client.post(connector_url(number=2))
    request = StartRequest.objects.get()
    assert response["Location"] == f"{connector_url(number=2)}?request={request.pk}"
    assert request.operation.payload == {"connectorId": 2, "idTag": "OWNER1"}
    page = html(client.get(response["Location"]))
    assert 'data-testid="start-progress" data-state="pending"' in page
    assert "Sending the start to Home" in page and 'data-testid="start-card"' not in page
    # The charger refuses: the page says so and offers to try again.
    ChargerOperation.objects.update(status=ChargerOperation.Status.REJECTED)
    page = html(client.get(response["Location"]))
    assert 'data-state="rejected"' in page and "Home refused to start" in page and "Try again" in page
    # Started: the link to the live session.
    ChargerOperation.objects.update(status=ChargerOperation.Status.ACCEPTED)
    session = ChargingSession.objects.create(charge_point=charger, connector_id=2, id_tag="OWNER1",
                                             user=ready["owner"], started_at=timezone.now(), meter_start=0)
    StartRequest.objects.update(session=session)
    page = html(client.get(response["Location"]))
    assert 'data-state="started"' in page and reverse("app:session_live", args=[session.pk]) in page


def test_start_refused_on_post_is_explained_and_nothing_sent(client, ready, charger):
    client.force_login(ready["owner"])
    set_connector(charger, Status.FAULTED, 1)
    response = client.post(connector_url())
    assert response.status_code == 400
    assert "Connector 1 is out of service (Faulted)." in html(response)
    assert not StartRequest.objects.exists()


def test_logbook_fields_are_asked_checked_and_stored(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    client.force_login(ready["owner"])
    assert 'data-testid="logbook"' in html(client.get(connector_url()))
    response = client.post(connector_url(), {"mileage_km": "", "vehicle_id": "Van"})
    assert response.status_code == 400
    page = html(response)
    assert "keeps a driver logbook" in page and "the vehicle&#x27;s mileage (km)" in page
    assert 'value="Van"' in page and not StartRequest.objects.exists()
    client.post(connector_url(), {"mileage_km": "59613", "vehicle_id": "TestVehicle"})
    assert StartRequest.objects.values_list("vehicle_mileage_km", "vehicle_id").get() == (59613, "TestVehicle")


def test_logbook_prefills_the_last_vehicle(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    ChargingSession.objects.create(charge_point=charger, connector_id=2, id_tag="OWNER1", user=ready["owner"],
                                   started_at=timezone.now(), meter_start=0, status="completed",
                                   vehicle_id="M-EV 42", vehicle_mileage_km=1200)
    client.force_login(ready["owner"])
    page = html(client.get(connector_url()))
    assert 'value="M-EV 42"' in page and "Last entry: M-EV 42, 1200 km" in page


def test_start_page_needs_sign_in_and_comes_back(client, charger):
    response = client.get(connector_url(number=2))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={connector_url(number=2)}"


@pytest.mark.parametrize("persona", ["outsider", "operator"])
def test_start_page_of_a_charger_i_may_not_use_does_not_exist(client, ready, persona):
    client.force_login(ready[persona])
    assert client.get(connector_url()).status_code == 404
    assert client.post(connector_url()).status_code == 404
    assert client.get(reverse("app:charge_charger", args=["CP-HOME"])).status_code == 404
    assert client.post(reverse("app:charge_quick_start", args=["CP-HOME"])).status_code == 404
    assert not StartRequest.objects.exists()


def test_unknown_connector_page_does_not_exist(client, ready):
    client.force_login(ready["owner"])
    assert client.get(connector_url(number=7)).status_code == 404
    assert client.get(connector_url(number=0)).status_code == 404


def test_someone_elses_start_is_not_followed_on_my_page(client, ready, charger, share):
    client.force_login(ready["owner"])
    client.post(connector_url())
    request = StartRequest.objects.get()
    client.force_login(ready["guest"])
    page = html(client.get(f"{connector_url()}?request={request.pk}"))
    assert 'data-testid="start-progress"' not in page
    assert 'data-code="connector_busy"' in page  # the owner's start is on its way there


# --- 1-Click Remote Start and Start from a charger's actions -----------------------------------


def test_quick_start_of_a_favourite_goes_to_its_progress(client, ready, charger):
    set_connector(charger, Status.CHARGING, 1)
    client.force_login(ready["owner"])
    response = client.post(reverse("app:charge_quick_start", args=["CP-HOME"]), {"next": reverse("app:charge")})
    request = StartRequest.objects.get()
    assert request.connector_id == 2
    assert response["Location"] == f"{connector_url(number=2)}?request={request.pk}"


def test_quick_start_refusal_comes_back_with_the_reason(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=False)
    client.force_login(ready["owner"])
    response = client.post(reverse("app:charge_quick_start", args=["CP-HOME"]), {"next": reverse("app:charge")},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("app:charge")
    assert "Home is offline" in html(response)
    assert not StartRequest.objects.exists()


def test_quick_start_with_logbook_fields_and_without(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(logbook_enabled=True)
    client.force_login(ready["owner"])
    response = client.post(reverse("app:charge_quick_start", args=["CP-HOME"]), follow=True)
    # Without the entry (a charger's menu has no fields): asked on the connector's page.
    assert response.redirect_chain[0][0] == reverse("app:charge_charger", args=["CP-HOME"])
    assert "keeps a driver logbook" in html(response) and not StartRequest.objects.exists()
    client.post(reverse("app:charge_quick_start", args=["CP-HOME"]), {"mileage_km": "10", "vehicle_id": "Van"})
    assert StartRequest.objects.values_list("vehicle_mileage_km", "vehicle_id").get() == (10, "Van")


def test_guest_quick_start_on_the_shared_charger_uses_the_share_tag(client, ready, charger, share):
    client.force_login(ready["guest"])
    client.post(reverse("app:charge_quick_start", args=["CP-HOME"]))
    assert StartRequest.objects.get().operation.payload["idTag"] == "GUEST1"


def test_quick_start_goes_back_only_to_this_site(client, ready, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=False)
    client.force_login(ready["owner"])
    response = client.post(reverse("app:charge_quick_start", args=["CP-HOME"]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("app:charge")


# --- QR stickers ------------------------------------------------------------------------------


def test_owner_gets_a_printable_sticker_per_connector(client, ready, charger, settings):
    settings.SITE_URL = "https://charge.example.com"
    client.force_login(ready["owner"])
    page = html(client.get(reverse("app:charger_stickers", args=["CP-HOME"])))
    assert page.count('data-testid="sticker"') == 2
    assert 'data-url="https://charge.example.com/app/charge/CP-HOME/1/"' in page
    assert 'data-url="https://charge.example.com/app/charge/CP-HOME/2/"' in page
    assert page.count('class="wcc-qr"') == 2 and "Scan to charge" in page
    assert reverse("app:charger_stickers_pdf", args=["CP-HOME"]) in page


def test_sticker_sheet_pdf_has_every_connector(client, ready, charger):
    from weasyprint import HTML

    from sessions_app.views_stickers import _stickers

    client.force_login(ready["owner"])
    response = client.get(reverse("app:charger_stickers_pdf", args=["CP-HOME"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="CP-HOME-stickers.pdf"'
    assert response.content.startswith(b"%PDF-")
    # What the sheet holds, read from the document WeasyPrint laid out for it.
    from django.template.loader import render_to_string

    document = HTML(string=render_to_string("app/stickers/sheet.html", {
        "cp": charger, "stickers": _stickers(charger)})).render()
    assert len(document.pages) == 1
    text = " ".join(_texts(document.pages[0]._page_box))
    assert text.count("Scan to charge") == 2 and "CP-HOME · 1" in text and "CP-HOME · 2" in text


def _texts(box):
    if hasattr(box, "text"):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _texts(child)


def test_stickers_of_a_charger_with_many_connectors_fill_several_a4_pages(ready, owner):
    from weasyprint import HTML

    from tests.factories.chargers import ChargePointFactory

    big = ChargePointFactory(charge_point_id="CP-DEPOT", name="Depot", owner=owner, connectors=8)
    from django.template.loader import render_to_string

    from sessions_app.views_stickers import _stickers

    document = HTML(string=render_to_string("app/stickers/sheet.html", {
        "cp": big, "stickers": _stickers(big)})).render()
    assert len(document.pages) == 2  # six to an A4 page
    width, height = document.pages[0].width, document.pages[0].height
    assert (round(width * 25.4 / 96), round(height * 25.4 / 96)) == (210, 297)


def test_organisation_user_and_staff_get_stickers(client, ready, org_charger):
    for persona in ("operator", "staff"):
        client.force_login(ready[persona])
        assert client.get(reverse("app:charger_stickers", args=["CP-ORG"])).status_code == 200


@pytest.mark.parametrize("persona", ["member", "guest", "outsider"])
def test_stickers_are_only_for_who_manages_the_charger(client, ready, persona):
    client.force_login(ready[persona])
    for cp_id in ("CP-HOME", "CP-GROUP"):
        assert client.get(reverse("app:charger_stickers", args=[cp_id])).status_code == 404
        assert client.get(reverse("app:charger_stickers_pdf", args=[cp_id])).status_code == 404


def test_start_from_a_chargers_actions_is_routed_through_the_same_checks():
    """The charger page's Start (CP-3 actions) has its route beside the stickers, under
    app/chargers/<id>/start/: the same view as 1-Click Remote Start."""
    from django.urls import resolve

    from sessions_app import views_charge

    match = resolve("/CP-HOME/start/", urlconf="sessions_app.urls_stickers")
    assert match.func is views_charge.charge_quick_start and match.url_name == "charger_start"


def test_charge_page_of_staff_lists_where_they_charge_not_every_charger(client, ready, charger, org_charger):
    Favourite.objects.create(user=ready["staff"], charge_point=charger)
    client.force_login(ready["staff"])
    page = html(client.get(reverse("app:charge")))
    assert "Home" in page and "Depot" not in page and "Residence" not in page
