import factory

from chargers.models import ChargePoint, Connector, IdTag
from chargers.passwords import hash_secret
from wccportal.lib import crypto

CHARGER_PASSWORD = "charger-password-0123"


class ChargePointFactory(factory.django.DjangoModelFactory):
    """A charger with its connectors (0 and 1..connectors) and a known OCPP password."""

    class Meta:
        model = ChargePoint
        skip_postgeneration_save = True

    charge_point_id = factory.Sequence(lambda n: f"CP-{n:04d}")
    name = factory.Sequence(lambda n: f"Charger {n}")
    model = "SimBox 22"
    vendor = "WCC Sim"
    claim_code = factory.Sequence(lambda n: f"CLAIM{n:04d}")
    password_hash = factory.LazyFunction(lambda: hash_secret(CHARGER_PASSWORD))
    password_encrypted = factory.LazyFunction(lambda: crypto.encrypt(CHARGER_PASSWORD))

    @factory.post_generation
    def connectors(obj, create, extracted, **kwargs):
        if create:
            count = 2 if extracted is None else extracted
            Connector.objects.bulk_create(
                [Connector(charge_point=obj, connector_id=i) for i in range(0, count + 1)]
            )


class IdTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdTag

    id_tag = factory.Sequence(lambda n: f"TAG{n:06d}")
    alias = factory.Sequence(lambda n: f"Card {n}")
