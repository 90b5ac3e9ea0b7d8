"""Portal users screen (ACC-9, ACC-12): who has it (staff, organisation administrators; 404 for
everyone else), search, add with an e-mailed initial password, edit, delete (deactivation with
the erase scheduled) and the login history."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginEvent, User
from chargers.models import LocalListEntry
from tests.accounts.helpers import last_mail_to
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.chargers import ChargePointFactory, IdTagFactory
from tests.signin import login_data

pytestmark = pytest.mark.django_db

LIST = reverse("portal:users")
ADD = reverse("portal:user_add")
DELETE = reverse("portal:users_delete")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def detail(user):
    return reverse("portal:user_detail", args=[user.pk])


@pytest.fixture
def admin(operator):
    """An administrator of the operator's organisation."""
    return UserFactory(email="admin@example.com", first_name="Ada", last_name="Admin",
                       user_type=User.UserType.ADMINISTRATOR, organisation=operator.organisation)


@pytest.fixture
def other_admin(db):
    from tests.factories.accounts import OrganisationFactory

    return UserFactory(email="boss@other.example", user_type=User.UserType.ADMINISTRATOR,
                       organisation=OrganisationFactory(name="Other Ltd"))


@pytest.fixture
def synced(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr("chargers.local_list.sync_local_lists", lambda pks: calls.append(sorted(pks)))
    return calls


def edit_data(user, **overrides):
    data = {"first_name": user.first_name or "First", "last_name": user.last_name or "Last",
            "mobile": user.mobile, "employee_number": user.employee_number,
            "customer_number": user.customer_number, "user_type": user.user_type,
            "language": user.language, "is_active": "on" if user.is_active else None}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Access matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "member", "guest", "outsider", "operator"])
def test_users_screen_is_404_for_everyone_but_staff_and_org_admins(world, persona):
    user = world[persona]
    client = client_for(user)
    target = world["owner"] if persona != "owner" else world["member"]
    assert client.get(LIST).status_code == 404
    assert client.get(ADD).status_code == 404
    assert client.post(ADD, {"first_name": "A", "last_name": "B", "email": "new@example.com",
                             "user_type": "driver", "language": "en"}).status_code == 404
    assert client.get(detail(target)).status_code == 404
    assert client.get(detail(user)).status_code == 404
    assert client.post(detail(target), edit_data(target, first_name="Hacked")).status_code == 404
    assert client.post(DELETE, {"selection": [target.pk], "confirm": "1"}).status_code == 404
    target.refresh_from_db()
    assert target.first_name != "Hacked" and target.is_active
    assert not User.objects.filter(email="new@example.com").exists()
    # No sidebar entry either.
    assert b'href="/portal/users/"' not in client.get(reverse("portal:dashboard")).content


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_see_every_user(world):
    client = client_for(world["staff"])
    page = client.get(LIST + "?per_page=50").content.decode()
    for user in world.values():
        assert user.email in page
    assert 'href="/portal/users/"' in page  # sidebar entry


def test_org_admin_sees_and_manages_only_their_organisation(world, admin, other_admin):
    colleague = world["operator"]
    stranger_staff = UserFactory(email="staff2@example.com", is_staff=True, organisation=admin.organisation)
    client = client_for(admin)
    page = client.get(LIST).content.decode()
    assert colleague.email in page and admin.email in page
    assert 'href="/portal/users/"' in page
    for outsider in (world["owner"], world["outsider"], world["staff"], other_admin, stranger_staff):
        assert outsider.email not in page
        assert client.get(detail(outsider)).status_code == 404
        assert client.post(detail(outsider), edit_data(outsider, first_name="Hacked")).status_code == 404
        assert client.post(DELETE, {"selection": [outsider.pk], "confirm": "1"}).status_code == 404
        outsider.refresh_from_db()
        assert outsider.first_name != "Hacked" and outsider.is_active
    # A mix of an own and a foreign account changes nothing.
    assert client.post(DELETE, {"selection": [colleague.pk, world["owner"].pk], "confirm": "1"}).status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active
    assert client.get(detail(colleague)).status_code == 200


def test_a_deactivated_admin_has_no_screen(admin):
    client = client_for(admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert client.get(LIST).status_code in (302, 404)


# --- List and search --------------------------------------------------------------------------


def test_list_columns_tags_role_and_status(world, tags):
    staff = world["staff"]
    IdTagFactory(id_tag="OWNER2", user=world["owner"], alias="Van")
    User.objects.filter(pk=world["member"].pk).update(must_change_password=True)
    User.objects.filter(pk=world["guest"].pk).update(is_guest=True)
    User.objects.filter(pk=world["outsider"].pk).update(is_active=False, deactivated_at=timezone.now())
    response = client_for(staff).get(LIST + "?per_page=50")
    table = response.context["table"]
    rows = {row.record.email: row for row in table.rows}
    owner_row = rows["owner@example.com"]
    assert owner_row.get_cell("id") == world["owner"].pk
    assert "OWNER1" in owner_row.get_cell("tags") and "OWNER2" in owner_row.get_cell("tags")
    assert owner_row.get_cell("first_name") == "Olivia"
    assert "Driver" in owner_row.get_cell("role") and "Premium" in owner_row.get_cell("role")
    assert "Active" in owner_row.get_cell("status")
    assert "Operator" in rows["operator@example.com"].get_cell("role")
    assert "Fleet Ltd" in rows["operator@example.com"].get_cell("role")
    assert "Staff" in rows["staff@example.com"].get_cell("role")
    assert "Must change password" in rows["member@example.com"].get_cell("status")
    assert "Guest" in rows["guest@example.com"].get_cell("status")
    assert "Deactivated" in rows["outsider@example.com"].get_cell("status")
    page = response.content.decode()
    for header in ("ID", "E-mail", "RFID tag", "First name", "Last name", "Role", "Status"):
        assert f">{header}<" in page or f">{header}</a>" in page or header in page


@pytest.mark.parametrize("query, expected", [
    ("owner@", {"owner@example.com"}),
    ("EXAMPLE.COM", {"owner@example.com", "member@example.com", "guest@example.com",
                     "outsider@example.com", "operator@example.com", "staff@example.com"}),
    ("Olivia", {"owner@example.com"}),
    ("max member", {"member@example.com"}),
    ("nobody", set()),
])
def test_search_by_email_and_name(world, query, expected):
    response = client_for(world["staff"]).get(LIST, {"q": query, "per_page": 50})
    assert {row.record.email for row in response.context["table"].rows} == expected


def test_status_and_type_filters(world):
    User.objects.filter(pk=world["member"].pk).update(must_change_password=True)
    client = client_for(world["staff"])
    emails = lambda r: {row.record.email for row in r.context["table"].rows}  # noqa: E731
    assert emails(client.get(LIST, {"status": "password"})) == {"member@example.com"}
    assert emails(client.get(LIST, {"user_type": "operator"})) == {"operator@example.com"}


def test_page_sizes_and_sorting(staff):
    for n in range(25):
        UserFactory(email=f"bulk{n:02d}@example.com")
    client = client_for(staff)
    response = client.get(LIST)
    assert len(response.context["table"].page.object_list) == 20  # default
    assert len(client.get(LIST, {"per_page": 10}).context["table"].page.object_list) == 10
    assert len(client.get(LIST, {"per_page": 999}).context["table"].page.object_list) == 20
    response = client.get(LIST, {"per_page": 10, "page": 3})
    assert len(response.context["table"].page.object_list) == 6
    assert client.get(LIST, {"page": "x"}).status_code == 200
    first = client.get(LIST, {"sort": "-email"}).context["table"].page.object_list[0].record
    assert first.email == "staff@example.com"


# --- Add --------------------------------------------------------------------------------------


def test_staff_add_a_user_who_gets_an_initial_password(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"first_name": " Nina ", "last_name": "Neu", "email": "Nina@Example.com",
                                     "user_type": "driver", "language": "de"})
    user = User.objects.get(email="nina@example.com")
    assert response.status_code == 302 and response["Location"] == detail(user)
    assert (user.first_name, user.last_name, user.user_type, user.language) == ("Nina", "Neu", "driver", "de")
    assert user.must_change_password and user.is_active and user.organisation is None
    body = last_mail_to("nina@example.com").body
    assert "Startpasswort" in body  # in the language chosen for her
    password = re.search(r"\b(\w{4}-\w{4}-\w{4}-\w{4})\b", body).group(1)
    assert user.check_password(password)
    # Signing in with it leads to the password change first (ACC-1).
    fresh = Client()
    assert fresh.login(email="nina@example.com", password=password)
    assert "/password" in fresh.get(reverse("portal:dashboard"))["Location"]


def test_org_admin_adds_a_colleague_to_their_organisation(admin, other_admin, django_capture_on_commit_callbacks):
    client = client_for(admin)
    # A forged organisation field is ignored: the admin has none to choose.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, {"first_name": "Carl", "last_name": "Co", "email": "carl@fleet.example",
                          "user_type": "operator", "language": "en",
                          "organisation": other_admin.organisation_id})
    carl = User.objects.get(email="carl@fleet.example")
    assert carl.organisation_id == admin.organisation_id and carl.user_type == "operator"
    assert len(mail.outbox) == 1
    assert carl.email in client.get(LIST).content.decode()


@pytest.mark.parametrize("data, field, error", [
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"email": ""}, "email", "This field is required."),
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"last_name": "  "}, "last_name", "This field is required."),
    ({"user_type": "god"}, "user_type", "Select a valid choice."),
    ({"email": "OWNER@example.com"}, "email", "This e-mail address is already registered."),
])
def test_add_refuses_bad_input(world, data, field, error, django_capture_on_commit_callbacks):
    before = User.objects.count()
    body = {"first_name": "New", "last_name": "Person", "email": "new@example.com", "user_type": "driver",
            "language": "en", **data}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["staff"]).post(ADD, body)
    assert response.status_code == 200
    assert error in response.context["form"].errors[field][0]
    assert User.objects.count() == before and mail.outbox == []


def test_add_turns_a_guest_into_a_full_account(staff, guest, django_capture_on_commit_callbacks):
    User.objects.filter(pk=guest.pk).update(is_guest=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff).post(ADD, {"first_name": "Gina", "last_name": "Guest", "email": guest.email,
                                     "user_type": "driver", "language": "en"})
    guest.refresh_from_db()
    assert not guest.is_guest and guest.must_change_password and guest.last_name == "Guest"
    assert User.objects.filter(email__iexact=guest.email).count() == 1


# --- Edit -------------------------------------------------------------------------------------


def test_edit_saves_the_details(admin, operator):
    client = client_for(admin)
    response = client.post(detail(operator), edit_data(
        operator, first_name=" Otto ", last_name="Operator", mobile="+49 170 1234567",
        employee_number="E-17", customer_number="C-99", user_type="administrator", language="fr",
    ))
    assert response.status_code == 302
    operator.refresh_from_db()
    assert (operator.first_name, operator.last_name, operator.mobile, operator.employee_number,
            operator.customer_number, operator.user_type, operator.language) == (
        "Otto", "Operator", "+49 170 1234567", "E-17", "C-99", "administrator", "fr")


@pytest.mark.parametrize("data, field", [
    ({"first_name": ""}, "first_name"),
    ({"last_name": ""}, "last_name"),
    ({"mobile": "call me"}, "mobile"),
    ({"user_type": "root"}, "user_type"),
    ({"language": "xx"}, "language"),
    ({"employee_number": "x" * 65}, "employee_number"),
])
def test_edit_refuses_bad_input_and_writes_nothing(staff, member, data, field):
    before = User.objects.values().get(pk=member.pk)
    response = client_for(staff).post(detail(member), edit_data(member, first_name="Changed", **data)
                                      if "first_name" not in data else edit_data(member, **data))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert User.objects.values().get(pk=member.pk) == before


def test_nobody_demotes_or_deactivates_themselves(admin):
    client = client_for(admin)
    client.post(detail(admin), edit_data(admin, user_type="driver", is_active=None, first_name="Ada2"))
    admin.refresh_from_db()
    assert admin.user_type == "administrator" and admin.is_active and admin.first_name == "Ada2"


def test_switching_an_account_off_and_on_resyncs_its_tags(
    staff, owner, charger, tags, synced, django_capture_on_commit_callbacks
):
    elsewhere = ChargePointFactory(charge_point_id="CP-AWAY", owner=None)
    LocalListEntry.objects.create(charge_point=elsewhere, id_tag="OWNER1")
    client = client_for(staff)
    owner_browser = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail(owner), edit_data(owner, is_active=None))
    owner.refresh_from_db()
    assert not owner.is_active and owner.deactivated_at is None  # off by hand: not erased
    assert synced == [sorted([charger.pk, elsewhere.pk])]
    assert owner_browser.get(reverse("portal:dashboard")).status_code == 302  # signed out
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail(owner), edit_data(owner, is_active="on"))
    owner.refresh_from_db()
    assert owner.is_active and len(synced) == 2


def test_staff_may_move_a_user_to_an_organisation(staff, member, operator):
    client_for(staff).post(detail(member), edit_data(member, organisation=operator.organisation_id,
                                                     user_type="operator"))
    member.refresh_from_db()
    assert member.organisation_id == operator.organisation_id and member.user_type == "operator"


# --- Delete -----------------------------------------------------------------------------------


def test_delete_asks_first_then_deactivates_and_schedules_the_erase(
    admin, operator, charger, synced, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="colleague@example.com", organisation=admin.organisation,
                            user_type=User.UserType.OPERATOR)
    IdTagFactory(id_tag="COLL1", user=colleague)
    LocalListEntry.objects.create(charge_point=charger, id_tag="coll1")
    client = client_for(admin)
    colleague_browser = client_for(colleague)
    response = client.post(DELETE, {"selection": [operator.pk, colleague.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Delete these 2 users?" in page and operator.email in page and colleague.email in page
    operator.refresh_from_db()
    assert operator.is_active  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"selection": [operator.pk, colleague.pk], "confirm": "1"},
                               follow=True)
    assert "2 users were deleted." in response.content.decode()
    for user in (operator, colleague):
        user.refresh_from_db()
        assert not user.is_active and user.deactivated_at is not None
        assert User.objects.filter(pk=user.pk).exists()  # erased later, by the daily job
    assert [charger.pk] in synced
    assert colleague_browser.get(reverse("portal:dashboard")).status_code == 302
    # The list shows them as deactivated; the detail page tells when they go.
    assert "Erased on" in client.get(detail(operator)).content.decode()


def test_delete_refuses_oneself_and_empty_or_bad_selections(admin, operator):
    client = client_for(admin)
    response = client.post(DELETE, {"selection": [admin.pk, operator.pk], "confirm": "1"}, follow=True)
    assert "You cannot delete your own account here" in response.content.decode()
    admin.refresh_from_db()
    operator.refresh_from_db()
    assert admin.is_active and operator.is_active
    assert client.post(DELETE, {}, follow=True).status_code == 200
    assert client.post(DELETE, {"selection": ["x"]}).status_code == 404
    assert client.post(DELETE, {"selection": [999999], "confirm": "1"}).status_code == 404
    assert client.get(DELETE).status_code == 405


def test_erase_job_removes_a_portal_deleted_user_after_the_grace_period(staff, member):
    from accounts.services import users_erase_deactivated

    client_for(staff).post(DELETE, {"selection": [member.pk], "confirm": "1"})
    assert users_erase_deactivated() == 0
    assert users_erase_deactivated(at=timezone.now() + timedelta(days=15)) == 1
    assert not User.objects.filter(pk=member.pk).exists()


# --- Login history (ACC-9) --------------------------------------------------------------------


def test_login_history_on_the_users_page(staff, member, outsider):
    now = timezone.now()
    for n in range(15):
        LoginEvent.objects.create(user=member, email=member.email, succeeded=n % 5 != 0,
                                  ip_address=f"203.0.113.{n}", user_agent=f"Agent/{n}",
                                  created_at=now - timedelta(hours=n))
    LoginEvent.objects.create(user=outsider, email=outsider.email, succeeded=True, ip_address="198.51.100.9")
    client = client_for(staff)
    response = client.get(detail(member))
    rows = list(response.context["logins"].page.object_list)
    assert len(rows) == 10  # 10 a page here
    assert rows[0].record.ip_address == "203.0.113.0" and not rows[0].record.succeeded
    page = response.content.decode()
    assert "Login history" in page and "Agent/1" in page and "198.51.100.9" not in page
    assert "Failed" in page and "Signed in" in page
    second = client.get(detail(member), {"page": 2}).context["logins"].page.object_list
    assert [r.record.ip_address for r in second] == [f"203.0.113.{n}" for n in range(10, 15)]
    assert len(client.get(detail(member), {"per_page": 20}).context["logins"].page.object_list) == 15


def test_real_sign_ins_appear_in_the_history(staff, member):
    Client().login(email=member.email, password="wrong")
    browser = Client()
    browser.post("/accounts/login/", login_data(browser, member.email, PASSWORD))
    logins = list(LoginEvent.objects.filter(user=member))
    assert logins
    page = client_for(staff).get(detail(member)).content.decode()
    assert "Failed" in page


def test_login_history_of_all_managed_users(world, admin):
    operator, owner = world["operator"], world["owner"]
    LoginEvent.objects.create(user=operator, email=operator.email, succeeded=False, ip_address="203.0.113.7")
    LoginEvent.objects.create(user=admin, email=admin.email, succeeded=True)
    LoginEvent.objects.create(user=owner, email=owner.email, succeeded=True, ip_address="198.51.100.1")
    LoginEvent.objects.create(user=None, email="ghost@example.com", succeeded=False)
    url = reverse("portal:users_logins")
    emails = lambda r: [row.record.email for row in r.context["logins"].page.object_list]  # noqa: E731
    client = client_for(admin)
    # (force_login records sign-ins too)
    assert set(emails(client.get(url))) == {admin.email, operator.email}
    assert emails(client.get(url, {"result": "failed"})) == [operator.email]
    assert set(emails(client.get(url, {"q": "admin@"}))) == {admin.email}
    assert "198.51.100.1" not in client.get(url).content.decode()
    staff_view = client_for(world["staff"]).get(url)
    assert {"ghost@example.com", owner.email} <= set(emails(staff_view))
    for persona in ("owner", "member", "guest", "outsider", "operator"):
        assert client_for(world[persona]).get(url).status_code == 404
