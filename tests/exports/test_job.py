"""SES-5: the export job under django-q2 (sync mode in tests), its progress, the e-mail with
the signed link and the in-app notification, failures, and the daily cleanup."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Success

from accounts.models import Notification
from sessions_app import export_writers, exports
from sessions_app.models import SessionExport
from tests.exports.conftest import export_now

pytestmark = pytest.mark.django_db


def test_the_job_runs_in_django_q_and_mails_a_signed_link(
    sessions, member, settings, django_capture_on_commit_callbacks
):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="xlsx")

    assert export.status == "done"
    assert Success.objects.filter(func="sessions_app.tasks.export_run", args=(export.pk,)).exists()
    assert export.file_name.startswith(f"{member.pk}/") and export.size_bytes > 0
    path = exports.export_file_path(export)
    assert path.parent.parent == exports.exports_root().resolve()  # not MEDIA_ROOT
    assert export.expires_at - export.finished_at == timedelta(days=settings.EXPORT_LINK_DAYS)

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Your XLSX (Excel) export of charging sessions is ready"
    body = message.body
    assert "All sessions" in body and "Sessions: 3" in body
    link = next(line for line in body.splitlines() if "/app/exports/download/" in line)
    assert link.startswith(settings.SITE_URL + "/app/exports/download/")
    assert link in message.alternatives[0][0]  # the HTML part's button
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert exports.export_for_token(member, token) == export

    notification = Notification.objects.get(user=member)
    assert notification.kind == Notification.Kind.EXPORT_READY
    assert notification.title == "Your XLSX (Excel) export is ready"
    assert notification.link == "/app/exports/"


def test_the_mail_is_in_the_language_of_the_request(sessions, member, django_capture_on_commit_callbacks):
    from wccportal.lib import emails

    calls = []
    original = emails.send_templated

    def spy(name, to, ctx, language=None):
        calls.append((name, language))
        return original(name, to, ctx, language)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(emails, "send_templated", spy)
        export_now(django_capture_on_commit_callbacks, user=member, format="csv", language="de")
    assert calls == [("session_export", "de")]


def test_progress_is_saved_every_chunk(sessions, member, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "CHUNK", 1)
    seen = []
    original = export_writers.write_csv

    def write(path, rows):
        def watched():
            for row in rows:
                yield row
                seen.append(SessionExport.objects.get(user=member).rows_done)
        original(path, watched())

    monkeypatch.setattr(export_writers, "write_csv", write)
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv")
    assert seen == [1, 2, 3]  # saved while the rows streamed
    assert (export.rows_done, exports.export_progress(export)) == (3, 100)


def test_a_job_delivered_twice_runs_once(sessions, member, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv")
    assert exports.export_run(export.pk) is None
    assert len(mail.outbox) == 1


def test_a_failure_is_recorded_and_the_user_told(sessions, member, monkeypatch, django_capture_on_commit_callbacks):
    def broken(path, rows):
        path.write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(export_writers, "write_csv", broken)
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv")

    assert export.status == "failed"
    assert export.error == "The file could not be produced. Please try again later."
    assert "disk full" not in export.error  # no internals shown
    assert not list(exports.exports_root().glob(f"{member.pk}/{export.pk}-*"))  # no half file left
    notification = Notification.objects.get(user=member)
    assert notification.title == "Your CSV export failed" and export.error in notification.body
    [message] = mail.outbox
    assert message.subject == "Your CSV export of charging sessions failed"
    assert "/app/exports/download/" not in message.body and export.error in message.body


def test_prune_deletes_expired_exports_and_their_files(sessions, member, django_capture_on_commit_callbacks):
    old = export_now(django_capture_on_commit_callbacks, user=member, format="csv")
    new = export_now(django_capture_on_commit_callbacks, user=member, format="pdf")
    SessionExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    old_path = exports.export_file_path(old)
    assert old_path.is_file()

    assert exports.exports_prune() == {"deleted": 1, "failed": 0}
    assert not old_path.exists() and not SessionExport.objects.filter(pk=old.pk).exists()
    assert exports.export_file_path(new).is_file()


def test_prune_fails_exports_whose_job_was_lost(sessions, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        lost = exports.export_request(user=member, format="csv", scope="all")
    SessionExport.objects.filter(pk=lost.pk).update(created_at=timezone.now() - exports.STALE_AFTER - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        result = exports.exports_prune()
    assert result == {"deleted": 0, "failed": 1}
    lost.refresh_from_db()
    assert lost.status == "failed" and "took too long" in lost.error
    assert Notification.objects.filter(user=member, title="Your CSV export failed").exists()


def test_the_prune_task_is_the_scheduled_entry_point(sessions, member):
    from sessions_app import tasks

    assert tasks.exports_prune() == {"deleted": 0, "failed": 0}
