"""`thidua demo`: load the demo clusters (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from thidua.org.demo import demo_lineage_summary, load_demo
from thidua.org.models import UserKind


class Command(BaseCommand):
    help = "Load the demo clusters (Cụm thi đua số II and số I) and print the demo logins."

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {demo_lineage_summary()}."))
        self.stdout.write("")
        self.stdout.write("Tài khoản dùng thử / demo logins (mật khẩu / password):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            extra = ""
            if login.username in ("hagiang.thuky", "laocai.thuky"):
                extra = (
                    "  ← cụm trưởng 2020"
                    if login.username == "hagiang.thuky"
                    else ("  ← cụm trưởng 2021")
                )
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password}  "
                f"{UserKind(login.kind).label} – {login.unit}{extra}"
            )
