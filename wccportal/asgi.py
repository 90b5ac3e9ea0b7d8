"""One ASGI application: HTTP (Django), charger websockets and live page websockets."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wccportal.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from ocpp_gateway.consumers import OcppConsumer  # noqa: E402
from wccportal.live import LiveConsumer  # noqa: E402

websocket_routes = URLRouter(
    [
        # Chargers send no Origin header: they authenticate with HTTP Basic instead, so the
        # browser origin validator must not wrap this route (DESIGN.md §5).
        path("ocpp/<str:charge_point_id>", OcppConsumer.as_asgi()),
        path("ocpp/<str:charge_point_id>/", OcppConsumer.as_asgi()),
        path("ws/live/", AllowedHostsOriginValidator(AuthMiddlewareStack(LiveConsumer.as_asgi()))),
    ]
)

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_routes})

# Embedded default: this process holds the charger sockets, so schedules that command
# chargers run here (with Redis the job cluster runs them).
from wccportal.lib.tasks import start_charger_schedules  # noqa: E402

start_charger_schedules()

# Daphne's WebSocket stack without its per-message write and unmasking costs (issue 3).
from wccportal.lib import wire  # noqa: E402

wire.install()

# Thousands of long-lived sockets make CPython's cyclic collector rescan the same objects
# constantly (a third of the CPU at 3,000 connections): move what is loaded now out of its
# sight and collect the youngest generation less often. The middle generation is collected
# after every second young collection: with 20 (before 2026-11-22) it grew to a million
# objects, and each of its collections stopped 10,000 chargers' traffic for 0.5 to 1 s,
# most of the soak's p99 tail on a slow machine.
gc.freeze()
gc.set_threshold(50_000, 2, 1000)
