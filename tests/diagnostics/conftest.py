import shutil
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _empty_private_storage():
    """Database rows roll back between tests, files do not: each test starts with none (this
    run's PRIVATE_ROOT is a temporary folder of its own, see test_settings)."""
    shutil.rmtree(Path(str(settings.PRIVATE_ROOT)) / "chargers", ignore_errors=True)
    yield
