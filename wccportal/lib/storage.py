"""Storage for private files: pictures and diagnostics that only their users may fetch."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Called by the file fields, so the location follows settings (tests use a temp dir)."""
    return FileSystemStorage(location=settings.PRIVATE_ROOT, base_url=None)
