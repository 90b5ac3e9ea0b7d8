"""Personas (healthchecks' Alice/Bob/Charlie, here: owner, member, guest, outsider,
operator, staff), their objects, and fixtures for real servers and the browser."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from chargers.models import ChargerShare
from chargers.passwords import hash_secret
from groups.models import GroupCharger, Membership
from tests.factories.accounts import PASSWORD, OrganisationFactory, UserFactory
from tests.factories.chargers import ChargePointFactory, IdTagFactory
from tests.factories.groups import GroupFactory, TariffFactory

pytest_plugins = ["tests.servers", "tests.e2e"]


@pytest.fixture(autouse=True)
def _release_gateway_writers():
    """Gateway writers made by a test's event loop keep database connections on their threads:
    release them, or PostgreSQL runs out of connections over the suite."""
    yield
    from ocpp_gateway.writer import _writers

    for loop, writer in list(_writers.items()):
        if not loop.is_running():
            writer.release_threads()
            _writers.pop(loop, None)


@pytest.fixture(autouse=True)
def _reset_language():
    """A request in another language leaves it active in the test's thread: reset it, so no
    test depends on which one ran before."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache (Redis in CI): each test starts afresh.
    cache.clear()
    yield


@pytest.fixture
def configuration_keys(db):
    """The platform-wide configuration keys a data migration creates (CP-4). Transactional
    tests flush the database, migration data included, so tests that need them ask here."""
    import importlib

    from chargers.models import ConfigurationKey

    defaults = importlib.import_module("chargers.migrations.0003_default_configuration_keys").DEFAULTS
    for setting, key, on, off in defaults:
        ConfigurationKey.objects.get_or_create(
            vendor="", model="", setting=setting, defaults={"key": key, "true_value": on, "false_value": off}
        )


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com", first_name="Olivia", plan=User.Plan.PREMIUM)


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.com", first_name="Max")


@pytest.fixture
def guest(db):
    return UserFactory(email="guest@example.com", first_name="Gina")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.com", first_name="Otto")


@pytest.fixture
def operator(db):
    return UserFactory(
        email="operator@example.com", user_type=User.UserType.OPERATOR,
        organisation=OrganisationFactory(name="Fleet Ltd"),
    )


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def personas(owner, member, guest, outsider, operator, staff):
    return {"owner": owner, "member": member, "guest": guest, "outsider": outsider,
            "operator": operator, "staff": staff}


@pytest.fixture
def charger(owner):
    """The owner's residential charger with two connectors."""
    return ChargePointFactory(charge_point_id="CP-HOME", name="Home", owner=owner)


@pytest.fixture
def group_charger(owner, member):
    """A second charger of the owner, in the owner's group (with a tariff) of which member is part."""
    tariff = TariffFactory(owner=owner)
    group = GroupFactory(owner=owner, name="Residence", tariff=tariff)
    Membership.objects.create(group=group, user=member)
    cp = ChargePointFactory(charge_point_id="CP-GROUP", name="Residence", owner=owner)
    GroupCharger.objects.create(group=group, charge_point=cp)
    return cp


@pytest.fixture
def org_charger(operator):
    return ChargePointFactory(charge_point_id="CP-ORG", name="Depot", organisation=operator.organisation)


@pytest.fixture
def tags(owner, member, guest, outsider):
    return {
        "owner": IdTagFactory(id_tag="OWNER1", user=owner, is_favourite=True),
        "member": IdTagFactory(id_tag="MEMBER1", user=member, is_favourite=True),
        "guest": IdTagFactory(id_tag="GUEST1", user=guest, is_favourite=True),
        "outsider": IdTagFactory(id_tag="OUTSIDER1", user=outsider, is_favourite=True),
    }


@pytest.fixture
def share(charger, owner, guest, tags):
    return ChargerShare.objects.create(
        charge_point=charger, shared_by=owner, email=guest.email, recipient=guest, id_tag=tags["guest"],
        access_code_hash=hash_secret("SHARECODE"), expires_at=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def world(personas, charger, group_charger, org_charger, tags, share):
    """Every persona with their objects: owner's home charger shared to guest, owner's group
    charger used by member, the operator's organisation charger."""
    return personas
