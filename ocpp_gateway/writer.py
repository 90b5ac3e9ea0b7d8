"""Group commit for the gateway: many chargers' messages, one database transaction.

Handlers submit jobs and await them; a single loop per process takes every job queued so
far, runs them in one transaction (each job in its own savepoint, MeterValues of all
chargers as one bulk insert, pending frame-log rows as another) and answers each waiting
handler only after the commit. A charger therefore never gets an acknowledgement for data
that is not stored, and the cost of a commit is shared by all messages of the batch.

Chargers' "last seen" times are kept in memory and written for all of them every few
seconds in two UPDATE statements: a heartbeat costs no write of its own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from wccportal.lib import sql
from wccportal.lib.realtime import install_publisher

log = logging.getLogger(__name__)

MAX_BATCH = 500
FRAME_FLUSH_SECONDS = 0.25
SEEN_FLUSH_SECONDS = 5.0
DB_THREADS = 3


@dataclass
class Job:
    func: Callable | None  # a service called with kwargs, or None for MeterValues
    kwargs: dict
    future: asyncio.Future
    meter: tuple[int, dict] | None = None


@dataclass
class Frame:
    """A frame-log row; filled in as the frame is understood (it is logged before parsing)."""

    charge_point_id: str
    direction: str
    payload: str
    created_at: object = field(default_factory=timezone.now)
    message_type: int | None = None
    action: str = ""
    message_id: str = ""


class BatchWriter:
    def __init__(self):
        self.queue: asyncio.Queue[Job] = asyncio.Queue()
        self.frames: list[Frame] = []
        self.seen: dict[int, bool] = {}
        self._last_seen_flush = time.monotonic()
        loop = asyncio.get_running_loop()
        # One dedicated thread keeps its database connection across batches: recycling it
        # around every call, as database_sync_to_async does, costs more than the batch.
        # SQLite has one writer at a time: more threads would only queue for its lock.
        self.threads = 1 if connection.vendor == "sqlite" else DB_THREADS
        self.executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="gateway-db")
        self.task = loop.create_task(self._run())
        install_publisher(loop)
        self.batches = 0
        self.jobs_done = 0

    # -- API used by the consumer --------------------------------------------------------

    def log_frame(self, charge_point_id: str, direction: str, payload) -> Frame:
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8", "replace")
        frame = Frame(charge_point_id, direction, payload)
        self.frames.append(frame)
        return frame

    def mark_seen(self, pk: int, heartbeat: bool = False) -> None:
        self.seen[pk] = self.seen.get(pk, False) or heartbeat

    def forget(self, pk: int) -> None:
        self.seen.pop(pk, None)

    async def run(self, func: Callable, **kwargs):
        """Run ``func(**kwargs)`` inside the next batch's transaction; its result once committed."""
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(Job(func, kwargs, future))
        return await future

    async def meter_values(self, pk: int, payload: dict) -> None:
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(Job(None, {}, future, meter=(pk, payload)))
        await future

    def release_threads(self) -> None:
        """Close every database thread's connection and stop the threads (no loop needed)."""
        barrier = threading.Barrier(self.threads)

        def close_own():
            _close_connection()
            barrier.wait(timeout=10)

        for _ in range(self.threads):
            self.executor.submit(close_own)
        self.executor.shutdown(wait=True)

    async def close(self) -> None:
        """Stop the loop and release the database connections (tests, shutdown)."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        # Connections belong to their threads: each thread closes its own (the barrier makes
        # the pool run one close on every thread).
        self.release_threads()

    async def flush(self) -> None:
        """Write pending frames and seen times now (tests, shutdown)."""
        await self.run(lambda: None)

    # -- the loop ----------------------------------------------------------------------------

    async def _collect(self):
        try:
            batch = [await asyncio.wait_for(self.queue.get(), FRAME_FLUSH_SECONDS)]
        except TimeoutError:
            batch = []
        while batch and len(batch) < MAX_BATCH and not self.queue.empty():
            batch.append(self.queue.get_nowait())
        frames, self.frames = self.frames, []
        seen = None
        now = time.monotonic()
        if self.seen and now - self._last_seen_flush >= SEEN_FLUSH_SECONDS:
            seen, self.seen = self.seen, {}
            self._last_seen_flush = now
        return batch, frames, seen

    async def _run(self):
        # Several batches may be in flight, one per database thread: while one waits for
        # PostgreSQL another runs. A charger has at most one message in flight (it waits
        # for each answer), so its own messages still apply in order.
        slots = asyncio.Semaphore(self.threads)
        loop = asyncio.get_running_loop()
        while True:
            await slots.acquire()
            batch, frames, seen = await self._collect()
            if not batch and not frames and not seen:
                slots.release()
                continue
            task = loop.create_task(self._process(batch, frames, seen))
            task.add_done_callback(lambda _task: slots.release())

    async def _process(self, batch, frames, seen):
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(self.executor, self._execute, batch, frames)
        except Exception as exc:  # the whole transaction failed: every waiter learns it
            log.exception("gateway batch of %d jobs failed", len(batch))
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
            results = None
        if results is not None:
            for job, (ok, value) in zip(batch, results, strict=True):
                if job.future.done():
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
            self.batches += 1
            self.jobs_done += len(batch)
        if seen:
            try:
                await loop.run_in_executor(self.executor, _store_seen, seen)
            except Exception:
                log.exception("recording when %d chargers were seen failed", len(seen))

    @classmethod
    def _execute(cls, batch: list[Job], frames: list[Frame]):
        """One transaction for the whole batch. Jobs run without savepoints (two round trips
        each); if one fails, the batch is rolled back and replayed with a savepoint per job,
        so one charger's bad message never costs the others their answer."""
        try:
            try:
                with transaction.atomic():
                    return cls._apply(batch, frames, isolate=False)
            except _JobFailed:
                with transaction.atomic():
                    return cls._apply(batch, frames, isolate=True)
        except Exception:
            close_old_connections()  # a broken connection is replaced on the next batch
            raise
        finally:
            if connection.connection is not None and not connection.is_usable():
                connection.close()

    @staticmethod
    def _apply(batch: list[Job], frames: list[Frame], *, isolate: bool):
        from sessions_app.services import meter_values_store

        if frames:
            _store_frames(frames)
        results: list[tuple[bool, object]] = []
        meters = [job.meter for job in batch if job.meter is not None]
        meter_error = None
        if meters:
            try:
                with _maybe_savepoint(isolate):
                    meter_values_store(items=meters)
            except Exception as exc:
                if not isolate:
                    raise _JobFailed from exc
                log.exception("storing %d MeterValues failed", len(meters))
                meter_error = exc
        for job in batch:
            if job.meter is not None:
                results.append((meter_error is None, meter_error))
                continue
            try:
                with _maybe_savepoint(isolate):
                    results.append((True, job.func(**job.kwargs)))
            except Exception as exc:
                if not isolate:
                    raise _JobFailed from exc
                log.exception("gateway job %s failed", getattr(job.func, "__name__", job.func))
                results.append((False, exc))
        return results


def _store_seen(seen: dict[int, bool]) -> None:
    from chargers.services import chargers_seen

    chargers_seen(pks=list(seen), heartbeat_pks=[pk for pk, hb in seen.items() if hb], at=timezone.now())


_FRAME_COLUMNS = ("charge_point_id", "direction", "message_type", "action", "message_id", "payload", "created_at")


def _store_frames(frames: list[Frame]) -> None:
    """The frame log is the largest write: COPY on PostgreSQL, a bulk insert elsewhere."""
    from ocpp_gateway.models import OcppFrame

    rows = [
        (f.charge_point_id[:64], f.direction, f.message_type, f.action[:40], f.message_id[:64],
         f.payload.replace("\x00", ""), f.created_at)
        for f in frames
    ]
    if connection.vendor == "postgresql":
        columns = ", ".join(_FRAME_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {OcppFrame._meta.db_table} ({columns}) FROM STDIN"  # noqa: S608 - fixed names
        ) as copy:
            copy.write(sql.copy_text(rows))
        return
    OcppFrame.objects.bulk_create([OcppFrame(**dict(zip(_FRAME_COLUMNS, row, strict=True))) for row in rows],
                                  batch_size=1000)


def _close_connection():
    connection.close()  # the executor thread's own connection (connections are per thread)


class _JobFailed(Exception):
    """A job failed in a batch run without savepoints: replay with isolation."""


def _maybe_savepoint(isolate: bool):
    import contextlib

    return transaction.atomic() if isolate else contextlib.nullcontext()


_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_writer() -> BatchWriter:
    """The writer of the running event loop (one per process; tests get one per loop)."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None or writer.task.done():
        writer = BatchWriter()
        _writers[loop] = writer
    return writer
