from django.core.management.base import BaseCommand
from django_q.models import Schedule

from wccportal.lib.tasks import charger_schedules_here
from wccportal.schedules import SCHEDULES


class Command(BaseCommand):
    help = "Create, update and remove django-q2 schedules to match wccportal/schedules.py."

    def handle(self, *args, **opts):
        names = []
        for entry in SCHEDULES:
            if entry.chargers and charger_schedules_here():
                continue  # the web server runs it (embedded default); removed below if present
            names.append(entry.name)
            Schedule.objects.update_or_create(
                name=entry.name,
                defaults={"func": entry.func, "schedule_type": Schedule.MINUTES, "minutes": entry.minutes,
                          "repeats": -1},
            )
        removed, _ = Schedule.objects.exclude(name__in=names).delete()
        self.stdout.write(f"{len(names)} schedules in place, {removed} removed.")
