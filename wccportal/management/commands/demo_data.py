from django.core.management.base import BaseCommand

from wccportal.demo import demo_logins, load_demo_data


class Command(BaseCommand):
    help = "Create the demo personas, chargers, group, share and months of sessions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, **opts):
        result = load_demo_data(days=opts["days"])
        self.stdout.write(
            f"Demo data ready: {result['users']} users, {result['chargers']} chargers, "
            f"{result['sessions_created']} new sessions."
        )
        for role, email, password in demo_logins():
            self.stdout.write(f"  {role:<9} {email:<20} {password}")
