"""Each charger's local authorization list kept in step with TAG-5 (SendLocalList).

Other features call ``local_list_changed`` whenever rights on chargers change (a tag added,
edited or deleted, a share given, revoked or expired, a charger claimed or released, a
member added or removed). The sync itself runs in the job cluster after the commit.
"""

from collections.abc import Iterable

from wccportal.lib.tasks import enqueue_on_commit


def local_list_changed(charge_point_pks: Iterable[int]) -> None:
    """Bring these chargers' local lists in step once the current transaction commits."""
    pks = sorted({int(pk) for pk in charge_point_pks})
    if pks:
        enqueue_on_commit("chargers.local_list.sync_local_lists", pks)


def sync_local_lists(charge_point_pks: list[int]) -> None:
    """Job: send each online charger the differences between its list and TAG-5's answer."""
    return None  # TODO(issue 4, TAG-5): the tags feature implements the sync
