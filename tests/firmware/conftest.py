import pytest

from chargers.models import FirmwareRelease

LOCATION = "https://firmware.example.com/simbox/{}"


def make_release(version, *, model="SimBox 22", vendor="", is_active=True, notes="Faster boot."):
    return FirmwareRelease.objects.create(
        model=model, vendor=vendor, version=version, location=LOCATION.format(version),
        release_notes=notes, is_active=is_active,
    )


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what would run after commit (jobs are synchronous in tests), nested ones too."""
    def run():
        return django_capture_on_commit_callbacks(execute=True)
    return run
