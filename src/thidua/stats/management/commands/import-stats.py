"""`thidua import-stats FILE --cycle cum-2/2020`: import a filled report template.

All or nothing: every cell is checked first; on any problem nothing is written and every
problem is printed with its sheet, row and column. Acts as `--user` (whose rights apply),
or as the system operator when none is given.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from thidua.errors import DomainError, Refused
from thidua.org import selectors as org_selectors
from thidua.org.authz import SYSTEM
from thidua.org.models import User
from thidua.progress import progress_bar
from thidua.stats import services
from thidua.stats.excel import WorkbookRefused


class Command(BaseCommand):
    help = "Import a filled statistics template (.xlsx) into a cycle, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--cycle", required=True, help="cluster/year, e.g. cum-2/2020")
        parser.add_argument("--user", help="act as this user (default: system operator)")
        parser.add_argument("--submit", action="store_true", help="submit the reports too")
        parser.add_argument("--language", default="vi", choices=["vi", "en"])

    def handle(self, *args, file, cycle, user, submit, language, **options):
        translation.activate(language)
        cluster_code, _, year = cycle.partition("/")
        found = org_selectors.get_cycle(cluster_code, int(year)) if year.isdigit() else None
        if found is None:
            raise CommandError(f"no cycle {cycle!r} (expected cluster/year, e.g. cum-2/2020)")
        actor = SYSTEM
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {user!r}")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        try:
            reports = services.import_workbook(
                actor=actor,
                cycle=found,
                content=content,
                submit=submit,
                progress=progress_bar(lambda text: self.stderr.write(text, ending="")),
            )
        except WorkbookRefused as error:
            for problem in error.problems:
                self.stderr.write(problem.render(translation.gettext))
            raise CommandError(f"{len(error.problems)} problem(s); nothing was imported") from None
        except (DomainError, Refused) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(reports)} report(s) imported into {found.cluster.code}/{found.year}"
            )
        )
