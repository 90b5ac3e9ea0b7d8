from decimal import Decimal

import factory

from groups.models import Group, Tariff


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    name = "Standard"
    currency = "EUR"
    price_per_kwh = Decimal("0.30")
    connection_fee = Decimal("1.00")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    city = "Munich"
