"""Portal authorization tags (TAG-4): table, filters, add, edit, delete several at once,
and who may manage which tag (another's tag is 404)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chargers.models import IdTag
from tests.factories.accounts import UserFactory
from tests.factories.chargers import IdTagFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portal:tags")
ADD = reverse("portal:tag_add")
DELETE = reverse("portal:tags_delete")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def edit_url(tag):
    return reverse("portal:tag_edit", args=[tag.pk])


def future(days=30):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def synced(monkeypatch):
    """The chargers whose local lists were asked to re-sync."""
    calls = set()

    def record(pks):
        calls.update(int(pk) for pk in pks)

    monkeypatch.setattr("chargers.portal_tags.local_list_changed", record)
    monkeypatch.setattr("chargers.tags.local_list_changed", record)
    return calls


@pytest.fixture
def org_tag(operator):
    colleague = UserFactory(email="colleague@example.com", organisation=operator.organisation)
    return IdTagFactory(id_tag="FLEET1", user=colleague, alias="Van 3")


def form_data(**overrides):
    data = {"id_tag": "CARD-0001", "kind": "physical", "alias": "Blue card", "tag_type": "company",
            "note": "Company car", "expires_at": "", "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Table ---------------------------------------------------------------------------------


def test_table_lists_my_tags_with_the_tag4_columns(owner, charger, tags):
    tag = tags["owner"]
    tag.note, tag.tag_type = "Spare card", IdTag.TagType.PRIVATE
    tag.expires_at = timezone.now() + timedelta(days=3)
    tag.save()
    tag.valid_charge_points.set([charger])
    r = client_for(owner).get(LIST)
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("OWNER1", "Spare card", "Private", "CP-HOME", "Valid charge points", "Expiry time"):
        assert text in html
    for other in ("MEMBER1", "GUEST1", "OUTSIDER1"):
        assert other not in html
    assert r.context["nav"] == "tags"


def test_unrestricted_tag_says_valid_wherever_its_user_may_charge(owner, tags):
    assert "All with rights" in client_for(owner).get(LIST).content.decode()


@pytest.mark.parametrize("query, expected", [
    ({"q": "phone"}, {"PHONE-1"}),
    ({"kind": "virtual"}, {"PHONE-1"}),
    ({"tag_type": "company"}, {"WORK-1"}),
    ({"state": "expired"}, {"OLD-1"}),
    ({"state": "inactive"}, {"OFF-1"}),
    ({"state": "active"}, {"OWNER1", "PHONE-1", "WORK-1", "HOME-ONLY"}),
    ({"charge_point": "cp-group"}, {"OWNER1", "PHONE-1", "WORK-1", "OLD-1", "OFF-1"}),
])
def test_filters(owner, tags, charger, group_charger, query, expected):
    IdTagFactory(id_tag="PHONE-1", user=owner, alias="My phone", kind=IdTag.Kind.VIRTUAL)
    IdTagFactory(id_tag="WORK-1", user=owner, kind=IdTag.Kind.PHYSICAL, tag_type=IdTag.TagType.COMPANY)
    IdTagFactory(id_tag="OLD-1", user=owner, kind=IdTag.Kind.PHYSICAL, expires_at=timezone.now() - timedelta(days=1))
    IdTagFactory(id_tag="OFF-1", user=owner, kind=IdTag.Kind.PHYSICAL, is_active=False)
    IdTagFactory(id_tag="HOME-ONLY", user=owner, kind=IdTag.Kind.PHYSICAL).valid_charge_points.set([charger])
    IdTag.objects.filter(id_tag="OWNER1").update(kind=IdTag.Kind.PHYSICAL)
    r = client_for(owner).get(LIST, query)
    assert {t.id_tag for t in r.context["table"].data} == expected


def test_page_size_is_one_of_the_offered_ones(owner):
    for i in range(25):
        IdTagFactory(id_tag=f"T{i:03d}", user=owner)
    client = client_for(owner)
    assert len(client.get(LIST, {"per_page": 10}).context["table"].page.object_list) == 10
    assert len(client.get(LIST, {"per_page": 999}).context["table"].page.object_list) == 20


def test_user_column_only_for_those_managing_others_tags(owner, operator, staff, tags, org_tag):
    assert "colleague@example.com" not in client_for(owner).get(LIST).content.decode()
    assert "colleague@example.com" in client_for(operator).get(LIST).content.decode()
    assert "colleague@example.com" in client_for(staff).get(LIST).content.decode()


def test_anonymous_is_sent_to_login():
    r = Client().get(LIST)
    assert r.status_code == 302 and "login" in r["Location"]


# --- Add -------------------------------------------------------------------------------------


def test_add_a_card_restricted_to_charge_points(owner, charger, group_charger, synced):
    expiry = future()
    r = client_for(owner).post(ADD, form_data(expires_at=expiry, valid_charge_points=[charger.pk]))
    assert r.status_code == 302 and r["Location"] == LIST
    tag = IdTag.objects.get(id_tag="CARD-0001")
    assert (tag.user, tag.kind, tag.tag_type, tag.alias, tag.note, tag.is_active) == (
        owner, "physical", "company", "Blue card", "Company car", True)
    assert timezone.localtime(tag.expires_at).strftime("%Y-%m-%dT%H:%M") == expiry
    assert list(tag.valid_charge_points.all()) == [charger]
    assert tag.is_favourite  # the owner's first tag: used for 1-Click
    assert {charger.pk, group_charger.pk} <= synced  # the chargers' local lists follow


@pytest.mark.parametrize("id_tag", ["owner1", "OWNER1", " Owner1 "])
def test_duplicate_tag_id_ignoring_case_is_a_form_error(member, tags, id_tag):
    before = IdTag.objects.count()
    r = client_for(member).post(ADD, form_data(id_tag=id_tag))
    assert r.status_code == 200
    assert r.context["form"].errors["id_tag"] == ["This tag ID already exists."]
    assert IdTag.objects.count() == before


@pytest.mark.parametrize("overrides, field", [
    ({"id_tag": ""}, "id_tag"),
    ({"id_tag": "X" * 21}, "id_tag"),
    ({"id_tag": "Café"}, "id_tag"),
    ({"expires_at": "31/02/2030 25:00"}, "expires_at"),
    ({"expires_at": "2020-01-01T10:00"}, "expires_at"),  # already past
    ({"tag_type": "vip"}, "tag_type"),
    ({"kind": "sticker"}, "kind"),
    ({"note": "n" * 201}, "note"),
])
def test_bad_input_is_a_form_error_and_nothing_is_written(owner, overrides, field):
    r = client_for(owner).post(ADD, form_data(**overrides))
    assert r.status_code == 200 and field in r.context["form"].errors
    assert not IdTag.objects.filter(user=owner).exists()


def test_a_charger_the_user_cannot_see_is_refused(owner, org_charger):
    r = client_for(owner).post(ADD, form_data(valid_charge_points=[org_charger.pk]))
    assert r.status_code == 200 and "valid_charge_points" in r.context["form"].errors
    assert not IdTag.objects.filter(id_tag="CARD-0001").exists()
    assert "CP-ORG" not in r.content.decode()  # not even offered


# --- Edit ------------------------------------------------------------------------------------


def test_edit_changes_tag4_fields_but_not_the_id(owner, charger, group_charger, tags, synced):
    tag = tags["owner"]
    kind_before = tag.kind
    tag.valid_charge_points.set([charger])
    r = client_for(owner).post(edit_url(tag), form_data(
        id_tag="HACKED", kind="physical" if kind_before == "virtual" else "virtual",
        alias="Renamed", tag_type="private", note="Kept in the car",
        expires_at=future(5), is_active=None, valid_charge_points=[group_charger.pk],
    ))
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    tag.refresh_from_db()
    assert (tag.id_tag, tag.alias, tag.tag_type, tag.note, tag.is_active) == (
        "OWNER1", "Renamed", "private", "Kept in the car", False)
    assert tag.kind == kind_before
    assert list(tag.valid_charge_points.all()) == [group_charger]
    assert {charger.pk, group_charger.pk} <= synced  # the one it left and the one it joined


def test_edit_form_shows_current_values(owner, charger, tags):
    tag = tags["owner"]
    tag.valid_charge_points.set([charger])
    r = client_for(owner).get(edit_url(tag))
    assert r.status_code == 200
    assert r.context["form"].initial["valid_charge_points"] == [charger.pk]
    assert 'value="OWNER1"' in r.content.decode()


def test_edit_keeps_an_unchanged_past_expiry_but_refuses_a_new_one(owner, tags):
    tag = tags["owner"]
    past = timezone.now().replace(second=0, microsecond=0) - timedelta(days=2)
    tag.expires_at = past
    tag.save()
    client = client_for(owner)
    kept = timezone.localtime(past).strftime("%Y-%m-%dT%H:%M")
    assert client.post(edit_url(tag), form_data(expires_at=kept, alias="x")).status_code == 302
    r = client.post(edit_url(tag), form_data(expires_at="2021-05-05T10:00", alias="y"))
    assert r.status_code == 200 and "expires_at" in r.context["form"].errors
    tag.refresh_from_db()
    assert tag.alias == "x" and tag.expires_at == past


def test_restrictions_the_editor_cannot_see_are_kept(owner, staff, charger, org_charger, tags):
    tag = tags["owner"]
    tag.valid_charge_points.set([charger, org_charger])  # staff restricted it to the org charger too
    client_for(owner).post(edit_url(tag), form_data(valid_charge_points=[]))
    assert set(tag.valid_charge_points.all()) == {org_charger}


# --- Delete several --------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_all_chosen(owner, charger, tags, synced):
    second = IdTagFactory(id_tag="OWNER2", user=owner)
    third = IdTagFactory(id_tag="OWNER3", user=owner)
    client = client_for(owner)
    pks = [tags["owner"].pk, second.pk]
    r = client.post(DELETE, {"selection": pks})
    assert r.status_code == 200 and "Delete these 2 tags?" in r.content.decode()
    assert IdTag.objects.filter(pk__in=pks).count() == 2  # nothing deleted yet
    r = client.post(DELETE, {"selection": pks, "confirm": "1"})
    assert r.status_code == 302
    assert list(IdTag.objects.filter(user=owner)) == [third]
    assert IdTag.objects.get(pk=third.pk).is_favourite  # the star moved on
    assert charger.pk in synced


def test_delete_without_selection_deletes_nothing(owner, tags):
    r = client_for(owner).post(DELETE, {"confirm": "1"})
    assert r.status_code == 302 and IdTag.objects.count() == 4


def test_delete_with_anothers_tag_among_them_is_404_and_deletes_nothing(owner, tags):
    pks = [tags["owner"].pk, tags["outsider"].pk]
    assert client_for(owner).post(DELETE, {"selection": pks, "confirm": "1"}).status_code == 404
    assert IdTag.objects.count() == 4


def test_delete_is_post_only(owner, tags):
    assert client_for(owner).get(DELETE).status_code == 405


# --- Access matrix ---------------------------------------------------------------------------

# Which tag ids each persona manages in the portal.
MANAGES = {
    "owner": {"OWNER1"},
    "member": {"MEMBER1"},
    "guest": {"GUEST1"},
    "outsider": {"OUTSIDER1"},
    "operator": {"FLEET1"},  # the organisation's tags
    "staff": {"OWNER1", "MEMBER1", "GUEST1", "OUTSIDER1", "FLEET1"},
}


@pytest.mark.parametrize("persona", list(MANAGES))
def test_access_matrix(world, tags, org_tag, persona):
    user = world[persona]
    client = client_for(user)
    listed = {t.id_tag for t in client.get(LIST, {"per_page": 50}).context["table"].data}
    assert listed == MANAGES[persona]
    for tag in IdTag.objects.all():
        allowed = tag.id_tag in MANAGES[persona]
        assert client.get(edit_url(tag)).status_code == (200 if allowed else 404), tag.id_tag
        if not allowed:
            r = client.post(edit_url(tag), form_data(alias="pwned"))
            assert r.status_code == 404
            assert client.post(DELETE, {"selection": [tag.pk], "confirm": "1"}).status_code == 404
    assert not IdTag.objects.filter(alias="pwned").exists()
    assert IdTag.objects.count() == 5


def test_operator_edits_and_deletes_an_organisation_tag(operator, org_charger, org_tag):
    client = client_for(operator)
    r = client.post(edit_url(org_tag), form_data(alias="Van 4", valid_charge_points=[org_charger.pk]))
    assert r.status_code == 302
    org_tag.refresh_from_db()
    assert org_tag.alias == "Van 4" and list(org_tag.valid_charge_points.all()) == [org_charger]
    assert client.post(DELETE, {"selection": [org_tag.pk], "confirm": "1"}).status_code == 302
    assert not IdTag.objects.filter(pk=org_tag.pk).exists()


def test_guest_picker_offers_only_the_shared_charger(guest, share, charger, group_charger, org_charger):
    r = client_for(guest).get(ADD)
    offered = set(r.context["form"].fields["valid_charge_points"].queryset.values_list("charge_point_id", flat=True))
    assert offered == {"CP-HOME"}


def test_sidebar_has_the_authorization_entry(owner):
    html = client_for(owner).get(LIST).content.decode()
    assert f'href="{LIST}"' in html and 'aria-current="page"' in html
