"""Portal authorization tags (TAG-4) in a real browser: add a card restricted to a charge point,
see it in the table, edit it, then select several tags and delete them after confirming."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers.models import IdTag
from tests.factories.chargers import IdTagFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_edit_and_delete_several_tags(server, page, world, password, charger, group_charger):
    owner = world["owner"]
    IdTagFactory(id_tag="PHONE-7", user=owner, alias="My phone", kind=IdTag.Kind.VIRTUAL,
                 note="Scan & Charge", tag_type=IdTag.TagType.PRIVATE)
    IdTagFactory(id_tag="OLD-CARD", user=owner, alias="Lost card", kind=IdTag.Kind.PHYSICAL,
                 expires_at=timezone.now() - timedelta(days=3))
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, server.url, owner.email, password)

    page.goto(server.url + reverse("portal:tags"))
    page.get_by_role("link", name="Authorization").wait_for()
    assert page.locator("h1").inner_text() == "Authorization"
    screenshot(page, "portal-tags-list")

    # Add a card valid only at the home charger.
    page.get_by_test_id("tag-add").click()
    page.fill("input[name=id_tag]", "04A2B9C1")
    page.fill("input[name=alias]", "Company card")
    page.check("input[name=tag_type][value=company]")
    page.fill("textarea[name=note]", "Pool car HB-123")
    page.fill("input[name=expires_at]", (timezone.localtime() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[data-cp-search]", "home")
    assert page.locator("[data-cp-item]:visible").count() == 1
    page.get_by_label("CP-HOME · Home").check()
    screenshot(page, "portal-tags-add")
    page.get_by_test_id("save-tag").click()
    page.wait_for_url("**/authorization/")
    row = page.locator("tr", has_text="04A2B9C1")
    assert "CP-HOME" in row.inner_text() and "Pool car HB-123" in row.inner_text()
    tag = IdTag.objects.get(id_tag="04A2B9C1")
    assert list(tag.valid_charge_points.values_list("charge_point_id", flat=True)) == ["CP-HOME"]

    # A duplicate ID is refused on the form.
    page.get_by_test_id("tag-add").click()
    page.fill("input[name=id_tag]", "04a2b9c1")
    page.get_by_test_id("save-tag").click()
    assert "This tag ID already exists." in page.locator("form[data-testid=tag-form]").inner_text()
    screenshot(page, "portal-tags-add-error")

    # Edit: deactivate it.
    page.goto(server.url + reverse("portal:tags"))
    page.get_by_role("link", name="04A2B9C1").click()
    page.uncheck("input[name=is_active]")
    screenshot(page, "portal-tags-edit")
    page.get_by_test_id("save-tag").click()
    page.wait_for_url("**/authorization/")
    assert "Inactive" in page.locator("tr", has_text="04A2B9C1").inner_text()

    # Filter, then select two and delete them after confirming.
    page.fill("input[name=q]", "hb-123")  # in the note
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() == 1
    assert "04A2B9C1" in page.locator("tbody tr").inner_text()
    screenshot(page, "portal-tags-filtered")
    page.goto(server.url + reverse("portal:tags"))
    delete = page.get_by_test_id("tags-delete")
    assert delete.is_disabled()
    for id_tag in ("04A2B9C1", "OLD-CARD"):
        page.locator("tr", has_text=id_tag).locator("input[type=checkbox]").check()
    assert delete.is_enabled()
    screenshot(page, "portal-tags-selected")
    delete.click()
    page.get_by_test_id("tags-delete-confirm").wait_for()
    screenshot(page, "portal-tags-delete-confirm")
    page.get_by_test_id("tags-delete-submit").click()
    page.wait_for_url("**/authorization/")
    assert "2 tags were deleted." in page.content()
    assert set(IdTag.objects.filter(user=owner).values_list("id_tag", flat=True)) == {"OWNER1", "PHONE-7"}
    screenshot(page, "portal-tags-after-delete")
    assert errors == []
