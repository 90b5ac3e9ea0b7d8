"""The upload link (CP-7, CP-10): a charger sends its diagnostics file once, with PUT or POST,
no session; the file lands in private storage. Too large, unknown, expired, failed or spent
links keep nothing and give nothing away."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from chargers.diagnostics import diagnostics_request
from chargers.models import DiagnosticsFile
from tests.diagnostics.helpers import online, stored_files, upload_path

pytestmark = pytest.mark.django_db

LOG = b"2026-01-01T10:00:00Z INFO boot\n" * 100


@pytest.fixture
def row(charger, owner):
    online(charger)
    return diagnostics_request(charge_point=charger, acting_user=owner)


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)  # as a charger: no session, no CSRF token


def assert_kept(row, content: bytes, name: str):
    row.refresh_from_db()
    assert row.status == DiagnosticsFile.Status.UPLOADED
    assert row.file_name == name and row.size == len(content) and row.uploaded_at is not None
    path = Path(row.file.path)
    assert path.is_relative_to(Path(str(settings.PRIVATE_ROOT)))
    assert path.read_bytes() == content
    assert not str(row.file.name).startswith(str(settings.MEDIA_ROOT))


def test_put_raw_body_with_the_file_name_in_the_path(client, row, charger):
    response = client.put(upload_path(row) + "CP-HOME-diag.log", LOG, content_type="text/plain")
    assert response.status_code == 201, response.content
    assert response.json() == {"status": "uploaded", "size": len(LOG)}
    assert_kept(row, LOG, "CP-HOME-diag.log")
    assert len(stored_files(charger)) == 1


def test_put_to_the_link_as_given_uses_the_announced_file_name(client, row):
    DiagnosticsFile.objects.filter(pk=row.pk).update(file_name="announced.tar.gz")
    response = client.put(upload_path(row), b"\x1f\x8b binary", content_type="application/octet-stream")
    assert response.status_code == 201
    assert_kept(row, b"\x1f\x8b binary", "announced.tar.gz")


def test_put_without_slash_and_without_any_name_gets_a_generated_one(client, row):
    response = client.put(upload_path(row).rstrip("/"), LOG, content_type="text/plain")
    assert response.status_code == 201
    row.refresh_from_db()
    assert row.file_name.startswith("diagnostics-CP-HOME-") and row.file_name.endswith(".log")


def test_post_multipart_with_one_file_field(client, row):
    upload = SimpleUploadedFile("../secret/diag.zip", b"PK\x03\x04 zipped", content_type="application/zip")
    response = client.post(upload_path(row), {"anything": upload})
    assert response.status_code == 201, response.content
    assert_kept(row, b"PK\x03\x04 zipped", "diag.zip")


def test_post_raw_body_with_content_disposition(client, row):
    response = client.generic("POST", upload_path(row), LOG, content_type="application/octet-stream",
                              headers={"Content-Disposition": 'attachment; filename="from header.log"'})
    assert response.status_code == 201
    assert_kept(row, LOG, "from header.log")


def test_the_link_is_spent_after_one_upload(client, row):
    assert client.put(upload_path(row), LOG, content_type="text/plain").status_code == 201
    again = client.put(upload_path(row), b"other", content_type="text/plain")
    assert again.status_code == 404 and again.json() == {"error": "not_found"}
    row.refresh_from_db()
    assert Path(row.file.path).read_bytes() == LOG


@override_settings(DIAGNOSTICS_MAX_BYTES=1000)
@pytest.mark.parametrize("how", ["put", "multipart"])
def test_too_large_is_refused_and_nothing_is_kept(client, row, charger, how):
    body = b"x" * 1001
    if how == "put":
        response = client.put(upload_path(row), body, content_type="text/plain")
    else:
        # Small enough to pass the up-front check with the multipart allowance, too big as a file.
        response = client.post(upload_path(row), {"f": SimpleUploadedFile("big.log", b"x" * 1500)})
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    row.refresh_from_db()
    assert row.status == DiagnosticsFile.Status.REQUESTED and not row.file and row.size is None
    assert stored_files(charger) == []
    # The link still works for a file within the limit.
    assert client.put(upload_path(row), b"y" * 1000, content_type="text/plain").status_code == 201


def test_unknown_token_is_404(client, row):
    response = client.put("/diagnostics/" + "A" * 43 + "/", LOG, content_type="text/plain")
    assert response.status_code == 404 and response.json() == {"error": "not_found"}


@pytest.mark.parametrize("state", ["expired-by-time", "expired", "failed", "uploaded"])
def test_closed_requests_take_no_upload(client, row, charger, state):
    if state == "expired-by-time":
        DiagnosticsFile.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        DiagnosticsFile.objects.filter(pk=row.pk).update(status=state)
    response = client.put(upload_path(row), LOG, content_type="text/plain")
    assert response.status_code == 404 and response.json() == {"error": "not_found"}
    assert stored_files(charger) == []


def test_an_uploading_request_still_takes_its_file(client, row):
    DiagnosticsFile.objects.filter(pk=row.pk).update(status="uploading")
    assert client.put(upload_path(row), LOG, content_type="text/plain").status_code == 201


@pytest.mark.parametrize(("method", "kwargs", "status", "code"), [
    ("get", {}, 405, None),
    ("put", {"data": b"", "content_type": "text/plain"}, 400, "empty"),
    ("post", {"data": {"a": SimpleUploadedFile("a.log", b"a"), "b": SimpleUploadedFile("b.log", b"b")}}, 400,
     "one_file_expected"),
    ("post", {"data": {"field": "no file"}}, 400, "one_file_expected"),
])
def test_bad_uploads(client, row, charger, method, kwargs, status, code):
    response = getattr(client, method)(upload_path(row), **kwargs)
    assert response.status_code == status
    if code:
        assert response.json() == {"error": code}
    row.refresh_from_db()
    assert row.status == DiagnosticsFile.Status.REQUESTED and stored_files(charger) == []


def test_the_upload_needs_no_login_and_ignores_one(client, row, outsider):
    client.force_login(outsider)
    assert client.put(upload_path(row), LOG, content_type="text/plain").status_code == 201
