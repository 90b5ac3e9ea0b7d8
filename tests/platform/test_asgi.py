"""The one ASGI application: the charger route without the browser origin check, and the
live-update socket of signed-in pages."""

import asyncio
import base64
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from accounts.models import Notification
from accounts.services import notification_create
from tests.factories.chargers import CHARGER_PASSWORD
from wccportal.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

REDIS = bool(settings.REDIS_URL)


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    """Consumers reach the database from worker threads; close those connections so the
    test database can be flushed."""
    yield
    await database_sync_to_async(connections.close_all)()


def basic(cp_id, password=CHARGER_PASSWORD):
    return b"authorization", b"Basic " + base64.b64encode(f"{cp_id}:{password}".encode())


@pytest.fixture
async def open_socket():
    """Connect to the application in-process; every socket is disconnected at the end, the
    refused ones too (a refused app left running blocks the loop's shutdown with Redis)."""
    opened = []

    async def open_(path, headers, subprotocols=None):
        comm = WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)
        opened.append(comm)
        connected, detail = await comm.connect(timeout=10)
        return comm, connected, detail

    yield open_
    for comm in opened:
        await comm.disconnect()


@database_sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


# -- /ocpp/<id> --------------------------------------------------------------------------------


async def test_charger_route_needs_no_origin_only_credentials(charger, open_socket):
    # No Origin header at all, like a real charger: refused only for lacking credentials...
    comm, connected, _ = await open_socket("/ocpp/CP-HOME", [], ["ocpp1.6"])
    assert not connected
    # ...and accepted with them.
    comm, connected, subprotocol = await open_socket("/ocpp/CP-HOME", [basic("CP-HOME")], ["ocpp1.6"])
    assert connected and subprotocol == "ocpp1.6"


async def test_charger_route_ignores_a_foreign_origin(charger, open_socket):
    headers = [basic("CP-HOME"), (b"origin", b"https://elsewhere.example")]
    comm, connected, _ = await open_socket("/ocpp/CP-HOME", headers, ["ocpp1.6"])
    assert connected


# -- /ws/live/ -------------------------------------------------------------------------------------


async def test_live_socket_refuses_anonymous_visitors(db, open_socket):
    comm, connected, code = await open_socket("/ws/live/", [(b"origin", b"http://testserver")])
    assert not connected
    assert code == 4401


async def test_live_socket_refuses_a_foreign_origin(owner, open_socket):
    headers = [(b"origin", b"https://evil.example"), (b"cookie", await session_cookie(owner))]
    comm, connected, _ = await open_socket("/ws/live/", headers)
    assert not connected


async def test_live_socket_pushes_the_unread_count_to_its_user_only(owner, member, open_socket):
    owner_socket, connected, _ = await open_socket(
        "/ws/live/", [(b"origin", b"http://testserver"), (b"cookie", await session_cookie(owner))]
    )
    assert connected
    member_socket, connected, _ = await open_socket(
        "/ws/live/", [(b"origin", b"http://testserver"), (b"cookie", await session_cookie(member))]
    )
    assert connected

    await database_sync_to_async(Notification.objects.create)(user=owner, title="Older, unread")
    await database_sync_to_async(notification_create)(user=owner, kind="general", title="Hello")

    assert await owner_socket.receive_json_from(timeout=5) == {"event": "notification", "unread": 2}
    assert await member_socket.receive_nothing(timeout=0.3)


async def test_live_socket_subscribes_only_to_visible_chargers(owner, member, charger, open_socket):
    comm, connected, _ = await open_socket(
        "/ws/live/", [(b"origin", b"http://testserver"), (b"cookie", await session_cookie(member))]
    )
    assert connected
    await comm.send_json_to({"subscribe": "charger", "id": "CP-HOME"})
    assert await comm.receive_json_from(timeout=5) == {"error": "not_found"}

    comm, connected, _ = await open_socket(
        "/ws/live/", [(b"origin", b"http://testserver"), (b"cookie", await session_cookie(owner))]
    )
    assert connected
    await comm.send_json_to({"subscribe": "charger", "id": "CP-HOME"})
    assert await comm.receive_json_from(timeout=5) == {"subscribed": "CP-HOME"}


# -- through a real server ----------------------------------------------------------------------


async def connect_live(srv, cookie: bytes | None, origin: str | None = None):
    headers = {"Cookie": cookie.decode()} if cookie else {}
    return await websockets.connect(
        f"ws://127.0.0.1:{srv.port}/ws/live/", additional_headers=headers,
        origin=origin or f"http://127.0.0.1:{srv.port}", open_timeout=10,
    )


async def test_live_socket_of_a_real_server(server, owner):
    cookie = await session_cookie(owner)

    with pytest.raises(websockets.InvalidStatus):
        await connect_live(server, None)
    with pytest.raises(websockets.InvalidStatus):
        await connect_live(server, cookie, origin="http://evil.example")

    ws = await connect_live(server, cookie)
    try:
        await ws.send('{"subscribe": "charger", "id": "NOPE"}')
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"error": "not_found"}
    finally:
        await ws.close()


@pytest.mark.skipif(not REDIS, reason="a push from another process needs the Redis channel layer")
async def test_live_push_from_another_process_arrives_through_redis(server, owner):
    ws = await connect_live(server, await session_cookie(owner))
    try:
        await database_sync_to_async(notification_create)(user=owner, kind="general", title="Hi")
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"event": "notification", "unread": 1}
    finally:
        await ws.close()
