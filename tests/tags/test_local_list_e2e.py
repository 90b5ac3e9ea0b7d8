"""TAG-5 end to end: a simulated charger over a real websocket against the real server keeps
the local list the platform sends it, in step with tags and shares."""

import pytest

from chargers.models import ChargePoint, ChargerOperation, LocalListEntry
from tests.e2e import api_client, start_sim, stop_sim, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sim_list(sim) -> dict:
    return {key: (entry["id_tag_info"] or {}).get("status") for key, entry in sim.local_list.items()}


def version(charger) -> int:
    return ChargePoint.objects.get(pk=charger.pk).local_list_version


def settled(charger):
    """No local-list command waits for its answer."""
    return not ChargerOperation.objects.filter(
        charge_point=charger, action__in=("SendLocalList", "GetLocalListVersion"), status="pending"
    ).exists()


def test_the_charger_list_follows_tags_and_shares(server, sim_loop, owner, guest, charger, tags, share):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    # After boot: the owner's tag and the share's tag (until the share's expiry).
    wait_until(lambda: sim_list(sim) == {"owner1": "Accepted", "guest1": "Accepted"})
    wait_until(lambda: version(charger) == 1 and settled(charger))
    assert sim.local_list_updates[0][0] == "Full"
    guest_entry = sim.local_list["guest1"]["id_tag_info"]
    assert guest_entry["expiry_date"].startswith(share.expires_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert sim.local_list_version == 1

    # A new tag of the owner: one Differential, version 2.
    client = api_client(server.url, owner)
    r = client.post("/api/v1/tags/", json={"id_tag": "Owner-Phone", "alias": "Phone"})
    assert r.status_code == 201, r.text
    new_tag = r.json()["id"]
    wait_until(lambda: "owner-phone" in sim.local_list)
    assert sim.local_list_updates[-1][:2] == ("Differential", 2)
    assert [e["id_tag"] for e in sim.local_list_updates[-1][2]] == ["Owner-Phone"]

    # Revoking the share removes the guest's tag (an entry without idTagInfo).
    r = client.delete(f"/api/v1/chargers/CP-HOME/shares/{share.pk}/")
    assert r.status_code == 200, r.text
    wait_until(lambda: "guest1" not in sim.local_list)
    kind, number, entries = sim.local_list_updates[-1]
    assert (kind, number) == ("Differential", 3) and entries == [{"id_tag": "GUEST1"}]

    # Deleting a tag deletes it from the charger's list.
    assert client.delete(f"/api/v1/tags/{new_tag}/").status_code == 204
    wait_until(lambda: sim_list(sim) == {"owner1": "Accepted"})
    wait_until(lambda: version(charger) == 4 and settled(charger))
    assert set(LocalListEntry.objects.filter(charge_point=charger).values_list("id_tag", flat=True)) == {"OWNER1"}

    # Nothing changed, nothing sent: a favourite switch or an alias edit is not a right.
    count = len(sim.local_list_updates)
    client.patch(f"/api/v1/tags/{tags['owner'].pk}/", json={"alias": "Blue"})
    client.put(f"/api/v1/tags/{tags['owner'].pk}/favourite/")
    assert len(sim.local_list_updates) == count

    # The charger's list was changed behind our back (version 50): the Differential meets
    # VersionMismatch and a Full update puts it right.
    sim.local_list_version = 50
    sim.local_list["stranger"] = {"id_tag": "STRANGER", "id_tag_info": {"status": "Accepted"}}
    r = client.post("/api/v1/tags/", json={"id_tag": "OWNER3"})
    assert r.status_code == 201
    wait_until(lambda: sim_list(sim) == {"owner1": "Accepted", "owner3": "Accepted"})
    assert [u[0] for u in sim.local_list_updates[-2:]] == ["Differential", "Full"]
    wait_until(lambda: settled(charger) and version(charger) == 5)
    sim_loop.run_until_complete(stop_sim(ws, listener))


def test_a_charger_that_lost_its_list_gets_a_full_one_at_boot(server, sim_loop, owner, charger, tags):
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    wait_until(lambda: sim_list(sim) == {"owner1": "Accepted"} and settled(charger))
    sim_loop.run_until_complete(stop_sim(ws, listener))
    wait_until(lambda: not ChargePoint.objects.get(pk=charger.pk).is_online)
    # A new simulator: a charger whose memory was wiped (list version 0).
    sim, ws, listener = sim_loop.run_until_complete(start_sim(server.ws_url, "CP-HOME"))
    wait_until(lambda: sim_list(sim) == {"owner1": "Accepted"})
    assert [u[:2] for u in sim.local_list_updates] == [("Full", 2)]
    assert ChargerOperation.objects.filter(charge_point=charger, action="GetLocalListVersion",
                                           status="accepted").exists()
    sim_loop.run_until_complete(stop_sim(ws, listener))


def test_a_charger_without_local_list_is_left_alone(server, sim_loop, owner, charger, tags):
    async def start():
        import asyncio

        from ocpp_gateway.simulator import SimConfig, SimulatedChargePoint, connect
        from tests.factories.chargers import CHARGER_PASSWORD

        ws = await connect(server.ws_url, "CP-HOME", CHARGER_PASSWORD)
        sim = SimulatedChargePoint("CP-HOME", ws, SimConfig(connectors=1))
        sim.local_list_answer = "NotSupported"
        listener = asyncio.ensure_future(sim.start())
        await sim.boot()
        return sim, ws, listener

    sim, ws, listener = sim_loop.run_until_complete(start())
    wait_until(lambda: version(charger) == -1)
    client = api_client(server.url, owner)
    assert client.post("/api/v1/tags/", json={"id_tag": "OWNER2"}).status_code == 201
    # Not tried again until it boots again (the sync ran before the API answered).
    assert ChargerOperation.objects.filter(charge_point=charger, action="SendLocalList").count() == 1
    assert len(sim.local_list_updates) == 1
    sim_loop.run_until_complete(stop_sim(ws, listener))
