"""`thidua backup --out DIR`: every cluster year as a verified record, and a manifest."""

import gzip
import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.audit import services as audit_services
from thidua.core import record as core_record
from thidua.core.verify import verify
from thidua.errors import DomainError
from thidua.org.models import Cycle
from thidua.record.export import export_json


class Command(BaseCommand):
    help = "Write every cycle as a record (DIR/<cluster>-<year>.json.gz) and DIR/manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, out: Path, **options):
        out.mkdir(parents=True, exist_ok=True)
        manifest = []
        try:  # every head attested under SECRET_KEY, or the chain changed behind the app named
            audit_services.attest_rotated_heads()
        except DomainError as error:
            raise CommandError(str(error)) from None
        for cycle in Cycle.objects.select_related("cluster").order_by("year", "cluster__code"):
            record = export_json(cycle)
            findings = verify(record)
            if findings:  # a backup that would not restore is no backup
                raise CommandError(f"{cycle}: {findings[0].render()}")
            content = core_record.encode(record)
            name = f"{cycle.cluster.code}-{cycle.year}.json.gz"
            (out / name).write_bytes(gzip.compress(content, mtime=0))
            manifest.append(
                {
                    "cycle": f"{cycle.cluster.code}/{cycle.year}",
                    "file": name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
            self.stdout.write(f"{cycle.cluster.code}/{cycle.year} → {name}")
        (out / "manifest.json").write_text(
            json.dumps({"format": "thidua-backup", "version": 1, "records": manifest}, indent=1)
            + "\n"
        )
        self.stdout.write(self.style.SUCCESS(f"{len(manifest)} record(s) in {out}"))
