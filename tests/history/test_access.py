"""Who sees which sessions (SES-4 access): nobody sees another user's sessions; an owner sees
the sessions on their chargers; a group owner those on the group's chargers; a guest only their
own on the shared charger; staff everything. Another's session is a 404, page and API alike."""

import pytest
from django.urls import reverse

from tests.history.conftest import at, charge

pytestmark = pytest.mark.django_db

EVERYONE = ("owner_mar", "owner_mar2", "owner_jan", "guest_mar", "member_mar", "member_feb", "owner_group")
VISIBLE = {
    "owner": EVERYONE,  # own sessions, the guest's on CP-HOME, the member's on the group's CP-GROUP
    "member": ("member_mar", "member_feb"),
    "guest": ("guest_mar",),
    "outsider": (),
    "operator": (),
    "staff": EVERYONE,
}


def api_ids(client, **params) -> set[int]:
    response = client.get("/api/v1/sessions/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_each_persona_sees_exactly_their_sessions(client, personas, history_world, persona):
    client.force_login(personas[persona])
    expected = {history_world[name].pk for name in VISIBLE[persona]}
    assert api_ids(client) == expected
    for name, session in history_world.items():
        visible = name in VISIBLE[persona]
        page = client.get(reverse("app:session_detail", args=[session.pk]))
        detail = client.get(f"/api/v1/sessions/{session.pk}/")
        power = client.get(f"/api/v1/sessions/{session.pk}/power/")
        assert (page.status_code, detail.status_code, power.status_code) == ((200, 200, 200) if visible
                                                                              else (404, 404, 404)), (persona, name)
        if not visible:
            assert detail.json()["error"]["code"] == "not_found"


def test_history_page_lists_only_visible_sessions(client, personas, history_world):
    for persona in ("guest", "member", "outsider"):
        client.force_login(personas[persona])
        html = "".join(client.get(reverse("app:sessions"), {"month": m}).content.decode()
                       for m in ("2026-01", "2026-02", "2026-03"))
        shown = {name for name, s in history_world.items() if f'data-session="{s.pk}"' in html}
        assert shown == set(VISIBLE[persona]), persona


def test_a_group_owner_sees_sessions_on_the_group_chargers_even_if_another_owns_the_charger(
        client, owner, member, outsider, history_world, group_charger):
    # The charger is handed to another owner but stays in the owner's group.
    group_charger.owner = outsider
    group_charger.save()
    client.force_login(owner)
    assert history_world["member_mar"].pk in api_ids(client, scope="chargers")
    client.force_login(outsider)
    assert history_world["member_mar"].pk in api_ids(client)


def test_an_operator_sees_the_sessions_on_the_organisation_chargers(client, operator, org_charger, member, tags):
    # Whoever charged there, the session is on the organisation's charger.
    session = charge(org_charger, "MEMBER1", at("2026-03-01"))
    client.force_login(operator)
    assert api_ids(client) == {session.pk}
    assert client.get(reverse("app:session_detail", args=[session.pk])).status_code == 200


def test_a_guest_does_not_see_the_owner_charging_on_the_shared_charger(client, guest, history_world, tags):
    client.force_login(guest)
    response = client.get("/api/v1/sessions/summary/", {"month": "2026-03"})
    body = response.json()
    assert body["sessions"] == 1 and body["energy_kwh"] == "4.000"
    assert [t["id_tag"] for t in body["tags"]] == ["GUEST1"]
    assert [c["charge_point_id"] for c in body["chargers"]] == ["CP-HOME"]
    assert body["scopes"] == []  # a guest owns no charger
    # Filtering by another's tag is refused, not answered with their sessions.
    response = client.get("/api/v1/sessions/", {"tag": tags["owner"].pk})
    assert response.status_code == 400 and response.json()["error"]["fields"]["tag"]


def test_the_api_needs_authentication(client, history_world):
    response = client.get("/api/v1/sessions/")
    assert response.status_code in (401, 403)
    assert client.get(f"/api/v1/sessions/{history_world['owner_mar'].pk}/").status_code in (401, 403)
