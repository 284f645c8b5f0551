"""`thidua demo`: load the demo clusters (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from thidua.org.demo import demo_lineage_summary
from thidua.org.models import UserKind
from thidua.web.demo import load_demo, notices

NOTES = {
    "hagiang.thuky": "← cụm trưởng 2020 / leader 2020",
    "laocai.thuky": "← cụm trưởng 2021 / leader 2021",
    "admin": "← cũng vào được /admin/",
}


class Command(BaseCommand):
    help = "Load the demo clusters (Cụm thi đua số II and số I) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation-only",
            action="store_true",
            help="units, people, rule sets and 2019 figures, but no year 2020 for Cụm II yet",
        )

    def handle(self, *args, organisation_only: bool = False, **options):
        logins = load_demo(organisation_only=organisation_only)
        for warning in notices:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {demo_lineage_summary()}."))
        self.stdout.write("Tài khoản dùng thử / demo logins (tên, mật khẩu / user, password):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            note = NOTES.get(login.username, "")
            line = f"  {login.username:<{width}}  {login.password}  {UserKind(login.kind).label}"
            self.stdout.write(f"{line} – {login.unit}  {note}".rstrip())
