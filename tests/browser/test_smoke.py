"""Smoke test of both shells in a real browser against a real server, for every persona.

Each persona signs in through the login form and visits every page of the portal and the
driver app: the page answers 200, wears its shell and title, logs no console error and asks
no other host than ours for anything.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.models import LoginEvent, User
from tests.servers import login, screenshot
from tests.signin import fill_captcha

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTAL_SHELL = ".wcc-sidebar nav"
APP_SHELL = "nav.wcc-bottom-nav"

# (url name, heading in the shell's top bar, start of the document title)
PORTAL_PAGES = [
    ("portal:dashboard", "Dashboard", "Dashboard"),
    ("portal:chargers", "ChargePoints", "ChargePoints"),
    ("portal:reservations", "Reservations", "Reservations"),
    ("portal:tags", "Authorization", "Authorization"),
    ("portal:sessions", "Charging Sessions", "Charging Sessions"),
    ("portal:settings", "Settings", "Settings"),
    ("portal:operations", "Operations", "Operations"),
    # CP-9 calls it the inventory; the navigation calls it maintenance.
    ("portal:maintenance", "Inventory", "Maintenance"),
    ("portal:diagnostics", "Diagnostics", "Maintenance · Diagnostics"),
    ("portal:logs_security", "CP logs", "Maintenance · CP logs"),
    ("portal:logs", "CS-CP logs", "Maintenance · CS-CP logs"),
    ("portal:heartbeats", "Heartbeat logs", "Maintenance · Heartbeat logs"),
    ("portal:notifications", "Notifications", "Notifications"),
    ("portal:groups", "Group Management", "Group Management"),
]
# (url name, query, heading, start of the document title)
APP_PAGES = [
    ("app:dashboard", "", "Dashboard", "Dashboard"),
    ("app:chargers", "?tab=residential", "Chargers", "Chargers"),
    ("app:chargers", "?tab=commercial", "Chargers", "Chargers"),
    ("app:chargers", "?tab=shared", "Chargers", "Chargers"),
    ("app:chargers", "?tab=favourites", "Chargers", "Chargers"),
    ("app:charge", "", "Charge", "Charge"),
    ("app:bookings", "", "Bookings", "Bookings"),
    ("app:sessions", "", "Sessions", "Sessions"),
    ("app:exports", "", "Exports", "Exports"),
    ("app:notifications", "", "Notifications", "Notifications"),
    ("app:profile", "", "Profile", "Profile"),
]
# A charger each persona may see, and its display name (the detail page's title).
VISIBLE_CHARGER = {
    "owner": ("CP-HOME", "Home"),
    "member": ("CP-GROUP", "Residence"),
    "guest": ("CP-HOME", "Home"),
    "operator": ("CP-ORG", "Depot"),
    "staff": ("CP-ORG", "Depot"),
    "outsider": None,
}
# Which charger ids each persona sees on the portal's charger list, and which it must not.
CHARGER_LIST = {
    "owner": ({"CP-HOME", "CP-GROUP"}, {"CP-ORG"}),
    "member": ({"CP-GROUP"}, {"CP-HOME", "CP-ORG"}),
    "guest": ({"CP-HOME"}, {"CP-GROUP", "CP-ORG"}),
    "operator": ({"CP-ORG"}, {"CP-HOME", "CP-GROUP"}),
    "staff": ({"CP-HOME", "CP-GROUP", "CP-ORG"}, set()),
    "outsider": (set(), {"CP-HOME", "CP-GROUP", "CP-ORG"}),
}
# The app's charger tab in which each persona finds its charger.
APP_TAB = {
    "owner": ("residential", "CP-HOME"),
    "member": ("commercial", "CP-GROUP"),
    "guest": ("shared", "CP-HOME"),
    "operator": ("residential", "CP-ORG"),
}


class Watch:
    """Console errors, uncaught page errors and every request the page makes."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", self._request)

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            self.hosts.add(parts.hostname)

    def take_errors(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


def visit(page, watch, url, *, shell, heading, title):
    # goto waits for "load": every stylesheet, script and font is in and the scripts have run
    # (no page loads anything later).
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert page.locator(shell).count() == 1, f"{url}: shell {shell} missing"
    assert page.locator("header h1").first.inner_text().strip() == heading, url
    assert page.title() == f"{title} · WCC Portal", url
    assert watch.take_errors() == [], url


@pytest.mark.parametrize("persona", ["owner", "member", "guest", "outsider", "operator", "staff"])
def test_every_page_of_both_shells(server, page, world, password, persona):
    user = world[persona]
    watch = Watch(page)
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once, for the screenshots
    login(page, server.url, user.email, password)
    assert LoginEvent.objects.filter(user=user, succeeded=True).count() == 1

    for name, heading, title in PORTAL_PAGES:
        visit(page, watch, server.url + reverse(name), shell=PORTAL_SHELL, heading=heading, title=title)
        if name == "portal:dashboard":
            screenshot(page, f"{persona}-portal-dashboard")
            if persona == "outsider":
                main = page.locator("main").inner_text()
                assert "No charger available to you yet." in main and "No connectors yet." in main
                assert page.locator("#statusChart").count() == 0
            else:
                assert page.locator("#statusChart").is_visible()
                connectors = page.locator("main table").inner_text()
                assert VISIBLE_CHARGER[persona][1] in connectors

    visible = VISIBLE_CHARGER[persona]
    if visible:
        cp_id, display_name = visible
        url = server.url + reverse("portal:charger_detail", args=[cp_id])
        visit(page, watch, url, shell=PORTAL_SHELL, heading=display_name, title=display_name)
        assert cp_id in page.locator("main").inner_text()

    for name, query, heading, title in APP_PAGES:
        url = server.url + reverse(name) + query
        visit(page, watch, url, shell=APP_SHELL, heading=heading, title=title)
        if name == "app:dashboard":
            screenshot(page, f"{persona}-app-dashboard")

    # What this persona may see, and only that.
    page.goto(server.url + reverse("portal:chargers"))
    listed = page.locator("main table").inner_text() if page.locator("main table").count() else ""
    must, must_not = CHARGER_LIST[persona]
    for cp_id in must:
        assert cp_id in listed, f"{persona} should see {cp_id}"
    for cp_id in must_not:
        assert cp_id not in listed, f"{persona} must not see {cp_id}"
    if not must:
        assert "No charge points found." in page.locator("main").inner_text()

    if persona in APP_TAB:
        tab, cp_id = APP_TAB[persona]
        page.goto(server.url + reverse("app:chargers") + f"?tab={tab}")
        tiles = page.locator("[data-testid=charger-tile]")
        assert cp_id in " ".join(tiles.all_inner_texts()), f"{persona}: {tab}"

    assert watch.take_errors() == []
    for cp_id in must_not:
        response = page.goto(server.url + reverse("portal:charger_detail", args=[cp_id]))
        assert response.status == 404, f"{persona} got {response.status} for {cp_id}"
        assert "Page not found" in page.locator("main").inner_text()
    watch.take_errors()  # the 404s above log "Failed to load resource", as they should

    assert watch.hosts == {"127.0.0.1"}, watch.hosts


def test_sign_in_pages_render_for_anonymous_users(server, page):
    watch = Watch(page)
    for path, heading in [("/accounts/login/", "Sign In"), ("/accounts/password/reset/", "Password Reset")]:
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert heading in page.locator("main").inner_text(), path
        assert page.locator("main form").count() >= 1, path
        assert watch.take_errors() == [], path
    assert page.locator("input[name=email]").is_visible()
    # Pages behind the login send anonymous visitors to it.
    page.goto(server.url + reverse("portal:dashboard"))
    assert urlsplit(page.url).path == "/accounts/login/"
    assert watch.hosts == {"127.0.0.1"}


def test_language_switch_translates_the_portal_and_is_remembered(server, page, owner, password):
    watch = Watch(page)
    login(page, server.url, owner.email, password)
    page.goto(server.url + reverse("portal:chargers"))
    nav = page.locator(PORTAL_SHELL)
    assert "ChargePoints" in nav.inner_text()

    page.locator("header button[title=Language]").click()
    page.get_by_role("button", name="Deutsch").click()
    page.wait_for_load_state("networkidle")

    assert urlsplit(page.url).path == reverse("portal:chargers")
    assert page.locator("html").get_attribute("lang") == "de"
    assert "Ladepunkte" in nav.inner_text()
    assert "Einstellungen" in nav.inner_text()
    assert "ChargePoints" not in nav.inner_text()
    assert page.locator("header h1").inner_text() == "Ladepunkte"
    owner.refresh_from_db()
    assert owner.language == "de"

    # A fresh browser without the language cookie speaks the profile's language.
    context = page.context.browser.new_context(locale="en-GB")
    try:
        fresh = context.new_page()
        login(fresh, server.url, owner.email, password)
        fresh.goto(server.url + reverse("portal:settings"))
        assert fresh.locator("header h1").inner_text() == "Einstellungen"
    finally:
        context.close()
    assert watch.take_errors() == []


def test_wrong_password_shows_a_form_error_and_is_recorded(server, page, owner):
    watch = Watch(page)
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", "not-the-password")
    fill_captcha(page)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert urlsplit(page.url).path == "/accounts/login/"
    error = page.locator("main .alert-danger, main .invalid-feedback, main .errorlist")
    assert error.count() >= 1
    assert "not correct" in error.first.inner_text()
    event = LoginEvent.objects.get()
    assert (event.user, event.email, event.succeeded) == (owner, owner.email, False)
    assert event.channel == LoginEvent.Channel.WEB
    assert not User.objects.get(pk=owner.pk).last_login
    # The form error is the page's answer, not a console failure (the POST answers 200).
    assert [e for e in watch.take_errors() if "pageerror" in e] == []
