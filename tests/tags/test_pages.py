"""Tag pages of the driver app (TAG-1 … TAG-3): list, add, alias, favourite, delete, card
enrolment; another user's tag or enrolment is a 404; bad input is a form error."""

import pytest
from django.test import Client
from django.urls import reverse

from chargers.models import ChargePoint, IdTag, TagEnrolment
from tests.factories.chargers import IdTagFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_my_tags_only_with_an_empty_state_for_none(owner, outsider, tags):
    page = signed_in(owner).get(reverse("app:tags"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "OWNER1" in html and "MEMBER1" not in html
    IdTag.objects.filter(user=outsider).delete()
    html = signed_in(outsider).get("/app/tags/").content.decode()
    assert "You have no tag yet" in html


def test_login_required():
    response = Client().get("/app/tags/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_add_virtual_tag(member):
    client = signed_in(member)
    assert client.get("/app/tags/add/").status_code == 200
    response = client.post("/app/tags/add/", {"id_tag": "Phone-7", "alias": "Phone"}, follow=True)
    assert response.redirect_chain[-1][0] == "/app/tags/"
    tag = IdTag.objects.get(id_tag="Phone-7")
    assert (tag.user, tag.kind, tag.alias, tag.is_favourite) == (member, "virtual", "Phone", True)
    assert "Phone-7" in response.content.decode()


@pytest.mark.parametrize(
    ("id_tag", "message"),
    [("owner1", "already exists"), ("X" * 21, "1 to 20 characters"), ("Kärtchen", "printable ASCII"),
     ("", "This field is required")],
)
def test_add_virtual_tag_errors_are_shown_next_to_the_field(member, tags, id_tag, message):
    before = IdTag.objects.count()
    response = signed_in(member).post("/app/tags/add/", {"id_tag": id_tag})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["id_tag"]
    assert IdTag.objects.count() == before


def test_alias_favourite_and_delete(owner, tags):
    second = IdTagFactory(id_tag="OWNER2", user=owner)
    client = signed_in(owner)
    client.post(f"/app/tags/{second.pk}/alias/", {"alias": "Company car"})
    assert IdTag.objects.get(pk=second.pk).alias == "Company car"
    client.post(f"/app/tags/{second.pk}/alias/", {"alias": "z" * 101})
    assert IdTag.objects.get(pk=second.pk).alias == "Company car"
    client.post(f"/app/tags/{second.pk}/favourite/")
    assert list(IdTag.objects.filter(user=owner, is_favourite=True)) == [second]
    response = client.post(f"/app/tags/{second.pk}/delete/", follow=True)
    assert "was deleted" in response.content.decode()
    assert not IdTag.objects.filter(pk=second.pk).exists()
    # Changes need POST.
    assert client.get(f"/app/tags/{tags['owner'].pk}/delete/").status_code == 405


def test_another_users_tag_is_404(owner, tags):
    client = signed_in(owner)
    pk = tags["member"].pk
    for action in ("alias", "favourite", "delete"):
        assert client.post(f"/app/tags/{pk}/{action}/", {"alias": "x"}).status_code == 404
    assert IdTag.objects.get(pk=pk).alias == tags["member"].alias


def test_card_enrolment_pages(owner, charger, group_charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    client = signed_in(owner)
    page = client.get("/app/tags/card/")
    assert page.status_code == 200
    assert "CP-HOME" in page.content.decode() and "CP-GROUP" in page.content.decode()
    # An offline charger: a form error, nothing started.
    response = client.post("/app/tags/card/", {"charge_point": "CP-GROUP"})
    assert response.status_code == 200 and "offline" in response.content.decode()
    assert not TagEnrolment.objects.exists()
    # A charger that is not mine is not even a choice.
    response = client.post("/app/tags/card/", {"charge_point": "CP-ELSEWHERE"})
    assert response.context["form"].errors["charge_point"]
    response = client.post("/app/tags/card/", {"charge_point": "CP-HOME", "alias": "Blue"})
    enrolment = TagEnrolment.objects.get()
    assert response["Location"] == f"/app/tags/card/{enrolment.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["state"] == "waiting"
    assert 'data-countdown' in page.content.decode()
    client.post(f"/app/tags/card/{enrolment.pk}/cancel/")
    assert TagEnrolment.objects.get().cancelled_at is not None


def test_card_page_for_a_user_without_chargers(member):
    html = signed_in(member).get("/app/tags/card/").content.decode()
    assert "Claim your charger first" in html


def test_another_users_enrolment_is_404(owner, outsider, charger):
    enrolment = TagEnrolment.objects.create(user=owner, charge_point=charger,
                                            expires_at=charger.created_at)
    client = signed_in(outsider)
    assert client.get(f"/app/tags/card/{enrolment.pk}/").status_code == 404
    assert client.post(f"/app/tags/card/{enrolment.pk}/cancel/").status_code == 404
