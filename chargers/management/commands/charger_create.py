from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chargers import services
from wccportal.errors import DomainError

from ._provisioning import user_by_email


class Command(BaseCommand):
    help = "Provision a charge point. A generated OCPP password is printed once."

    def add_arguments(self, parser):
        parser.add_argument("charge_point_id")
        parser.add_argument(
            "--password", help="the OCPP password, 8 to 40 characters (default: generated)"
        )
        parser.add_argument("--model", default="")
        parser.add_argument("--vendor", default="")
        parser.add_argument("--owner", metavar="EMAIL", help="e-mail address of an existing user")
        parser.add_argument("--name", default="")
        parser.add_argument("--connectors", type=int, default=1, help="1 to 16 (default: 1)")

    def handle(self, *args, **options):
        connectors = options["connectors"]
        if not 1 <= connectors <= services.MAX_CONNECTORS:
            message = _("connectors is a whole number from 1 to %(max)d.")
            raise CommandError(message % {"max": services.MAX_CONNECTORS})
        try:
            cp, password = services.charger_create(
                charge_point_id=options["charge_point_id"], password=options["password"],
                model=options["model"], vendor=options["vendor"], name=options["name"],
                owner=user_by_email(options["owner"]), connectors=connectors,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        created = ngettext(
            "Created the charge point %(id)s with %(count)d connector.",
            "Created the charge point %(id)s with %(count)d connectors.", connectors,
        )
        created %= {"id": cp.charge_point_id, "count": connectors}
        self.stdout.write(self.style.SUCCESS(created))
        if not options["password"]:
            shown = _("OCPP password (shown once): %(password)s")
            self.stdout.write(shown % {"password": password})
