from django.core.management.base import BaseCommand

from chargers import services

from ._provisioning import run_import, write_result


class Command(BaseCommand):
    help = (
        "Create the charge points of a CSV file (columns: "
        + ",".join(services.CHARGER_COLUMNS)
        + "), all or none. Generated passwords are printed once; bad lines exit with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file (UTF-8, with a header line)")
        parser.add_argument("--dry-run", action="store_true", help="only check the file")

    def handle(self, *args, path, dry_run, **options):
        result = run_import(services.chargers_import_csv, path, dry_run=dry_run)
        write_result(self, result, "charge_point_id")
