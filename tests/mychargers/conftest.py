import pytest


@pytest.fixture(autouse=True)
def _configuration_keys(configuration_keys):
    """Every test here sees the platform's default configuration keys."""
