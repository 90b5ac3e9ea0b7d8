"""OCPP 1.6-J frames and payload validation, without Django models (importable anywhere).

Validation uses the JSON schemas shipped with the ``ocpp`` package, compiled once with
fastjsonschema: the library's own per-message jsonschema validation (in a thread pool) is
the largest cost of a straightforward gateway (DESIGN.md §8). The CALLERROR codes are the
ones OCPP-J 1.6 defines, spelling included ("OccurenceConstraintViolation").
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path

import fastjsonschema
import ocpp
import orjson

CALL, CALLRESULT, CALLERROR = 2, 3, 4

SCHEMA_DIR = Path(ocpp.__file__).parent / "v16" / "schemas"

# Actions a charge point may send to the central system (OCPP 1.6 + its security extension
# messages, which the schemas folder also carries).
CHARGER_ACTIONS = frozenset(
    {
        "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
        "FirmwareStatusNotification", "Heartbeat", "MeterValues", "SecurityEventNotification",
        "StartTransaction", "StatusNotification", "StopTransaction",
    }
)
# Actions the central system sends (OPS-1).
CENTRAL_ACTIONS = frozenset(
    {
        "CancelReservation", "ChangeAvailability", "ChangeConfiguration", "ClearCache",
        "ClearChargingProfile", "DataTransfer", "GetCompositeSchedule", "GetConfiguration",
        "GetDiagnostics", "GetLocalListVersion", "RemoteStartTransaction",
        "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile",
        "TriggerMessage", "UnlockConnector", "UpdateFirmware",
    }
)
# Known OCPP 1.6 actions this side does not accept from a charger (e.g. the security
# whitepaper messages): answered NotSupported rather than NotImplemented.
KNOWN_BUT_UNSUPPORTED = frozenset(
    p.stem for p in SCHEMA_DIR.glob("*.json") if not p.stem.endswith("Response")
) - CHARGER_ACTIONS

# Inbound transaction messages may carry vendor fields; they are accepted and logged, not
# refused (DESIGN.md §7).
LENIENT_INBOUND = frozenset({"StartTransaction", "StopTransaction", "MeterValues"})


class OcppCallError(Exception):
    """A CALLERROR to answer: ``code`` is an OCPP-J 1.6 error code."""

    def __init__(self, code: str, description: str = "", details: dict | None = None):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description[:255]
        self.details = details or {}


def _relax(schema: dict) -> dict:
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("additionalProperties") is False:
                node["additionalProperties"] = True
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


@cache
def validator(action: str, response: bool = False, lenient: bool = False):
    """A compiled validator for an action's request (or response) payload."""
    name = f"{action}Response" if response else action
    path = SCHEMA_DIR / f"{name}.json"
    schema = json.loads(path.read_text(encoding="utf-8-sig"))
    schema.pop("$schema", None)
    schema.pop("id", None)
    if lenient:
        schema = _relax(schema)
    return fastjsonschema.compile(schema)


_RULE_TO_CODE = {
    "type": "TypeConstraintViolation",
    "maxLength": "TypeConstraintViolation",
    "required": "OccurenceConstraintViolation",
    "minItems": "OccurenceConstraintViolation",
    "maxItems": "OccurenceConstraintViolation",
    "enum": "PropertyConstraintViolation",
    "format": "PropertyConstraintViolation",
    "pattern": "PropertyConstraintViolation",
    "minimum": "PropertyConstraintViolation",
    "maximum": "PropertyConstraintViolation",
    "multipleOf": "PropertyConstraintViolation",
    "additionalProperties": "FormationViolation",
}


def validate(action: str, payload, *, response: bool = False, inbound: bool = True) -> None:
    """Raise OcppCallError with the matching code if ``payload`` breaks the schema."""
    lenient = inbound and not response and action in LENIENT_INBOUND
    try:
        validator(action, response, lenient)(payload)
    except fastjsonschema.JsonSchemaValueException as exc:
        code = _RULE_TO_CODE.get(exc.rule or "", "FormationViolation")
        raise OcppCallError(code, exc.message) from None


def parse(raw: str | bytes) -> list:
    """Decode a frame into its list form, or raise the CALLERROR the sender deserves."""
    try:
        msg = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise OcppCallError("FormationViolation", "The frame is not valid JSON.") from None
    if not isinstance(msg, list) or not msg:
        raise OcppCallError("FormationViolation", "An OCPP-J frame is a JSON array.")
    kind = msg[0]
    if kind == CALL:
        if len(msg) != 4:
            raise OcppCallError("ProtocolError", "A CALL has 4 elements.")
        if not isinstance(msg[1], str) or not isinstance(msg[2], str):
            raise OcppCallError("FormationViolation", "The message id and action are strings.")
        if not isinstance(msg[3], dict):
            raise OcppCallError("FormationViolation", "The payload of a CALL is a JSON object.")
    elif kind == CALLRESULT:
        if len(msg) != 3 or not isinstance(msg[1], str):
            raise OcppCallError("ProtocolError", "A CALLRESULT has 3 elements.")
    elif kind == CALLERROR:
        if len(msg) < 4 or not isinstance(msg[1], str):
            raise OcppCallError("ProtocolError", "A CALLERROR has 5 elements.")
    else:
        raise OcppCallError("PropertyConstraintViolation", f"Unknown message type {kind!r}.")
    return msg


_MESSAGE_ID = re.compile(rb'^\s*\[\s*\d+\s*,\s*"([^"\\]{1,36})"')


def guess_message_id(raw: str | bytes) -> str:
    """The message id of a frame too broken to parse, or "-1" if none can be read."""
    data = raw.encode() if isinstance(raw, str) else raw
    match = _MESSAGE_ID.match(data)
    return match.group(1).decode() if match else "-1"


def dumps(obj) -> str:
    return orjson.dumps(obj).decode()


def call(message_id: str, action: str, payload: dict) -> str:
    return dumps([CALL, message_id, action, payload])


def call_result(message_id: str, payload: dict) -> str:
    return dumps([CALLRESULT, message_id, payload])


def call_error(message_id: str, code: str, description: str = "", details: dict | None = None) -> str:
    return dumps([CALLERROR, message_id, code, description, details or {}])


# Configuration keys whose values are secrets: redacted in the frame log (DESIGN.md §6).
SECRET_KEYS = frozenset({"AuthorizationKey"})
REDACTED = "***"


def redact_outgoing(action: str, payload: dict) -> dict:
    if action == "ChangeConfiguration" and payload.get("key") in SECRET_KEYS:
        return {**payload, "value": REDACTED}
    return payload


def redact_result(action: str, payload: dict) -> dict:
    if action == "GetConfiguration" and isinstance(payload.get("configurationKey"), list):
        keys = [
            {**k, "value": REDACTED} if isinstance(k, dict) and k.get("key") in SECRET_KEYS else k
            for k in payload["configurationKey"]
        ]
        return {**payload, "configurationKey": keys}
    return payload


def positive_status(action: str, response: dict) -> bool:
    """Whether a charger's answer to a command means yes (drives ChargerOperation.status)."""
    status = response.get("status")
    if status is None:
        # GetConfiguration, GetDiagnostics, GetLocalListVersion answer with data.
        return True
    return status in ("Accepted", "Unlocked", "Scheduled", "RebootRequired")
