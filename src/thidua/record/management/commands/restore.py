"""`thidua restore DIR`: every record of a backup, oldest year first, into this database."""

import gzip
import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thidua.core import record as core_record
from thidua.errors import DomainError
from thidua.record.restore import restore


class Command(BaseCommand):
    help = "Restore a `thidua backup` directory (all or nothing) into a database without it."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"{folder}: no backup manifest ({error})") from None
        try:
            with transaction.atomic():
                for entry in manifest["records"]:
                    content = gzip.decompress((folder / entry["file"]).read_bytes())
                    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
                        raise CommandError(f"{entry['file']}: its content changed since the backup")
                    try:
                        document = core_record.parse(content)  # as every record is read
                    except core_record.Unreadable as error:
                        raise CommandError(f"{entry['file']}: {error}") from None
                    restore(document)
                    self.stdout.write(f"{entry['cycle']} ← {entry['file']}")
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{len(manifest['records'])} record(s) restored"))
