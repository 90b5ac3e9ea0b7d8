"""RES-4 in a real browser on a phone: a member finds every charger of their group busy and
joins the queue; the charger (a simulated one, over OCPP) frees up, and the open page shows
the charger held for them with a running countdown, without being reloaded by hand."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from groups.models import WaitlistEntry
from tests.e2e import start_sim, stop_sim, wait_until
from tests.factories.chargers import IdTagFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("configuration_keys")]


def test_member_joins_the_queue_and_sees_the_offer_live(
    server, phone, member, group_charger, password, sim_loop, tmp_path
):
    IdTagFactory(id_tag="MEMBER1", user=member, is_favourite=True)
    page = phone
    page.emulate_media(reduced_motion="reduce")
    login(page, server.url, member.email, password)

    # The group's only charger is offline: busy, so the queue is open.
    page.goto(server.url + reverse("app:waitlist"))
    assert page.locator("header h1").inner_text() == "Waitlist"
    group = page.locator("[data-testid=waitlist-group]")
    assert "Residence" in group.inner_text() and "The charger is busy" in group.inner_text()
    page.screenshot(path=str(tmp_path / "waitlist-busy.png"), full_page=True)
    page.click("[data-testid=waitlist-join]")
    page.wait_for_load_state("networkidle")
    assert "You joined the queue of Residence" in page.locator(".wcc-messages").inner_text()
    assert page.locator("[data-testid=waitlist-position]").inner_text() == "You are next in line"
    page.screenshot(path=str(tmp_path / "waitlist-joined.png"), full_page=True)
    screenshot(page, "waitlist-1-joined")

    # The charger comes online and reports its connectors Available: the page updates itself.
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-GROUP"))
    try:
        entry = wait_until(lambda: WaitlistEntry.objects.filter(
            user=member, status=WaitlistEntry.Status.OFFERED).first())
        assert entry.offered_charge_point_id == group_charger.pk
        offer = page.locator("[data-testid=waitlist-offer]")
        # Pushed over the live socket (the 15 s poll is only the fallback).
        offer.wait_for(timeout=8000)
        assert "Your turn: Residence is held for you" in offer.inner_text()
        countdown = page.locator("[data-testid=waitlist-countdown]")
        first = countdown.inner_text()
        assert re.fullmatch(r"0[45]:\d\d", first), first
        page.wait_for_timeout(1500)
        assert countdown.inner_text() != first  # it runs
        page.screenshot(path=str(tmp_path / "waitlist-offer.png"), full_page=True)
        screenshot(page, "waitlist-2-offer")
        assert page.locator("[data-unread-count]").first.inner_text() == "1"  # the bell

        # Only this member may start there now; the button leads to the charger.
        assert sim_loop.run_until_complete(sim.authorize("MEMBER1")) == "Accepted"
        page.click("[data-testid=waitlist-go]")
        page.wait_for_load_state("networkidle")
        assert urlsplit(page.url).path == reverse("app:charger_detail", args=["CP-GROUP"])
        assert page.console_errors == []
    finally:
        sim_loop.run_until_complete(stop_sim(ws, listener))
