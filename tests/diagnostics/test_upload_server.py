"""The upload link on a real server (Daphne): a chunked upload with no Content-Length is cut
off at DIAGNOSTICS_MAX_BYTES while it is copied, and nothing of it is kept; files larger than
Django's in-memory limits (2.5 MB) go through, PUT and multipart POST."""

import httpx
import pytest

from chargers.diagnostics import diagnostics_request
from chargers.models import DiagnosticsFile
from tests.diagnostics.helpers import online, stored_files, upload_path

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


MB = 1024 * 1024


def chunks(count: int, size: int = MB):
    for _ in range(count):
        yield b"x" * size


def test_chunked_upload_is_limited_while_streaming(server_factory, charger, owner):
    server = server_factory("diagnostics", extra_env={"DIAGNOSTICS_MAX_BYTES": str(4 * MB)})
    online(charger)
    row = diagnostics_request(charge_point=charger, acting_user=owner)
    url = server.url + upload_path(row)
    with httpx.Client(timeout=20) as client:
        too_big = client.put(url, content=chunks(5))  # a generator: sent chunked, no length announced
        assert "content-length" not in too_big.request.headers
        assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
        row.refresh_from_db()
        assert row.status == DiagnosticsFile.Status.REQUESTED and not row.file
        assert stored_files(charger) == []

        fits = client.put(url + "diag.log", content=b"y" * (3 * MB))
        assert fits.status_code == 201, fits.text
        row.refresh_from_db()
        assert row.status == DiagnosticsFile.Status.UPLOADED and row.size == 3 * MB and row.file_name == "diag.log"
        assert len(stored_files(charger)) == 1

        second = diagnostics_request(charge_point=charger, acting_user=owner)
        posted = client.post(server.url + upload_path(second), files={"file": ("big.tar", b"z" * (3 * MB))})
        assert posted.status_code == 201, posted.text
        second.refresh_from_db()
        assert second.size == 3 * MB and second.file_name == "big.tar"
        too_big = diagnostics_request(charge_point=charger, acting_user=owner)
        refused = client.post(server.url + upload_path(too_big), files={"file": ("huge.tar", b"z" * (5 * MB))})
        assert refused.status_code == 413
        assert len(stored_files(charger)) == 2
