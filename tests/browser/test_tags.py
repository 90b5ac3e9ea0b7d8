"""Tags in a real browser (TAG-1 … TAG-3): add a virtual tag, star it, edit its alias, delete
it with confirmation; add an RFID card: the countdown runs and the card presented at a
simulated charger shows up live."""

import pytest

from chargers.models import IdTag
from tests.e2e import start_sim, stop_sim, wait_until
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_errors(page):
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def test_virtual_tag_star_alias_delete(server, page, owner, charger, tags, password):
    errors = watch_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server.url, owner.email, password)
    page.goto(server.url + "/app/tags/")
    assert page.locator("header h1").inner_text() == "My tags"
    page.click("[data-testid=add-virtual]")
    page.fill("input[name=id_tag]", "owner1")  # taken, ignoring case
    page.click("[data-testid=save-tag]")
    assert "already exists" in page.locator("main form").inner_text()
    screenshot(page, "tags-add-error")
    page.fill("input[name=id_tag]", "PHONE-7")
    page.fill("input[name=alias]", "My phone")
    page.click("[data-testid=save-tag]")
    page.wait_for_url("**/app/tags/")
    row = page.locator("[data-tag='PHONE-7']")
    assert row.locator("[data-testid=tag-alias]").inner_text() == "My phone"
    assert row.locator("[data-favourite='0']").count() == 1

    row.locator("[data-testid=favourite]").click()
    page.wait_for_load_state("load")
    row = page.locator("[data-tag='PHONE-7']")
    assert row.locator("[data-favourite='1']").count() == 1
    assert page.locator("[data-tag='OWNER1'] [data-favourite='0']").count() == 1
    assert IdTag.objects.get(id_tag="PHONE-7").is_favourite

    row.locator("[data-testid=tag-menu]").click()
    row.locator("[data-testid=edit-alias]").click()
    row.locator(".collapse.show").wait_for(state="visible")  # opened (transition over)
    row.locator("input[name=alias]").fill("Company phone")
    screenshot(page, "tags-alias-edit")
    row.locator("[data-testid=save-alias]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-tag='PHONE-7'] [data-testid=tag-alias]").inner_text() == "Company phone"
    screenshot(page, "tags-list")

    row = page.locator("[data-tag='PHONE-7']")
    row.locator("[data-testid=tag-menu]").click()
    row.locator("[data-testid=delete-tag]").click()
    modal = page.locator("#delete-tag-modal")
    modal.wait_for(state="visible")
    assert "Company phone" in modal.inner_text()
    screenshot(page, "tags-delete-confirm")
    modal.locator("[data-testid=confirm-delete]").click()
    page.wait_for_load_state("load")
    assert page.locator("[data-tag='PHONE-7']").count() == 0
    assert "was deleted" in page.locator("main").inner_text()
    assert not IdTag.objects.filter(id_tag="PHONE-7").exists()
    assert errors == []


def test_card_enrolment_countdown_and_live_result(server, page, sim_loop, owner, charger, password):
    errors = watch_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    login(page, server.url, owner.email, password)
    page.goto(server.url + "/app/tags/")
    screenshot(page, "tags-empty")
    page.click("[data-testid=add-card]")
    page.select_option("select[name=charge_point]", "CP-HOME")
    page.fill("input[name=alias]", "Blue card")
    screenshot(page, "tags-card-form")
    page.click("[data-testid=start-enrolment]")
    page.wait_for_url("**/app/tags/card/*/")
    countdown = page.locator("[data-testid=countdown]")
    first = int(countdown.inner_text())
    assert 55 <= first <= 60
    page.wait_for_timeout(2200)
    assert int(countdown.inner_text()) < first  # it counts down
    screenshot(page, "tags-card-countdown")
    # The card is presented at the charger: the page shows it without a reload.
    page.evaluate("window.__same_page = true")
    assert sim_loop.run_until_complete(sim.authorize("04A1B2C3D4")) == "Accepted"
    page.locator("[data-testid=enrolled-tag]").wait_for(state="visible", timeout=10000)
    assert page.evaluate("window.__same_page") is True
    assert "04A1B2C3D4" in page.locator("[data-testid=enrolled-tag]").inner_text()
    screenshot(page, "tags-card-enrolled")
    tag = IdTag.objects.get(id_tag="04A1B2C3D4")
    assert (tag.user_id, tag.kind, tag.alias) == (owner.pk, "physical", "Blue card")
    # The platform also put the new card on the charger's local list.
    wait_until(lambda: "04a1b2c3d4" in sim.local_list)
    sim_loop.run_until_complete(stop_sim(ws, listener))
    assert errors == []
