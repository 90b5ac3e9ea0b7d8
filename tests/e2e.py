"""Helpers for end-to-end tests: simulated chargers on a background event loop talking to a
real server, and an API client signed in the way the mobile app signs in."""

import asyncio
import email
import time
from email import policy

import httpx
import pytest

from ocpp_gateway.simulator import SimConfig, SimulatedChargePoint, connect
from tests.factories.accounts import PASSWORD
from tests.factories.chargers import CHARGER_PASSWORD


async def start_sim(url, cp_id, connectors=2):
    ws = await connect(url, cp_id, CHARGER_PASSWORD)
    cp = SimulatedChargePoint(cp_id, ws, SimConfig(connectors=connectors))
    listener = asyncio.ensure_future(cp.start())
    await cp.boot()
    for connector in range(connectors + 1):
        await cp.report_status(connector, "Available")
    return cp, ws, listener


async def stop_sim(ws, listener):
    await ws.close()
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)


def api_client(base_url, user):
    client = httpx.Client(base_url=base_url, timeout=10)
    # allauth headless "app" client: log in, then send X-Session-Token.
    r = client.post("/api/auth/app/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-Session-Token"] = r.json()["meta"]["session_token"]
    return client


def wait_until(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


class LoopThread:
    """An event loop running in a thread: simulated chargers keep answering while the test
    waits synchronously for the platform."""

    def __init__(self):
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run_until_complete(self, coro, timeout=60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def sim_loop():
    lt = LoopThread()
    yield lt
    lt.close()


def sent_mails(folder):
    """Every message a server subprocess wrote with the file e-mail backend (env
    TEST_EMAIL_FILE_PATH), as (to, subject, text body, HTML body)."""
    mails = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_bytes().split(b"-" * 79):  # the backend's separator line
            if raw.strip():
                message = email.message_from_bytes(raw.strip(), policy=policy.default)
                text = message.get_body(preferencelist=("plain",)).get_content()
                html = message.get_body(preferencelist=("html",)).get_content()
                mails.append((message["To"], message["Subject"], text, html))
    return mails
