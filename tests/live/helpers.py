"""Sessions made the way the gateway makes them: the session services with OCPP payloads."""

from sessions_app import services


def start(cp, id_tag: str, at: str, *, connector: int = 1, meter: int = 1000) -> int:
    answer = services.session_start(charge_point_pk=cp.pk, payload={
        "connectorId": connector, "idTag": id_tag, "meterStart": meter, "timestamp": at})
    return answer["transactionId"]


def sample(cp, tx: int, at: str, *, wh: int, w: float | None = None, soc: float | None = None,
           connector: int = 1) -> None:
    values = [{"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh",
               "context": "Sample.Periodic"}]
    if w is not None:
        values.append({"value": str(w), "measurand": "Power.Active.Import", "unit": "W", "context": "Sample.Periodic"})
    if soc is not None:
        values.append({"value": str(soc), "measurand": "SoC", "unit": "Percent", "context": "Sample.Periodic"})
    services.meter_values_store(items=[(cp.pk, {
        "connectorId": connector, "transactionId": tx, "meterValue": [{"timestamp": at, "sampledValue": values}]})])


def stop(cp, tx: int, at: str, meter_stop: int, reason: str = "Local") -> None:
    services.session_stop(charge_point_pk=cp.pk, payload={
        "transactionId": tx, "meterStop": meter_stop, "timestamp": at, "reason": reason})


def status(cp, status: str, at: str, *, connector: int = 1, error_code: str = "NoError") -> None:
    services.status_notification(charge_point_pk=cp.pk, payload={
        "connectorId": connector, "status": status, "errorCode": error_code, "timestamp": at})


def online(cp) -> None:
    type(cp).objects.filter(pk=cp.pk).update(is_online=True)
    cp.is_online = True
