"""GRP-5 under concurrent requests, on whichever database the suite runs (SQLite by default,
PostgreSQL in CI): a charger ends up in exactly one group and the losers get a clear refusal
(``charger_in_other_group``), never an error. GRP-2 likewise for a free plan's only group."""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from groups import services
from groups.models import Group, GroupCharger
from wccportal.errors import DomainError

from .group_helpers import group_with, own_charger

pytestmark = pytest.mark.django_db(transaction=True)


def run_threads(targets):
    """Run each callable in its own thread (own DB connection); returns results/exceptions."""
    results: list = [None] * len(targets)
    start = threading.Barrier(len(targets))

    def worker(i, target):
        try:
            start.wait()
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each request ended with
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_many_groups_racing_for_one_charger(owner):
    charger = own_charger(owner, "CP-RACE")
    groups = [group_with(owner, name=f"G{i}") for i in range(8)]
    results = run_threads([
        (lambda g=g: services.group_charger_set(group=g, charge_point=charger, included=True, acting_user=owner))
        for g in groups
    ])
    winners = [r for r in results if r is True]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1, results
    assert len(refusals) == len(groups) - 1, results
    assert {r.code for r in refusals} == {"charger_in_other_group"}
    assert GroupCharger.objects.filter(charge_point=charger).count() == 1


def test_the_insert_that_loses_the_unique_index_is_a_refusal(owner):
    """One request has placed the charger but not yet committed when the other checks: the
    second one's insert meets the one-to-one index (PostgreSQL: waits, then IntegrityError;
    SQLite: waits for the write lock, then sees the link). Either way: a refusal."""
    charger = own_charger(owner, "CP-RACE")
    first, second = group_with(owner, name="First"), group_with(owner, name="Second")
    placed = threading.Event()

    def slow_first():
        with transaction.atomic():
            services.group_charger_set(group=first, charge_point=charger, included=True, acting_user=owner)
            placed.set()
            time.sleep(0.5)  # still uncommitted while the other request runs
        return True

    def second_request():
        placed.wait(10)
        return services.group_charger_set(group=second, charge_point=charger, included=True, acting_user=owner)

    results = run_threads([slow_first, second_request])
    assert results[0] is True
    assert isinstance(results[1], DomainError) and results[1].code == "charger_in_other_group", results
    assert GroupCharger.objects.get(charge_point=charger).group == first


def test_free_plan_cannot_get_two_groups_by_double_submitting(member):
    own_charger(member, "CP-MAX")
    results = run_threads([
        (lambda n=n: services.group_create(owner=member, name=f"G{n}", city="M", zip_code="1", address="A"))
        for n in range(4)
    ])
    assert sum(isinstance(r, Group) for r in results) == 1, results
    assert all(isinstance(r, Group) or (isinstance(r, DomainError) and r.code == "premium_required")
               for r in results), results
    assert Group.objects.filter(owner=member).count() == 1
