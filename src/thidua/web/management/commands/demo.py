"""`thidua demo`: load the demo clusters (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from thidua.org.demo import CLUSTER_II, demo_lineage_summary
from thidua.org.models import Cycle, UserKind
from thidua.voting.demo import count_the_open_poll
from thidua.web import tour
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
        parser.add_argument(
            "--count-open-poll",
            action="store_true",
            help="also vote and count the poll the demo leaves open (the Ministry flag), as "
            "`make docs-preview` does to make every document of 2020",
        )

    def handle(
        self, *args, organisation_only: bool = False, count_open_poll: bool = False, **options
    ):
        logins = load_demo(organisation_only=organisation_only)
        if count_open_poll and not organisation_only:
            counted = count_the_open_poll(
                Cycle.objects.get(cluster__code=CLUSTER_II["code"], year=2020)
            )
            if counted is not None:
                self.stdout.write(f"Đã kiểm phiếu: {counted.title}.")
        for warning in notices:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {demo_lineage_summary()}."))
        self.stdout.write("Tài khoản dùng thử / demo logins (tên, mật khẩu / user, password):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            note = NOTES.get(login.username, "")
            line = f"  {login.username:<{width}}  {login.password}  {UserKind(login.kind).label}"
            self.stdout.write(f"{line} – {login.unit}  {note}".rstrip())
        if not organisation_only:
            self.stdout.write("Thử theo thứ tự / a guided tour (README, trang đăng nhập):")
            for number, step in enumerate(tour.TOUR, 1):
                self.stdout.write(f"  {number}. {step.username} ({step.who}): {step.what}")
