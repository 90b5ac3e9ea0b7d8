from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chargers import services
from chargers.models import IdTag
from wccportal.errors import DomainError

from ._provisioning import user_by_email


class Command(BaseCommand):
    help = "Provision an authorization tag (an RFID card unless --kind virtual)."

    def add_arguments(self, parser):
        parser.add_argument("id_tag")
        parser.add_argument("--owner", metavar="EMAIL", help="e-mail address of an existing user")
        parser.add_argument("--alias", default="")
        parser.add_argument("--type", dest="tag_type", default=IdTag.TagType.OTHER,
                            choices=IdTag.TagType.values)
        parser.add_argument("--kind", default=IdTag.Kind.PHYSICAL, choices=IdTag.Kind.values)
        parser.add_argument(
            "--expires", metavar="ISO8601",
            help="date or date and time; without an offset, in the portal's time zone",
        )
        parser.add_argument("--note", default="")

    def handle(self, *args, **options):
        expires_at = None
        if options["expires"]:
            expires_at = services.parse_local_datetime(options["expires"])
            if expires_at is None:
                raise CommandError(
                    _("expires_at “%(value)s” is not an ISO 8601 date or date and time "
                      "(e.g. 2027-12-31 or 2027-12-31T23:59:00+01:00).")
                    % {"value": options["expires"]}
                )
        try:
            tag = services.tag_create(
                id_tag=options["id_tag"], user=user_by_email(options["owner"]),
                alias=options["alias"], kind=options["kind"], tag_type=options["tag_type"],
                expires_at=expires_at, note=options["note"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(_("Created the tag %(id)s.") % {"id": tag.id_tag}))
