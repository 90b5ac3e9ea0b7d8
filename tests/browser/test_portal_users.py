"""Portal users screen (ACC-9, ACC-12) in a real browser: an organisation administrator finds
a colleague by e-mail, adds a user, edits one, reads the login history and deletes after
confirming."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginEvent, User
from tests.factories.accounts import UserFactory
from tests.factories.chargers import IdTagFactory
from tests.servers import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_org_admin_manages_the_organisation_users(server, page, world, password):
    operator = world["operator"]
    admin = UserFactory(email="admin@example.com", first_name="Ada", last_name="Admin",
                        user_type=User.UserType.ADMINISTRATOR, organisation=operator.organisation)
    IdTagFactory(id_tag="FLEET-01", user=operator, alias="Van 3")
    now = timezone.now()
    for n in range(12):
        LoginEvent.objects.create(
            user=operator, email=operator.email, succeeded=n != 2, ip_address=f"203.0.113.{n + 1}",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", created_at=now - timedelta(hours=5 * n),
        )
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, server.url, admin.email, password)

    page.goto(server.url + reverse("portal:dashboard"))
    page.get_by_role("link", name="Users").click()
    page.wait_for_url("**/portal/users/")
    assert page.locator("h1").inner_text() == "Users"
    table = page.get_by_test_id("user-table")
    assert "operator@example.com" in table.inner_text() and "FLEET-01" in table.inner_text()
    assert "owner@example.com" not in table.inner_text()
    screenshot(page, "portal-users-list")

    # Search by e-mail.
    page.fill("input[name=q]", "operator@")
    page.get_by_test_id("user-find").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=user-table] tbody tr").count() == 1

    # Add a user: the form refuses a taken e-mail, then creates the account.
    page.get_by_test_id("user-add").click()
    page.fill("input[name=first_name]", "Nora")
    page.fill("input[name=last_name]", "New")
    page.fill("input[name=email]", "OPERATOR@example.com")
    page.get_by_test_id("save-user").click()
    assert "already registered" in page.get_by_test_id("user-add-form").inner_text()
    screenshot(page, "portal-users-add-error")
    page.fill("input[name=email]", "nora@fleet.example")
    page.get_by_test_id("save-user").click()
    page.wait_for_url("**/portal/users/*/")
    assert "nora@fleet.example was added" in page.inner_text("main")
    nora = User.objects.get(email="nora@fleet.example")
    assert nora.organisation_id == admin.organisation_id and nora.must_change_password

    # Edit the operator; look at the login history.
    page.goto(server.url + reverse("portal:user_detail", args=[operator.pk]))
    page.fill("input[name=employee_number]", "E-42")
    page.fill("input[name=mobile]", "not a number")
    page.get_by_test_id("save-user").click()
    assert "Enter a phone number" in page.get_by_test_id("user-edit-form").inner_text()
    page.fill("input[name=mobile]", "+49 170 555 0101")
    page.get_by_test_id("save-user").click()
    page.wait_for_load_state("networkidle")
    assert "was saved" in page.inner_text("main")
    operator.refresh_from_db()
    assert operator.employee_number == "E-42" and operator.mobile == "+49 170 555 0101"
    history = page.get_by_test_id("login-history")
    assert history.locator("tbody tr").count() == 10 and "Failed" in history.inner_text()
    screenshot(page, "portal-users-detail")

    # The login history of the whole organisation.
    page.goto(server.url + reverse("portal:users"))
    page.get_by_test_id("users-logins").click()
    page.wait_for_url("**/portal/users/logins/")
    page.select_option("select[name=result]", "failed")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=login-history] tbody tr")
    assert rows.count() == 1 and "203.0.113.3" in rows.inner_text()
    page.select_option("select[name=result]", "")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "portal-users-logins")

    # Delete two accounts after confirming.
    page.goto(server.url + reverse("portal:users"))
    for email in ("nora@fleet.example", "operator@example.com"):
        page.locator("tr", has_text=email).locator("input[type=checkbox]").check()
    page.get_by_test_id("users-delete").click()
    page.get_by_test_id("users-delete-confirm").wait_for()
    screenshot(page, "portal-users-delete-confirm")
    page.get_by_test_id("users-delete-submit").click()
    page.wait_for_url("**/portal/users/")
    assert "2 users were deleted." in page.inner_text("main")
    assert page.locator("tr", has_text="operator@example.com").locator(".badge", has_text="Deactivated").count() == 1
    screenshot(page, "portal-users-after-delete")
    assert errors == []
