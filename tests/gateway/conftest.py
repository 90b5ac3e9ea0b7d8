import pytest
from channels.db import database_sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_gateway_connections():
    """The gateway's database thread keeps a connection; close it so teardown can drop the DB."""
    yield
    from ocpp_gateway.writer import _writers

    for loop, writer in list(_writers.items()):
        if loop.is_running():
            await writer.close()
        _writers.pop(loop, None)
    await database_sync_to_async(connections.close_all)()
