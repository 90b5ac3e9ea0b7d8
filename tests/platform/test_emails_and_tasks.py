"""Templated e-mails in the recipient's language, and jobs that start only after commit."""

import pytest
from django.core import mail
from django.db import transaction
from django_q.models import Success

from accounts.models import User
from wccportal.lib.emails import send_templated
from wccportal.lib.tasks import enqueue_on_commit

pytestmark = pytest.mark.django_db


def test_templated_email_is_multipart_in_the_recipients_language(settings):
    settings.SITE_URL = "https://wcc.example.com"
    assert send_templated("test", "gina@example.com", {"name": "Gina"}, language="de") == 1
    assert send_templated("test", ["max@example.com"], {"name": "Max"}) == 1

    german, english = mail.outbox
    assert german.to == ["gina@example.com"]
    assert german.subject == "Testnachricht von WCC Portal"
    assert english.subject == "Test message from WCC Portal"
    assert german.from_email == settings.DEFAULT_FROM_EMAIL

    assert german.body.startswith("Hallo Gina,")
    assert "https://wcc.example.com" in german.body
    assert english.body.startswith("Hello Max,")
    (html, mimetype), = german.alternatives
    assert mimetype == "text/html"
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Hallo Gina," in html
    assert 'href="https://wcc.example.com"' in html


def test_subject_is_one_line_and_html_is_escaped():
    send_templated("test", "x@example.com", {"name": "<b>Eve</b>\nBcc: all"})
    message = mail.outbox[0]
    assert "\n" not in message.subject
    html = message.alternatives[0][0]
    assert "<b>Eve</b>" not in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


def rename_user(user_id: int, first_name: str) -> str:
    """A job entry point: loads its row by id."""
    User.objects.filter(pk=user_id).update(first_name=first_name)
    return first_name


def test_job_runs_only_once_the_transaction_commits(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            enqueue_on_commit("tests.platform.test_emails_and_tasks.rename_user", owner.pk, "Queued")
        owner.refresh_from_db()
        assert owner.first_name == "Olivia"  # the block is over: the job waits for the commit
    assert len(callbacks) == 1

    callbacks[0]()
    owner.refresh_from_db()
    assert owner.first_name == "Queued"

    assert Success.objects.get(func="tests.platform.test_emails_and_tasks.rename_user").result == "Queued"


def test_job_of_a_rolled_back_transaction_never_runs(owner, django_capture_on_commit_callbacks):
    class Abort(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abort),
        transaction.atomic(),
    ):
        enqueue_on_commit("tests.platform.test_emails_and_tasks.rename_user", owner.pk, "Lost")
        raise Abort
    assert callbacks == []
    owner.refresh_from_db()
    assert owner.first_name == "Olivia"


@pytest.mark.django_db(transaction=True)
def test_charger_jobs_run_in_the_socket_process_with_the_embedded_layer(owner, settings):
    """The in-memory layer reaches only this process's chargers: jobs that send commands run
    here, on a background thread, after the commit — not in the job cluster."""
    from wccportal.lib import tasks

    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with transaction.atomic():
        tasks.enqueue_for_chargers_on_commit("tests.platform.test_emails_and_tasks.rename_user", owner.pk, "Here")
        assert tasks._gateway_executor is None or tasks._executor().submit(lambda: None).result() is None
        assert User.objects.get(pk=owner.pk).first_name != "Here"
    tasks._executor().submit(lambda: None).result(timeout=10)  # the job ran before this no-op
    assert User.objects.get(pk=owner.pk).first_name == "Here"
    assert not Success.objects.exists()  # nothing went through the job cluster


def test_charger_jobs_go_to_the_cluster_with_a_layer_that_crosses_processes(
    owner, settings, django_capture_on_commit_callbacks
):
    from wccportal.lib import tasks

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_for_chargers_on_commit("tests.platform.test_emails_and_tasks.rename_user", owner.pk, "Cluster")
    assert User.objects.get(pk=owner.pk).first_name == "Cluster"
    assert Success.objects.filter(func="tests.platform.test_emails_and_tasks.rename_user").exists()
