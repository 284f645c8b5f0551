"""`thidua record export --cycle cum-2/2020 --out FILE[.gz]` and `thidua record import FILE`."""

import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.core import record as core_record
from thidua.core.numbers import format_number
from thidua.errors import DomainError
from thidua.org import selectors


class Command(BaseCommand):
    help = "Export a cluster year as a record, or restore one into this database."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        out = commands.add_parser("export", help="write the record of a cycle")
        out.add_argument("--cycle", required=True, help="cluster/year, e.g. cum-2/2020")
        out.add_argument("--out", required=True, type=Path, help="FILE.json or FILE.json.gz")
        restore = commands.add_parser("import", help="restore a record (the cycle must be new)")
        restore.add_argument("file", type=Path)

    def handle(self, *args, action, **options):
        if action == "export":
            self._export(options["cycle"], options["out"])
        else:
            self._import(options["file"])

    def _export(self, value: str, out: Path) -> None:
        from thidua.record.export import export

        cluster, _, year = value.partition("/")
        cycle = selectors.get_cycle(cluster, int(year)) if year.isdigit() else None
        if cycle is None:
            raise CommandError(f"no cycle {value!r} (expected cluster/year, e.g. cum-2/2020)")
        content = core_record.encode(export(cycle))
        if out.suffix == ".gz":
            content = gzip.compress(content, mtime=0)  # the same record, the same bytes
        out.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"{value}: {format_number(len(content))} byte → {out}")
        )

    def _import(self, path: Path) -> None:
        from django.utils.translation import gettext

        from thidua.record.restore import restore

        try:
            record = core_record.load(path)
        except core_record.Unreadable as error:
            raise CommandError(
                gettext("Không đọc được bản ghi %(path)s: %(reason)s")
                % {"path": path, "reason": error.phrase.render(gettext)}
            ) from None
        try:
            cycle = restore(record)
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(f"{path}: not a record ({error})") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"restored {cycle.cluster.code}/{cycle.year}"))
