"""Jobs are enqueued by dotted path once the transaction that asked for them commits."""

from django.db import transaction
from django_q.tasks import async_task


def enqueue_now(func_path: str, *args, **kwargs):
    return async_task(func_path, *args, **kwargs)


def enqueue_on_commit(func_path: str, *args, **kwargs) -> None:
    """Run ``func_path(*args, **kwargs)`` in the job cluster after a successful commit.

    Tasks take ids, never model instances: the row is reloaded by the worker.
    """
    transaction.on_commit(lambda: async_task(func_path, *args, **kwargs))
