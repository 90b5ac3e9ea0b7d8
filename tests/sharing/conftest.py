from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def later():
    """A valid expiry: three days from now."""
    return (timezone.now() + timedelta(days=3)).replace(microsecond=0)
