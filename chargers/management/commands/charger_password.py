from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chargers import services
from chargers.models import ChargePoint
from wccportal.errors import DomainError


class Command(BaseCommand):
    help = "Set a charge point's OCPP password, or generate a new one (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("charge_point_id")
        parser.add_argument(
            "--password", help="the new password, 8 to 40 characters (default: generated)"
        )

    def handle(self, *args, charge_point_id, password, **options):
        charge_point = (
            ChargePoint.objects.filter(charge_point_id=charge_point_id).first()
            or ChargePoint.objects.filter(charge_point_id__iexact=charge_point_id).first()
        )
        if charge_point is None:
            raise CommandError(_("No charge point has the ID %(id)s.") % {"id": charge_point_id})
        try:
            new_password = services.charger_set_password(
                charge_point=charge_point, password=password
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if password:
            self.stdout.write(self.style.SUCCESS(
                _("The OCPP password of %(id)s was changed.") % {"id": charge_point.charge_point_id}
            ))
        else:
            self.stdout.write(
                _("New OCPP password of %(id)s (shown once): %(password)s")
                % {"id": charge_point.charge_point_id, "password": new_password}
            )
        self.stdout.write(_("The charger must use it from its next connection."))
