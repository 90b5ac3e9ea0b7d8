"""SES-5 pages: my exports (progress, download), asking for one (also from the history), and
the signed download link: only its user, only until it expires, never tampered with."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sessions_app import exports
from sessions_app.models import SessionExport
from tests.exports.conftest import export_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(sessions, member, django_capture_on_commit_callbacks):
    return export_now(django_capture_on_commit_callbacks, user=member, format="csv", scope="filtered",
                      filters={"month": "2026-03"})


def test_the_list_shows_my_exports_with_their_download(
    client, ready, member, owner, django_capture_on_commit_callbacks
):
    export_now(django_capture_on_commit_callbacks, user=owner, format="pdf")
    client.force_login(member)

    response = client.get(reverse("app:exports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="export"') == 1  # not the owner's
    assert "March 2026" in html and "Ready" in html
    assert exports.export_link(ready) in html and "sessions-2026-03.csv" in html


def test_the_list_polls_its_state_while_an_export_is_in_progress(
    client, sessions, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        export = exports.export_request(user=member, format="csv", scope="all")
    client.force_login(member)
    html = client.get(reverse("app:exports")).content.decode()
    assert 'data-open="1"' in html and "Waiting to start" in html

    state = client.get(reverse("app:exports_state")).json()
    assert state["exports"] == [{"id": export.pk, "status": "queued", "progress": 0, "rows_done": 0, "rows_total": 3}]
    exports.export_run(export.pk)
    assert client.get(reverse("app:exports_state")).json()["signature"] == f"{export.pk}:done"


def test_the_new_export_form_posts_and_lands_on_the_list(client, sessions, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    page = client.get(reverse("app:export_create"))
    assert page.status_code == 200
    assert 'value="CP-GROUP"' in page.content.decode()  # chargers of my sessions to choose from

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("app:export_create"), {"format": "xlsx", "month": "2026-04"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("app:exports")
    assert "we will e-mail you the download link" in response.content.decode()
    export = SessionExport.objects.get(user=member)
    assert (export.format, export.scope, export.filters, export.status) == ("xlsx", "filtered", {"month": "2026-04"},
                                                                           "done")


def test_the_history_posts_the_filtered_view(client, sessions, owner, tags, django_capture_on_commit_callbacks):
    """The history's Export menu posts format, scope and the filters (who = whose sessions)."""
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("app:export_create"), {
            "format": "pdf", "scope": "filtered", "month": "2026-03", "charger": "CP-GROUP",
            "tag": str(tags["member"].pk), "who": "chargers", "session": "",
        }, HTTP_REFERER="http://testserver" + reverse("app:sessions") + "?month=2026-03")
    assert response.status_code == 302 and response["Location"] == reverse("app:exports")
    export = SessionExport.objects.get(user=owner)
    assert export.filters == {"month": "2026-03", "charger": "CP-GROUP", "tag": tags["member"].pk, "who": "chargers"}
    assert export.rows_done == 2


def test_a_refusal_goes_back_to_the_history_with_the_reason(client, sessions, member, settings):
    settings.EXPORT_PDF_MAX_SESSIONS = 1
    client.force_login(member)
    history = "http://testserver" + reverse("app:sessions") + "?month=2026-03"
    response = client.post(reverse("app:export_create"), {"format": "pdf", "scope": "filtered", "month": "2026-03"},
                           HTTP_REFERER=history, follow=True)
    assert response.redirect_chain[0][0] == history
    assert "A PDF holds at most 1 sessions" in response.content.decode()
    assert not SessionExport.objects.exists()


def test_a_refusal_on_the_form_shows_the_form_again(client, sessions, member):
    client.force_login(member)
    response = client.post(reverse("app:export_create"), {"format": "csv", "month": "13/2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="invalid_filter"' in html and "Use the form YYYY-MM." in html
    assert 'value="13/2026"' in html


def test_exporting_another_users_session_is_a_404(client, sessions, outsider):
    client.force_login(outsider)
    response = client.post(reverse("app:export_create"), {"format": "pdf", "scope": "session",
                                                          "session": sessions.m1.pk})
    assert response.status_code == 404


def test_the_signed_link_downloads_the_file(client, ready, member):
    client.force_login(member)
    response = client.get(exports.export_link(ready))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sessions-2026-03.csv"'
    assert b"".join(response.streaming_content) == exports.export_file_path(ready).read_bytes()


def test_signed_out_the_link_asks_to_sign_in_first(client, ready):
    link = exports.export_link(ready)
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")) and "next=" in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "owner"])
def test_somebody_elses_link_is_a_404(client, ready, personas, who):
    client.force_login(personas[who])
    assert client.get(exports.export_link(ready)).status_code == 404


def test_a_tampered_link_is_a_404(client, ready, member, django_capture_on_commit_callbacks):
    other = export_now(django_capture_on_commit_callbacks, user=member, format="csv")
    client.force_login(member)
    token = exports.export_token(ready)
    payload, timestamp, signature = token.split(":")
    forged = signing.b64_encode(f'{{"e":{other.pk},"u":{member.pk}}}'.encode()).decode()
    for bad in (f"{forged}:{timestamp}:{signature}", token[:-2] + "xx", "nonsense"):
        assert client.get(reverse("app:export_download", args=[bad])).status_code == 404


def test_an_old_link_expires(client, ready, member, monkeypatch, settings):
    client.force_login(member)
    signed_at = time.time() - timedelta(days=settings.EXPORT_LINK_DAYS + 1).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: signed_at)
    old_link = exports.export_link(ready)
    monkeypatch.undo()
    assert client.get(old_link).status_code == 404
    assert client.get(exports.export_link(ready)).status_code == 200


def test_an_expired_export_is_gone_from_the_list_and_its_link(client, ready, member):
    link = exports.export_link(ready)
    SessionExport.objects.filter(pk=ready.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(member)
    assert client.get(link).status_code == 404
    assert 'data-testid="export"' not in client.get(reverse("app:exports")).content.decode()
