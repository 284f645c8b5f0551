"""`thidua record export --cycle cum-2/2020 --out FILE[.gz]`,
`thidua record register-key --cycle cum-2/2020 FINGERPRINT` and
`thidua record import FILE --anchor CODE` (on the Ministry server: a cluster laptop's record,
with the checkpoint printed on its signed minutes; see thidua.record.services)."""

import gzip
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from thidua.core import record as core_record
from thidua.core.numbers import format_number
from thidua.errors import DomainError
from thidua.org import selectors
from thidua.org.authz import SYSTEM


def _cycle_code(value: str) -> tuple[str, int]:
    cluster, _, year = value.partition("/")
    if not cluster or not year.isdigit():
        raise CommandError(f"{value!r}: expected cluster/year, e.g. cum-2/2020")
    return cluster, int(year)


class Command(BaseCommand):
    help = "Export a cluster year as a record, register a laptop's key, or take a record in."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        out = commands.add_parser("export", help="write the record of a cycle")
        out.add_argument("--cycle", required=True, help="cluster/year, e.g. cum-2/2020")
        out.add_argument("--out", required=True, type=Path, help="FILE.json or FILE.json.gz")
        key = commands.add_parser(
            "register-key", help="accept a cycle's records signed by this key (server)"
        )
        key.add_argument("--cycle", required=True, help="cluster/year, e.g. cum-2/2020")
        key.add_argument("fingerprint", help="at least its first 32 hexadecimal digits")
        key.add_argument("--note", default="")
        take = commands.add_parser("import", help="take in a cluster laptop's record (server)")
        take.add_argument("file", type=Path)
        take.add_argument(
            "--anchor", required=True, help="the checkpoint printed on the signed minutes"
        )

    def handle(self, *args, action, **options):
        try:
            if action == "export":
                self._export(options["cycle"], options["out"])
            elif action == "register-key":
                self._register(options["cycle"], options["fingerprint"], options["note"])
            else:
                self._import(options["file"], options["anchor"])
        except DomainError as error:
            raise CommandError(str(error)) from None

    def _export(self, value: str, out: Path) -> None:
        from thidua.record.export import export

        cycle = selectors.get_cycle(*_cycle_code(value))
        if cycle is None:
            raise CommandError(f"no cycle {value!r} (expected cluster/year, e.g. cum-2/2020)")
        content = core_record.encode(export(cycle))
        if out.suffix == ".gz":
            content = gzip.compress(content, mtime=0)  # the same record, the same bytes
        out.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"{value}: {format_number(len(content))} byte → {out}")
        )

    def _register(self, value: str, fingerprint: str, note: str) -> None:
        from thidua.record.services import register_key

        cluster, year = _cycle_code(value)
        key = register_key(
            actor=SYSTEM, cluster_code=cluster, year=year, fingerprint=fingerprint, note=note
        )
        self.stdout.write(self.style.SUCCESS(f"{value}: {key.fingerprint}"))

    def _import(self, path: Path, anchor: str) -> None:
        from thidua.record.services import receive

        try:
            document = core_record.load(path)
        except core_record.Unreadable as error:
            raise CommandError(
                gettext("Không đọc được bản ghi %(path)s: %(reason)s")
                % {"path": path, "reason": error.phrase.render(gettext)}
            ) from None
        received = receive(actor=SYSTEM, document=document, anchor=anchor)
        self.stdout.write(
            self.style.SUCCESS(
                f"{received.cluster_code}/{received.year}: {received.get_outcome_display()}"
            )
        )
        if received.outcome == received.Outcome.QUARANTINED:
            raise CommandError(
                gettext("Bản ghi rẽ nhánh từ mục %(seq)s: đã cách ly, dữ liệu không đổi.")
                % {"seq": received.diverges_at}
            )
