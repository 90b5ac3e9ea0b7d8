"""WCC Portal gateway benchmark (a script, not a test).

Runs, in one go on this machine:
1. full speed: N chargers sending a message mix as fast as answers come, against
   (a) the bare `ocpp` + `websockets` reference server (no database), (b) the
   straightforward gateway of issue 3 (the same handlers with one ORM write per message,
   bench/straightforward_server.py) and (c) one Daphne worker of the platform on
   PostgreSQL + Redis, every transaction message committed before its answer. The ratios
   to (a) and (b) hold on a fast or slow moment of the machine; absolute figures do not;
2. soak: 10,000 chargers at realistic traffic for 10 minutes against one Daphne worker;
3. storm: all of them reconnecting at once, then finishing their open transactions.

The server runs on core 0; the load generator, PostgreSQL and Redis on core 1 (the
services are moved there for the run and back afterwards). Results are printed and written
to bench/results/<name>.json.

    .venv/bin/python bench/run.py                       # everything (about 25 minutes)
    .venv/bin/python bench/run.py --chargers 2000 --duration 120 --full-speed-seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import gc
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wcc_bench")
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
PASSWORD = "bench-charger-password"
SERVER_ENV = {
    "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 60, "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CREDENTIALS_KEY": "YmVuY2gtY3JlZGVudGlhbHMta2V5LTAxMjM0NTY3ODk=", "SECURE_SSL_REDIRECT": "0",
    "DATABASE_URL": BENCH_DB, "REDIS_URL": BENCH_REDIS, "LOG_LEVEL": "WARNING",
    "OCPP_HEARTBEAT_INTERVAL": "60", "CHANNELS_PREFIX": "wccbench", "CACHE_PREFIX": "wccbench",
}
TICK = os.sysconf("SC_CLK_TCK")


def setup_django():
    os.environ.update(SERVER_ENV)
    # The orchestrator drops and recreates the database: no pooled connections here (the
    # server keeps the production default, pooled).
    os.environ["DATABASE_POOL"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "wccportal.settings"
    import django

    django.setup()


def reset_database(chargers: int):
    """A fresh benchmark database with the chargers, one owner and a tag per charger."""
    import psycopg
    from django.db import connections

    connections.close_all()
    base, name = BENCH_DB.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ, **SERVER_ENV})
    import redis

    redis.Redis.from_url(BENCH_REDIS).flushdb()
    from accounts.models import User
    from chargers.models import ChargePoint, Connector, IdTag
    from chargers.passwords import hash_secret

    owner = User.objects.create_user("bench@example.com", None)
    ChargePoint.objects.bulk_create(
        [ChargePoint(charge_point_id=f"BENCH-{i:05d}", owner=owner, password_hash=hash_secret(PASSWORD))
         for i in range(chargers)], batch_size=2000)
    pks = list(ChargePoint.objects.values_list("pk", flat=True))
    Connector.objects.bulk_create([Connector(charge_point_id=pk, connector_id=c) for pk in pks for c in (0, 1)],
                                  batch_size=5000)
    IdTag.objects.bulk_create([IdTag(id_tag=f"BT{i:05d}", user=owner) for i in range(chargers)], batch_size=5000)
    connections.close_all()  # the next reset drops the database: hold no connection to it


class Proc:
    def __init__(self, args, name):
        log = (ROOT / "bench" / "results" / f"{name}.log").open("w")
        env = {**os.environ, **SERVER_ENV}
        env.pop("DATABASE_POOL", None)
        self.p = subprocess.Popen(["taskset", "-c", "0", *args], cwd=ROOT, env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        self.name = name

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.p.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.p.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(15)
        except subprocess.TimeoutExpired:
            self.p.kill()


def pin_services(cores: set[int]) -> int:
    """Move PostgreSQL and Redis (every process and thread; new backends inherit the
    postmaster's) to ``cores``. On this two-core machine they otherwise also run on the
    server's core and take a fifth of it, which is not the worker's to give: in production
    the database has its own machine. Returns how many threads were moved."""
    moved = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if not (comm.startswith("postgres") or comm.startswith("redis")):
                continue
            for tid in os.listdir(f"/proc/{pid}/task"):
                os.sched_setaffinity(int(tid), cores)
                moved += 1
        except (OSError, PermissionError):
            continue
    return moved


def wait_port(port: int, timeout=30):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def start_platform(port: int) -> Proc:
    proc = Proc([sys.executable, "-m", "daphne", "-e", f"tcp:{port}:interface=127.0.0.1:backlog=4096",
                 "--websocket_timeout", "-1", "--websocket_connect_timeout", "60", "wccportal.asgi:application"],
                "daphne")
    wait_port(port)
    return proc


def start_reference(port: int) -> Proc:
    proc = Proc([sys.executable, "bench/reference_server.py", str(port)], "reference")
    wait_port(port)
    return proc


def start_straightforward(port: int) -> Proc:
    proc = Proc([sys.executable, "bench/straightforward_server.py", str(port)], "straightforward")
    wait_port(port)
    return proc


async def connect_all(url, ids, make, concurrency=400):
    sem = asyncio.Semaphore(concurrency)
    failures = 0

    async def one(cp_id):
        nonlocal failures
        async with sem:
            for _attempt in range(3):
                try:
                    return await make(url, cp_id)
                except Exception:
                    await asyncio.sleep(0.5)
            failures += 1
            return None

    results = await asyncio.gather(*[one(i) for i in ids])
    return [r for r in results if r is not None], failures


async def full_speed(url: str, server: Proc, chargers: int, seconds: float, mix: str) -> dict:
    from loadgen import RawCharger, Stats, open_ws

    stats = Stats()
    ids = [f"BENCH-{i:05d}" for i in range(chargers)]

    async def make(url, cp_id):
        ws = await open_ws(url, cp_id, PASSWORD)
        rc = RawCharger(ws, cp_id, "BT" + cp_id[-5:], stats)
        await rc.call("BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "B1"})
        return rc

    clients, failures = await connect_all(url, ids, make)
    stats.latency.clear()
    stats.answered = 0
    cpu0, t0 = server.cpu_seconds(), time.perf_counter()
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    await asyncio.gather(*[c.full_speed(until, mix) for c in clients])
    elapsed = time.perf_counter() - t0
    cpu = server.cpu_seconds() - cpu0
    for c in clients:
        await c.ws.close()
    return {"mix": mix, "chargers": chargers, "connect_failures": failures, "seconds": round(elapsed, 1),
            "messages": stats.answered, "messages_per_s": round(stats.answered / elapsed),
            "server_cpu_percent": round(100 * cpu / elapsed), "actions": stats.summary()}


async def soak_and_storm(url: str, server: Proc, chargers: int, duration: float) -> dict:
    from loadgen import Stats, realistic, sim_connect

    from sessions_app.models import ChargingSession, MeterValue

    stats = Stats()
    rss_idle = server.rss_kib()
    ids = [f"BENCH-{i:05d}" for i in range(chargers)]
    t0 = time.perf_counter()
    clients, failures = await connect_all(url, ids, lambda u, i: sim_connect(u, i, PASSWORD, stats))
    connect_seconds = time.perf_counter() - t0
    # The load generator is the measuring instrument: 10,000 clients' objects made its own
    # cyclic collector pause it for seconds, which showed up as the server's latency.
    gc.collect()
    gc.freeze()
    await asyncio.sleep(5)
    rss_connected = server.rss_kib()
    loop = asyncio.get_running_loop()
    print(f"  {len(clients)} connected in {connect_seconds:.0f} s; soaking {duration:.0f} s", flush=True)
    # About 30 % of the chargers are already charging when the measurement starts.
    sem = asyncio.Semaphore(200)

    async def begin(c):
        async with sem:
            return await c.start_transaction(1, "BT" + c.id[-5:])

    charging = random.sample(clients, int(len(clients) * 0.3))
    running = dict(zip([c.id for c in charging], await asyncio.gather(*[begin(c) for c in charging]), strict=True))
    connect_stats, stats = stats, Stats()  # the soak's figures leave the set-up burst out
    for c in clients:
        c.stats = stats
    until = loop.time() + duration
    cpu0, s0, answered0 = server.cpu_seconds(), time.perf_counter(), stats.answered
    tasks = [asyncio.ensure_future(realistic(c, "BT" + c.id[-5:], until, running.get(c.id))) for c in clients]
    async def progress():
        last_answered, last_cpu, last_t = 0, server.cpu_seconds(), time.perf_counter()
        while True:
            await asyncio.sleep(60)
            now, cpu = time.perf_counter(), server.cpu_seconds()
            print(f"  {now - s0:4.0f} s: {(stats.answered - last_answered) / (now - last_t):.0f} msg/s, "
                  f"server CPU {100 * (cpu - last_cpu) / (now - last_t):.0f} %, RSS {server.rss_kib() // 1024} MiB",
                  flush=True)
            last_answered, last_cpu, last_t = stats.answered, cpu, now

    monitor = asyncio.ensure_future(progress())
    open_tx = await asyncio.gather(*tasks, return_exceptions=True)
    monitor.cancel()
    soak_elapsed = time.perf_counter() - s0
    soak_cpu = server.cpu_seconds() - cpu0
    soak_messages = stats.answered - answered0
    rss_after_soak = server.rss_kib()
    soak_summary = stats.summary()
    exceptions = [r for r in open_tx if isinstance(r, BaseException)]

    # Storm: every socket dies at once; every charger reconnects and boots.
    carrying = {c.id: tx for c, tx in zip(clients, open_tx, strict=True) if tx and not isinstance(tx, BaseException)}
    for c in clients:
        c.listener.cancel()
        c._connection.transport.abort()
    await asyncio.sleep(1)
    storm_stats = Stats()
    t0 = time.perf_counter()
    reconnected, storm_failures = await connect_all(url, ids, lambda u, i: sim_connect(u, i, PASSWORD, storm_stats),
                                                    concurrency=2000)
    storm_seconds = time.perf_counter() - t0

    # The transactions open before the storm carry on and finish on the new sockets.
    by_id = {c.id: c for c in reconnected}

    async def finish(cp_id, tx):
        cp = by_id.get(cp_id)
        if cp is None:
            return False
        cp.transactions[tx.transaction_id] = tx
        await cp.send_meter_values(tx, 30)
        await cp.stop_transaction(tx.transaction_id, "EVDisconnected")
        return True

    finished = await asyncio.gather(*[finish(i, tx) for i, tx in carrying.items()])
    await asyncio.sleep(2)
    for c in reconnected:
        c.listener.cancel()
        await c._connection.close()

    started_client = sum(s.summary().get("StartTransaction", {}).get("count", 0) for s in (connect_stats, stats))
    from asgiref.sync import sync_to_async

    db_sessions = await sync_to_async(ChargingSession.objects.count)()
    db_open = await sync_to_async(ChargingSession.objects.filter(status="active").count)()
    db_meter_rows = await sync_to_async(MeterValue.objects.count)()
    return {
        "chargers": chargers, "connect_failures": failures, "connect_seconds": round(connect_seconds, 1),
        "connect_actions": connect_stats.summary(),
        "memory_kib_per_connection": round((rss_connected - rss_idle) / max(len(clients), 1), 1),
        "rss_mib": {"idle": rss_idle // 1024, "connected": rss_connected // 1024,
                    "after_soak": rss_after_soak // 1024},
        "soak": {"seconds": round(soak_elapsed), "messages": soak_messages,
                 "messages_per_s": round(soak_messages / soak_elapsed, 1),
                 "server_cpu_percent": round(100 * soak_cpu / soak_elapsed, 1),
                 "client_exceptions": len(exceptions), "actions": soak_summary},
        "storm": {"reconnected": len(reconnected), "failures": storm_failures,
                  "all_booted_seconds": round(storm_seconds, 1),
                  "slowest_boot_s": round(max((c.booted_in for c in reconnected), default=0), 2),
                  "open_transactions_carried": len(carrying), "finished_after_storm": sum(finished),
                  "actions": storm_stats.summary()},
        "integrity": {"transactions_started_by_chargers": started_client, "sessions_in_db": db_sessions,
                      "still_open_in_db": db_open, "meter_value_rows": db_meter_rows},
    }


def measure_full_speed(start, port: int, path: str, chargers: int, seconds: float, mix: str,
                       fresh_database: bool) -> dict:
    """One server's full-speed run: started, measured, stopped (on a fresh database if it has one)."""
    if fresh_database:
        reset_database(chargers)
    server = start(port)
    try:
        return asyncio.run(full_speed(f"ws://127.0.0.1:{port}{path}", server, chargers, seconds, mix))
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chargers", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--full-speed-chargers", type=int, default=200)
    parser.add_argument("--full-speed-seconds", type=float, default=60)
    parser.add_argument("--only", choices=["full-speed", "soak"], default=None)
    parser.add_argument("--mixes", default="realistic,transaction-heavy",
                        help="full-speed message mixes: realistic, transaction-heavy, heartbeat")
    parser.add_argument("--name", default="latest")
    args = parser.parse_args()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {1})  # the load generator's core
    random.seed(1)
    gc.set_threshold(50_000, 2, 1000)  # as the worker's (wccportal.asgi): no long pauses of the instrument
    all_cores = set(range(os.cpu_count() or 1))
    if len(all_cores) > 1:
        print(f"PostgreSQL and Redis pinned to core 1 ({pin_services({1})} threads) for the run", flush=True)
        atexit.register(pin_services, all_cores)  # back to every core, however the run ends
    setup_django()
    report = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0],
                          "services_on_load_generator_core": len(all_cores) > 1}}
    if args.only in (None, "full-speed"):
        for mix in args.mixes.split(","):
            run = (args.full_speed_chargers, args.full_speed_seconds, mix)
            reference = measure_full_speed(start_reference, 8901, "", *run, fresh_database=False)
            straightforward = measure_full_speed(start_straightforward, 8904, "", *run, fresh_database=True)
            platform = measure_full_speed(start_platform, 8902, "/ocpp", *run, fresh_database=True)
            report[f"full_speed_{mix}"] = {
                "reference": reference, "straightforward": straightforward, "platform": platform,
                "ratio": round(platform["messages_per_s"] / reference["messages_per_s"], 2),
                "ratio_to_straightforward": round(platform["messages_per_s"] / straightforward["messages_per_s"], 2),
            }
            print(f"{mix}: reference {reference['messages_per_s']} msg/s, straightforward "
                  f"{straightforward['messages_per_s']} msg/s, platform {platform['messages_per_s']} msg/s",
                  flush=True)
    if args.only in (None, "soak"):
        reset_database(args.chargers)
        server = start_platform(8903)
        try:
            report["platform_soak"] = asyncio.run(soak_and_storm("ws://127.0.0.1:8903/ocpp", server,
                                                                 args.chargers, args.duration))
        finally:
            server.stop()
    out = ROOT / "bench" / "results" / f"{args.name}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
