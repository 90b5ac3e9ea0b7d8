"""A charger's live group is open to everyone who sees the charger (members, guests): an
operation's full answer goes only to whoever asked, the group learns the outcome."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chargers.models import ChargerOperation
from chargers.services import operation_complete


def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _receive(channel: str) -> dict:
    return async_to_sync(get_channel_layer().receive)(channel)


def test_the_charger_group_gets_the_outcome_and_the_requester_the_answer(
    db, charger, owner, django_capture_on_commit_callbacks
):
    operation = ChargerOperation.objects.create(
        charge_point=charger, requested_by=owner, action="GetConfiguration", payload={})
    charger_channel = _listen(f"live.charger.{charger.pk}")
    owner_channel = _listen(f"live.user.{owner.pk}")
    answer = {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}
    with django_capture_on_commit_callbacks(execute=True):
        operation_complete(operation_id=operation.pk, response=answer)

    public = _receive(charger_channel)
    assert public["id"] == operation.pk and public["status"] == "accepted"
    assert public["response"] is None and "HeartbeatInterval" not in str(public)
    private = _receive(owner_channel)
    assert private["response"]["configurationKey"][0]["value"] == "300"


def test_a_status_answer_still_reaches_the_charger_group(db, charger, owner, django_capture_on_commit_callbacks):
    operation = ChargerOperation.objects.create(
        charge_point=charger, requested_by=owner, action="Reset", payload={"type": "Soft"})
    charger_channel = _listen(f"live.charger.{charger.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        operation_complete(operation_id=operation.pk, response={"status": "Accepted"})
    assert _receive(charger_channel)["response"] == {"status": "Accepted"}
