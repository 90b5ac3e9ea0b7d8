"""SES-5 API: ask for an export (202), follow it, download it with the app's token; refusals
as {"error": {"code", "message", "fields"}}; another user's export is a 404."""

import csv
import io

import pytest

from sessions_app.models import SessionExport
from tests.exports.conftest import export_now
from tests.sharing.helpers import app_client

pytestmark = pytest.mark.django_db


def post(client, **data):
    return client.post("/api/v1/exports/", data, content_type="application/json")


def test_ask_follow_and_download_with_the_app_token(sessions, member, django_capture_on_commit_callbacks):
    api = app_client(member)
    with django_capture_on_commit_callbacks(execute=True):
        r = post(api, format="csv", scope="filtered", month="2026-03", charger="CP-GROUP")
    assert r.status_code == 202, r.content
    body = r.json()
    assert (body["format"], body["scope"], body["status"], body["rows_total"]) == ("csv", "filtered", "queued", 2)
    assert body["filters"] == {"month": "2026-03", "charger": "CP-GROUP"}
    assert body["download_url"] is None

    detail = api.get(f"/api/v1/exports/{body['id']}/").json()
    assert (detail["status"], detail["progress"], detail["rows_done"]) == ("done", 100, 2)
    assert detail["description"] == "March 2026 · Residence"
    assert detail["file_name"] == "sessions-CP-GROUP-2026-03.csv"
    assert detail["download_url"] == f"http://testserver/api/v1/exports/{body['id']}/download/"
    assert "/app/exports/download/" in detail["link"]

    listing = api.get("/api/v1/exports/").json()
    assert [item["id"] for item in listing["results"]] == [body["id"]]

    r = api.get(detail["download_url"])
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="sessions-CP-GROUP-2026-03.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(sessions.m1.pk), str(sessions.m2.pk)]
    assert [row[14] for row in rows[1:]] == ["4.60", "3.25"]


def test_download_answers_clients_asking_for_the_files_type(sessions, member, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="pdf")
    api = app_client(member)
    r = api.get(f"/api/v1/exports/{export.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")


def test_another_users_export_is_a_404(sessions, member, outsider, owner, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv")
    for user in (outsider, owner):
        api = app_client(user)
        assert api.get(f"/api/v1/exports/{export.pk}/").status_code == 404
        r = api.get(f"/api/v1/exports/{export.pk}/download/")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert api.get("/api/v1/exports/").json()["results"] == []


def test_an_export_in_progress_has_nothing_to_download(sessions, member, django_capture_on_commit_callbacks):
    api = app_client(member)
    with django_capture_on_commit_callbacks(execute=False):
        export_id = post(api, format="xlsx").json()["id"]
    assert SessionExport.objects.get(pk=export_id).status == "queued"
    assert api.get(f"/api/v1/exports/{export_id}/download/").status_code == 404


@pytest.mark.parametrize(("data", "status", "code", "field"), [
    ({"format": "docx"}, 400, "invalid", "format"),
    ({"format": "csv", "scope": "filtered", "month": "03-2026"}, 400, "invalid", "month"),
    ({"format": "csv", "scope": "filtered", "charger": "CP-HOME"}, 400, "invalid_filter", "charger"),
    ({"format": "csv", "scope": "session"}, 400, "invalid_filter", "session"),
])
def test_refusals_carry_a_code_and_the_field(sessions, member, data, status, code, field):
    r = post(app_client(member), **data)
    assert r.status_code == status, r.content
    error = r.json()["error"]
    assert error["code"] == code and field in error["fields"] and error["message"]


def test_too_many_for_pdf_and_too_many_exports(sessions, member, settings):
    api = app_client(member)
    settings.EXPORT_PDF_MAX_SESSIONS = 2
    r = post(api, format="pdf")
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_many_for_pdf"
    for _ in range(3):
        assert post(api, format="csv").status_code == 202
    r = post(api, format="csv")
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_exports"


def test_another_users_session_is_a_404(sessions, outsider):
    r = post(app_client(outsider), format="pdf", scope="session", session=sessions.m1.pk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_signed_out_the_api_refuses(sessions, client):
    assert client.get("/api/v1/exports/").status_code in (401, 403)


def test_the_schema_documents_the_endpoints(client):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    import yaml

    schema = r.json() if r["Content-Type"].startswith("application/json") else yaml.safe_load(r.content)
    paths = schema["paths"]
    assert {"/api/v1/exports/", "/api/v1/exports/{id}/", "/api/v1/exports/{id}/download/"} <= set(paths)
    assert {"202", "400", "404", "409", "429"} <= set(paths["/api/v1/exports/"]["post"]["responses"])
    download = paths["/api/v1/exports/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(download)
