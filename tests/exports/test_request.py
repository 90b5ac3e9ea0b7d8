"""SES-5: what may be exported, by whom; every refusal with its code. Nobody exports another
user's sessions; a group owner exports the sessions on the group's chargers."""

import csv

import pytest
from django.http import Http404

from sessions_app.exports import MAX_OPEN_PER_USER, export_file_path, export_request
from sessions_app.models import ChargingSession, SessionExport
from tests.exports.conftest import charge, export_now
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db


def session_ids(export):
    with open(export_file_path(export), encoding="utf-8-sig", newline="") as f:
        return [int(row[0]) for row in list(csv.reader(f))[1:]]


def refused(code, **kwargs):
    with pytest.raises(DomainError) as info:
        export_request(**kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def test_the_request_is_stored_and_the_job_queued_after_commit(sessions, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        export = export_request(user=member, format="xlsx", scope="filtered",
                                filters={"month": "2026-03", "charger": "CP-GROUP"}, language="fr")
    assert (export.status, export.rows_total, export.language) == ("queued", 2, "fr")
    assert export.filters == {"month": "2026-03", "charger": "CP-GROUP"}
    assert len(callbacks) == 1  # the job, once the request is committed


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"format": "docx", "scope": "all"}, "invalid_format", "format"),
    ({"format": "csv", "scope": "everything"}, "invalid_scope", "scope"),
    ({"format": "csv", "scope": "filtered", "filters": {"month": "2026-13"}}, "invalid_filter", "month"),
    ({"format": "csv", "scope": "filtered", "filters": {"month": "March"}}, "invalid_filter", "month"),
    ({"format": "csv", "scope": "filtered", "filters": {"charger": "CP-NOWHERE"}}, "invalid_filter", "charger"),
    ({"format": "csv", "scope": "filtered", "filters": {"tag": "abc"}}, "invalid_filter", "tag"),
    ({"format": "csv", "scope": "filtered", "filters": {"who": "theirs"}}, "invalid_filter", "who"),
    ({"format": "csv", "scope": "session", "filters": {}}, "invalid_filter", "session"),
])
def test_invalid_requests_are_refused_with_a_code_and_the_field(sessions, member, kwargs, code, field):
    error = refused(code, user=member, **kwargs)
    assert field in error.fields and error.message


def test_another_users_charger_or_tag_is_refused_like_an_unknown_one(sessions, member, tags):
    """The member never charged at the owner's home charger, nor used the owner's tag."""
    error = refused("invalid_filter", user=member, format="csv", scope="filtered",
                    filters={"charger": "CP-HOME", "tag": tags["owner"].pk})
    assert set(error.fields) == {"charger", "tag"}


def test_another_users_session_is_a_404(sessions, member, outsider):
    with pytest.raises(Http404):
        export_request(user=outsider, format="pdf", scope="session", filters={"session": sessions.m1.pk})
    with pytest.raises(Http404):
        export_request(user=member, format="pdf", scope="session", filters={"session": sessions.o1.pk})
    assert not SessionExport.objects.exists()


def test_a_running_session_is_not_exported_yet(world, group_charger, member):
    from sessions_app import services

    tx = services.session_start(charge_point_pk=group_charger.pk, payload={
        "connectorId": 1, "idTag": "MEMBER1", "meterStart": 0, "timestamp": "2026-03-02T08:00:00Z"})["transactionId"]
    error = refused("session_active", user=member, format="pdf", scope="session", filters={"session": tx})
    assert error.status == 409
    refused("no_sessions", user=member, format="csv", scope="all")  # running sessions are left out


def test_nothing_to_export(world, outsider):
    refused("no_sessions", user=outsider, format="csv", scope="all")


def test_a_pdf_has_a_maximum_of_sessions_xlsx_and_csv_none(sessions, member, settings):
    settings.EXPORT_PDF_MAX_SESSIONS = 2
    error = refused("too_many_for_pdf", user=member, format="pdf", scope="all")
    assert "XLSX or CSV" in error.message
    export_request(user=member, format="pdf", scope="filtered", filters={"month": "2026-03"})  # 2: fine
    export_request(user=member, format="xlsx", scope="all")


def test_at_most_a_few_exports_in_progress_per_user(sessions, member, owner):
    for _ in range(MAX_OPEN_PER_USER):
        export_request(user=member, format="csv", scope="all")
    error = refused("too_many_exports", user=member, format="csv", scope="all")
    assert error.status == 429
    export_request(user=owner, format="csv", scope="all")  # others are not held up
    SessionExport.objects.filter(user=member).update(status=SessionExport.Status.DONE)
    export_request(user=member, format="csv", scope="all")  # finished ones do not count


def test_a_group_owner_exports_the_sessions_on_the_groups_chargers(sessions, owner, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=owner, format="csv")
    assert session_ids(export) == [sessions.m1.pk, sessions.o1.pk, sessions.m2.pk, sessions.m3.pk]

    mine = export_now(django_capture_on_commit_callbacks, user=owner, format="csv", scope="filtered",
                      filters={"who": "mine"})
    assert session_ids(mine) == [sessions.o1.pk]
    theirs = export_now(django_capture_on_commit_callbacks, user=owner, format="csv", scope="filtered",
                        filters={"who": "chargers", "charger": "CP-GROUP", "month": "2026-03"})
    assert session_ids(theirs) == [sessions.m1.pk, sessions.m2.pk]


def test_a_member_and_a_guest_export_only_their_own_sessions(
    sessions, member, guest, charger, django_capture_on_commit_callbacks
):
    guest_session = charge(charger, "GUEST1", "2026-03-06T10:00:00Z", "2026-03-06T11:00:00Z", 104000, 106000)
    assert guest_session.user == guest
    export = export_now(django_capture_on_commit_callbacks, user=guest, format="csv")
    assert session_ids(export) == [guest_session.pk]  # not the owner's session on the same charger
    export = export_now(django_capture_on_commit_callbacks, user=member, format="csv", scope="filtered",
                        filters={"tag": sessions.m1.tag_id})
    assert session_ids(export) == [sessions.m1.pk, sessions.m2.pk, sessions.m3.pk]


def test_the_filtered_view_by_tag_and_month(sessions, owner, tags, django_capture_on_commit_callbacks):
    export = export_now(django_capture_on_commit_callbacks, user=owner, format="csv", scope="filtered",
                        filters={"tag": str(tags["member"].pk), "month": "2026-04"})
    assert session_ids(export) == [sessions.m3.pk]
    assert export.filters == {"tag": tags["member"].pk, "month": "2026-04"}


def test_rows_are_read_again_when_the_job_runs(sessions, member, owner, django_capture_on_commit_callbacks):
    """Access is that of the moment the file is made: a session deleted in between is gone."""
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(user=member, format="csv", scope="all")
        ChargingSession.objects.filter(pk=sessions.m2.pk).delete()
    export.refresh_from_db()
    assert session_ids(export) == [sessions.m1.pk, sessions.m3.pk]
    assert export.rows_done == export.rows_total == 2
