"""`thidua static`: collect the static files (hashed names, compressed) unless nothing
changed since the last collection.

Collecting post-processes every file (hash, gzip, brotli): most of a second `make setup`
and of a test run's start. The sources' fingerprint — every file the finders see, by
path and content, with the storage and URL settings — is kept beside the collected files;
when it matches, nothing is done. A changed, added or removed file changes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

IGNORED = ["CVS", ".*", "*~"]  # collectstatic's own default ignore patterns


def fingerprint() -> str:
    """SHA-256 over what collectstatic would collect, and how."""
    digest = hashlib.sha256()
    digest.update(f"{settings.STORAGES['staticfiles']}|{settings.STATIC_URL}\n".encode())
    found = {}
    for finder in get_finders():
        for path, storage in finder.list(IGNORED):
            prefixed = "/".join(filter(None, [getattr(storage, "prefix", None), path]))
            found.setdefault(prefixed, storage.path(path))  # the first finder wins, as there
    for prefixed in sorted(found):
        digest.update(prefixed.encode() + b"\0")
        digest.update(hashlib.sha256(Path(found[prefixed]).read_bytes()).digest())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Collect the static files unless their sources are unchanged since the last time."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="collect even if unchanged")

    def handle(self, *args, force: bool = False, **options):
        root = Path(settings.STATIC_ROOT)
        stamp, manifest = root / ".sources", root / "staticfiles.json"
        wanted = fingerprint()
        if not force and manifest.exists() and stamp.exists() and stamp.read_text() == wanted:
            if options["verbosity"] > 1:
                self.stdout.write("static files unchanged: nothing collected")
            return
        stamp.unlink(missing_ok=True)  # an interrupted collection is never taken as done
        call_command("collectstatic", interactive=False, verbosity=options["verbosity"])
        stamp.write_text(wanted)
