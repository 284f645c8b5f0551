"""`thidua static` collects the static files again only when a source changed: a second
`make setup` or test run does not redo the hashing and compression of ~900 files, and a new
or changed file still reaches the manifest."""

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finder
from django.core.management import call_command
from django.test import override_settings

#: the production storage without its compression, which is what makes a collection slow
HASHED_ONLY = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def _manifest(root: Path) -> dict:
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def test_unchanged_sources_are_not_collected_again():
    root = Path(settings.STATIC_ROOT)  # collected for this run by tests/conftest.py
    before = (root / "staticfiles.json").stat().st_mtime_ns
    call_command("static", verbosity=0)
    assert (root / "staticfiles.json").stat().st_mtime_ns == before


def test_a_new_or_changed_source_is_collected(tmp_path):
    root = tmp_path / "static"
    shutil.copytree(settings.STATIC_ROOT, root)  # as a previous collection left it
    sources = tmp_path / "sources"
    (sources / "extra").mkdir(parents=True)
    new = sources / "extra" / "hall.css"
    new.write_text("body { color: black; }\n")
    get_finder.cache_clear()
    try:
        with override_settings(STATIC_ROOT=root, STATICFILES_DIRS=[sources], STORAGES=HASHED_ONLY):
            call_command("static", verbosity=0)
            first = _manifest(root)["extra/hall.css"]
            assert (root / first).read_text() == new.read_text()
            new.write_text("body { color: navy; }\n")
            call_command("static", verbosity=0)
            second = _manifest(root)["extra/hall.css"]
            assert second != first
            assert (root / second).read_text() == "body { color: navy; }\n"
    finally:
        get_finder.cache_clear()
