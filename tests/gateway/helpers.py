import asyncio
import base64
import itertools
import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.factories.chargers import CHARGER_PASSWORD
from wccportal.asgi import application

_ids = itertools.count(1)


def basic(cp_id: str, password: str = CHARGER_PASSWORD) -> tuple[bytes, bytes]:
    return b"authorization", b"Basic " + base64.b64encode(f"{cp_id}:{password}".encode())


async def open_charger(cp_id: str, password: str = CHARGER_PASSWORD, subprotocols=("ocpp1.6",), headers=None):
    """Connect like a charger; returns (communicator, connected, subprotocol)."""
    comm = WebsocketCommunicator(
        application, f"/ocpp/{cp_id}", subprotocols=list(subprotocols),
        headers=headers if headers is not None else [basic(cp_id, password)],
    )
    connected, subprotocol = await comm.connect(timeout=10)
    return comm, connected, subprotocol


async def call(comm, action: str, payload: dict, message_id: str | None = None):
    """Send a CALL and return the decoded answer frame."""
    message_id = message_id or f"m{next(_ids)}"
    await comm.send_to(text_data=json.dumps([2, message_id, action, payload]))
    while True:
        frame = json.loads(await comm.receive_from(timeout=10))
        if not await answer_local_list(comm, frame):
            return frame


# The platform keeps a charger's local authorization list in step (TAG-5): after a boot or a
# change of rights it may send these at any time. Charger-side tests answer them like a
# charger that supports local lists, and see the answer to their own message.
LOCAL_LIST_ANSWERS = {"SendLocalList": {"status": "Accepted"}, "GetLocalListVersion": {"listVersion": 0}}


async def answer_local_list(comm, frame) -> bool:
    if frame[0] == 2 and frame[2] in LOCAL_LIST_ANSWERS:
        await comm.send_to(text_data=json.dumps([3, frame[1], LOCAL_LIST_ANSWERS[frame[2]]]))
        return True
    return False


async def booted(cp_id: str):
    """A charger connected and booted (Accepted), ready for the next message."""
    comm, connected, _ = await open_charger(cp_id)
    assert connected
    assert (await call(comm, "BootNotification", BOOT))[2]["status"] == "Accepted"
    return comm


async def send_raw(comm, text: str):
    await comm.send_to(text_data=text)
    return json.loads(await comm.receive_from(timeout=10))


BOOT = {"chargePointVendor": "Acme", "chargePointModel": "AC-22", "chargePointSerialNumber": "SN1",
        "firmwareVersion": "2.1.0", "iccid": "89490000001", "imsi": "26201000001",
        "meterType": "EEM", "meterSerialNumber": "MSN1"}


def meter_payload(tx_id, connector, wh, w, ts):
    return {
        "connectorId": connector, "transactionId": tx_id,
        "meterValue": [{"timestamp": ts, "sampledValue": [
            {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
             "context": "Sample.Periodic"},
            {"value": str(w), "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"},
            {"value": "7.1", "measurand": "Current.Import", "unit": "A", "phase": "L1",
             "context": "Sample.Periodic"},
        ]}],
    }


async def wait_for_status(op_id, timeout=5.0):
    """The operation once its answer is recorded (the consumer records it in a task of its
    own, so a later frame of the charger may be handled first), or as it is after ``timeout``."""
    from chargers.models import ChargerOperation

    for _ in range(int(timeout / 0.05)):
        op = await database_sync_to_async(ChargerOperation.objects.get)(pk=op_id)
        if op.status != "pending":
            return op
        await asyncio.sleep(0.05)
    return op
