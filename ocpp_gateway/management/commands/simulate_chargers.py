import asyncio
import signal

from django.core.management.base import BaseCommand

from ocpp_gateway.simulator import SimConfig, run_charger


class Command(BaseCommand):
    help = "Connect simulated OCPP 1.6-J chargers to a running platform (Ctrl-C stops them)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="ws://127.0.0.1:8000/ocpp")
        parser.add_argument(
            "--charger", action="append", default=[], metavar="ID:PASSWORD",
            help="a provisioned charger to simulate (repeatable)",
        )
        parser.add_argument("--demo", action="store_true", help="simulate the demo data's chargers")
        parser.add_argument("--tag", action="append", default=[], help="RFID tags to charge with")
        parser.add_argument("--session-every", type=float, default=None,
                            help="start a session about every N seconds per charger")
        parser.add_argument("--meter-interval", type=float, default=30.0)
        parser.add_argument("--heartbeat-interval", type=float, default=None)
        parser.add_argument("--time-scale", type=float, default=1.0)
        parser.add_argument("--security-events", action="store_true",
                            help="send a StartupOfTheDevice security event after the first boot")

    def handle(self, *args, **opts):
        chargers = [tuple(c.split(":", 1)) for c in opts["charger"]]
        tags = list(opts["tag"])
        if opts["demo"]:
            from wccportal.demo import DEMO_CHARGERS, DEMO_TAGS

            chargers += [(cp_id, password) for cp_id, password, *_ in DEMO_CHARGERS]
            tags += DEMO_TAGS
        if not chargers:
            self.stderr.write("Nothing to simulate: give --charger ID:PASSWORD or --demo.")
            return
        asyncio.run(self._run(opts, chargers, tags))

    async def _run(self, opts, chargers, tags):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write(f"Simulating {len(chargers)} charger(s) against {opts['url']}")
        await asyncio.gather(*[
            run_charger(
                opts["url"], cp_id, password,
                SimConfig(meter_interval=opts["meter_interval"], heartbeat_interval=opts["heartbeat_interval"],
                          time_scale=opts["time_scale"], security_events=opts["security_events"]),
                id_tags=tags, session_every=opts["session_every"], stop=stop,
            )
            for cp_id, password in chargers
        ])
