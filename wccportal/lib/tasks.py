"""Jobs are enqueued by dotted path once the transaction that asked for them commits."""

import threading

from django.db import transaction
from django_q.brokers import get_broker
from django_q.tasks import async_task

_broker = None
_broker_lock = threading.Lock()


def broker():
    """This process's job broker. django-q makes a new one, with a new Redis client and
    connection, for every job it is not given one for: a reconnect storm enqueues a job per
    booted charger, and the connection set-up cost more than the rest of the boot."""
    global _broker
    if _broker is None:
        with _broker_lock:
            if _broker is None:
                _broker = get_broker()
    return _broker


def enqueue_now(func_path: str, *args, **kwargs):
    return async_task(func_path, *args, broker=broker(), **kwargs)


def enqueue_on_commit(func_path: str, *args, **kwargs) -> None:
    """Run ``func_path(*args, **kwargs)`` in the job cluster after a successful commit.

    Tasks take ids, never model instances: the row is reloaded by the worker.
    """
    transaction.on_commit(lambda: async_task(func_path, *args, broker=broker(), **kwargs))


# --- Jobs that talk to chargers ---------------------------------------------------------------

_gateway_executor = None


def _layer_crosses_processes() -> bool:
    from django.conf import settings

    return "InMemory" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]


def enqueue_for_chargers_on_commit(func_path: str, *args, **kwargs) -> None:
    """Like ``enqueue_on_commit``, for jobs that send commands to chargers.

    With a channel layer that crosses processes (Redis) they go to the job cluster like any
    other job. The embedded default's in-memory layer reaches only the sockets of its own
    process, so there they run in this process (the web server holding the chargers), on one
    background thread, after the commit.
    """
    from django.conf import settings

    if _layer_crosses_processes() or settings.Q_CLUSTER.get("sync"):
        enqueue_on_commit(func_path, *args, **kwargs)
        return
    transaction.on_commit(lambda: _executor().submit(_run_here, func_path, args, kwargs))


def charger_schedules_here() -> bool:
    """Whether the schedules that send commands to chargers run in the web server's process
    (embedded default: the in-memory layer reaches only its sockets) instead of the cluster."""
    from django.conf import settings

    return not _layer_crosses_processes() and not settings.Q_CLUSTER.get("sync")


_charger_schedules = None


def start_charger_schedules() -> None:
    """Embedded default: run the schedules marked ``chargers`` (wccportal.schedules) here, in
    the process serving the charger sockets, on the charger-jobs thread; ``sync_schedules``
    leaves them out of the job cluster then. With Redis (or sync jobs) nothing happens: the
    cluster runs them and reaches every socket through the layer. Called once by the ASGI app."""
    global _charger_schedules
    if _charger_schedules is not None or not charger_schedules_here():
        return
    import threading

    _charger_schedules = threading.Thread(target=_charger_schedules_loop, name="charger-schedules", daemon=True)
    _charger_schedules.start()


def _charger_schedules_loop() -> None:
    import time

    from wccportal.schedules import SCHEDULES

    due: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for entry in SCHEDULES:
            if entry.chargers and due.get(entry.func, 0.0) <= now:
                due[entry.func] = now + entry.minutes * 60
                _executor().submit(_run_here, entry.func, (), {})
        time.sleep(1)


def _executor():
    global _gateway_executor
    if _gateway_executor is None:
        from concurrent.futures import ThreadPoolExecutor

        _gateway_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charger-jobs")
    return _gateway_executor


def _run_here(func_path: str, args: tuple, kwargs: dict) -> None:
    import logging

    from django.db import connections
    from django.utils.module_loading import import_string

    try:
        import_string(func_path)(*args, **kwargs)
    except Exception:
        logging.getLogger(__name__).exception("job %s failed", func_path)
    finally:
        connections.close_all()  # this thread's connections only
