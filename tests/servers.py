"""Real servers for end-to-end tests: the platform in a subprocess (Daphne through
`runserver`, which also serves static files), sharing the test database, and Playwright
driving Debian's chromium."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port = port
        self.process = process
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ocpp"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def kill(self):
        self.process.kill()
        self.process.wait(5)


def start_server(name: str = "server", port: int | None = None, extra_env: dict | None = None) -> Server:
    port = port or free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"{name}-{port}.log"
    # The server keeps Django's async safety even while browser tests relax it here.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "wccportal.test_settings",
        "DATABASE_URL": database_url(),
        "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "wcc"),
        "CACHE_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", "") or "wcc",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Server(port, process, log)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


@pytest.fixture
def server(transactional_db):
    """The whole platform in a subprocess (HTTP + websockets) on the test database."""
    srv = start_server()
    yield srv
    srv.stop()


@pytest.fixture
def server_factory(transactional_db):
    started = []

    def make(name="server", **kwargs):
        srv = start_server(name, **kwargs)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never `playwright install`).

    Module-scoped: while Playwright's sync API is active its event loop counts as running
    in the main thread, so pytest-asyncio tests of later modules could not start theirs."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (scripts/test does it).")
    from playwright.sync_api import sync_playwright

    # The test code's ORM calls run beside that loop; allowed for these tests only.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def phone_context(browser, **options):
    """A phone-sized browser context and its page; the page's console errors are collected
    in ``page.console_errors``."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", device_scale_factor=1,
                                  is_mobile=True, has_touch=True, **options)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console_errors = []
    pg.on("console", lambda message: message.type == "error" and pg.console_errors.append(message.text))
    return context, pg


@pytest.fixture
def phone(browser):
    """The driver app's pages on a phone (390 × 844, touch)."""
    context, pg = phone_context(browser)
    yield pg
    context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base_url: str, email: str, password: str):
    from tests.signin import fill_captcha  # ACC-2: the real captcha, answer from its store

    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    fill_captcha(page)
    # The login form, not the language switch (also a form with submit buttons).
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
