"""The live session and dashboard API is documented (OpenAPI, drf-spectacular): every
endpoint, its parameters, answers and error codes."""

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_documented(schema):
    validate_schema(schema)
    paths = schema["paths"]
    assert set(paths["/api/v1/sessions/active/"]) == {"get"}
    assert set(paths["/api/v1/sessions/{id}/live/"]) == {"get"}
    assert set(paths["/api/v1/sessions/{id}/stop/"]) == {"post"}
    assert set(paths["/api/v1/dashboard/"]) == {"get"}
    for path in ("/api/v1/sessions/active/", "/api/v1/sessions/{id}/live/", "/api/v1/dashboard/"):
        assert paths[path]["get"]["tags"] == ["sessions"]
    stop = paths["/api/v1/sessions/{id}/stop/"]["post"]
    assert set(stop["responses"]) >= {"202", "404", "409"}
    assert "session_not_active" in stop["responses"]["409"]["description"]
    dashboard = {p["name"]: p for p in paths["/api/v1/dashboard/"]["get"]["parameters"]}
    assert sorted(dashboard["days"]["schema"]["enum"]) == [7, 30]
    assert sorted(dashboard["scope"]["schema"]["enum"]) == ["all", "mine"]


def test_the_live_state_is_described_field_by_field(schema):
    components = schema["components"]["schemas"]
    live = components["LiveState"]["properties"]
    for field in ("status", "state", "state_label", "charger_name", "energy_kwh", "power_kw", "soc_percent",
                  "elapsed_seconds", "cost", "stop", "can_stop", "log", "live_url", "detail_url"):
        assert field in live, field
    assert live["power_kw"]["nullable"] is True and live["cost"]["nullable"] is True
    cost = components[live["cost"]["allOf"][0]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"lines", "total", "total_display", "running"} <= set(cost)
