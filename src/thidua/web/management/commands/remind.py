"""`thidua remind [--date YYYY-MM-DD]`: send today's deadline reminders (in the app, and by
e-mail to those with an address). Run it once a day (cron); running it again the same day
sends nothing twice."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from thidua.web import reminders


class Command(BaseCommand):
    help = "Send deadline reminders due today (once per person, phase and day)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="as if today")
        parser.add_argument(
            "--days", type=int, default=reminders.WITHIN_DAYS, help="remind this many days ahead"
        )

    def handle(self, *args, days=reminders.WITHIN_DAYS, **options):
        today = options["date"] or timezone.localdate()
        recorded, emailed = reminders.send(today, within_days=days)
        self.stdout.write(f"{recorded} reminders, {emailed} e-mails ({today.isoformat()})")
