"""Session exports benchmark (SES-5; a script, not a test): peak memory and time of each
format's writer over 10,000 and 100,000 sessions, to show that exports stream their rows.

It fills a database with sessions in bulk (a temporary SQLite file, or DATABASE_URL: a
PostgreSQL database you can spare, its sessions table is filled), then runs the export job's
own code (``sessions_app.exports.produce``: selectors, narrow ``.iterator()`` rows, the
writer) once per format and size, each in a fresh process so that its peak RSS is its own:

- ``time``: wall-clock seconds of the export, without tracemalloc;
- ``rss_peak_delta``: peak resident memory of the process during the export above what it
  held before (imports, Django, connections), from ``getrusage(RUSAGE_SELF).ru_maxrss``;
- ``py_peak``: peak of Python allocations during the export (tracemalloc, a second run).

CSV and XLSX must stay flat from 10k to 100k rows. A PDF is laid out whole by WeasyPrint,
so it grows with its rows; it is capped at EXPORT_PDF_MAX_SESSIONS (5,000) and measured
at 1,000 and at the cap (drivers of their own: 116,000 sessions in all).

    .venv/bin/python bench/exports_memory.py                   # about 5 minutes
    .venv/bin/python bench/exports_memory.py --sizes 10000 100000 --pdf-sizes 1000 5000
    DATABASE_URL=postgres://... .venv/bin/python bench/exports_memory.py

Results are printed and written to bench/results/exports-memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {
    "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 60, "ALLOWED_HOSTS": "localhost",
    "CREDENTIALS_KEY": "YmVuY2gtY3JlZGVudGlhbHMta2V5LTAxMjM0NTY3ODk=", "SECURE_SSL_REDIRECT": "0",
    "DATABASE_POOL": "0", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "wccportal.settings",
}


def setup_django(database_url: str, exports_root: str) -> None:
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = database_url
    os.environ["EXPORTS_ROOT"] = exports_root
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def fill(sizes: list[int]) -> dict[int, int]:
    """One driver per size, each with that many finished, priced sessions on a charger of their
    own (bulk inserts). Returns {size: user id}."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from django.core.management import call_command

    from accounts.models import User
    from chargers.models import ChargePoint, IdTag
    from sessions_app.models import ChargingSession

    call_command("migrate", verbosity=0)
    ChargingSession.objects.all().delete()
    users = {}
    tariff = {"name": "Standard", "currency": "EUR", "price_per_kwh": "0.30", "connection_fee": "1.00"}
    for size in sizes:
        email = f"bench-export-{size}@example.com"
        User.objects.filter(email=email).delete()
        user = User.objects.create_user(email=email, password="bench-password", first_name="Bench",
                                        last_name=f"Driver {size}")
        cp, _ = ChargePoint.objects.update_or_create(
            charge_point_id=f"BENCH-EXPORT-{size}",
            defaults={"name": f"Bench {size}", "owner": user, "claim_code": f"BENCH{size}"})
        tag = IdTag.objects.create(id_tag=f"BX{size}", user=user, alias="Bench card")
        start = datetime(2020, 1, 1, tzinfo=UTC)
        batch = []
        meter = 0
        for i in range(size):
            began = start + timedelta(hours=6 * i)
            wh = 5000 + (i * 7919) % 40000
            energy = Decimal(wh) / 1000
            total = (energy * Decimal("0.30")).quantize(Decimal("0.01")) + Decimal("1.00")
            batch.append(ChargingSession(
                charge_point=cp, connector_id=1 + i % 2, id_tag=tag.id_tag, tag=tag, user=user,
                status=ChargingSession.Status.COMPLETED, started_at=began,
                stopped_at=began + timedelta(minutes=30 + i % 240), meter_start=meter, meter_stop=meter + wh,
                last_meter_wh=meter + wh, max_power_w=3700 + (i % 8) * 1000, stop_reason="EVDisconnected",
                tariff_snapshot=tariff, currency="EUR", cost_energy=total - 1, cost_connection=Decimal("1.00"),
                total_cost=total, vehicle_mileage_km=10000 + i * 30 if i % 3 == 0 else None,
                vehicle_id="B-EV 100" if i % 3 == 0 else "",
            ))
            meter += wh
            if len(batch) == 5000:
                ChargingSession.objects.bulk_create(batch)
                batch = []
        ChargingSession.objects.bulk_create(batch)
        users[size] = user.pk
    return users


def measure(user_id: int, fmt: str, traced: bool) -> dict:
    """Run one export in this (fresh) process; memory deltas against the state just before."""
    import gc
    import tracemalloc

    # Everything the export imports is loaded first, so the delta is the export's own memory.
    import openpyxl  # noqa: F401
    import weasyprint  # noqa: F401

    from sessions_app import exports
    from sessions_app.models import SessionExport

    export = SessionExport.objects.create(user_id=user_id, format=fmt, scope=SessionExport.Scope.ALL)
    path = Path(os.environ["EXPORTS_ROOT"]) / f"bench-{user_id}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    began = time.perf_counter()
    rows = exports.produce(export, path)
    elapsed = time.perf_counter() - began
    py_peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = path.stat().st_size
    path.unlink()
    export.delete()
    return {"rows": rows, "seconds": round(elapsed, 2), "rss_peak_delta_kib": rss_after - rss_before,
            "rss_before_kib": rss_before, "py_peak_kib": py_peak // 1024 if py_peak is not None else None,
            "file_bytes": size}


def child(args) -> None:
    setup_django(args.database_url, args.exports_root)
    result = measure(args.user, args.format, args.traced)
    print(json.dumps(result))


def run_child(args, user: int, fmt: str, traced: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", "--database-url", args.database_url, "--exports-root",
           args.exports_root, "--user", str(user), "--format", fmt]
    if traced:
        cmd.append("--traced")
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"export run failed: {' '.join(cmd)}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--pdf-sizes", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "pdf"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--exports-root", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory(prefix="wcc-bench-exports-") as tmp:
        args.database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        args.exports_root = args.exports_root or f"{tmp}/exports"
        setup_django(args.database_url, args.exports_root)
        sizes = sorted(set(args.sizes) | (set(args.pdf_sizes) if "pdf" in args.formats else set()))
        began = time.perf_counter()
        users = fill(sizes)
        print(f"filled {sum(sizes):,} sessions in {time.perf_counter() - began:.1f} s "
              f"({args.database_url.split(':')[0]})")
        results = []
        for fmt in args.formats:
            for n in args.pdf_sizes if fmt == "pdf" else args.sizes:
                plain = run_child(args, users[n], fmt, traced=False)
                traced = run_child(args, users[n], fmt, traced=True)
                row = {"format": fmt, "sessions": plain["rows"], "seconds": plain["seconds"],
                       "rows_per_second": round(plain["rows"] / plain["seconds"]) if plain["seconds"] else None,
                       "rss_peak_delta_mib": round(plain["rss_peak_delta_kib"] / 1024, 1),
                       "rss_before_mib": round(plain["rss_before_kib"] / 1024, 1),
                       "py_peak_mib": round(traced["py_peak_kib"] / 1024, 1),
                       "file_mib": round(plain["file_bytes"] / 2**20, 2)}
                assert row["sessions"] == n, row
                results.append(row)
                print(f"{fmt:>4} {n:>7,} sessions: {row['seconds']:>6.1f} s ({row['rows_per_second']:,}/s)  "
                      f"peak RSS +{row['rss_peak_delta_mib']:.1f} MiB  Python peak {row['py_peak_mib']:.1f} MiB  "
                      f"file {row['file_mib']:.2f} MiB", flush=True)
    out = ROOT / "bench" / "results" / "exports-memory.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cpu_count": os.cpu_count(), "python": sys.version.split()[0],
                               "results": results}, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
