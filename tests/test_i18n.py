"""Vietnamese is the source language; the English catalogue must be complete and compiled."""

import ast
import re
from pathlib import Path

import polib
import pytest

import thidua

PACKAGE = Path(thidua.__file__).parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MARKERS = {"gettext_noop", "_", "gettext", "gettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_is_translated_with_the_same_placeholders():
    catalogue = polib.pofile(str(PO))
    assert len(catalogue) > 100
    assert not catalogue.metadata_is_fuzzy
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    for entry in catalogue:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        assert "fuzzy" not in entry.flags, f"fuzzy: {entry.msgid!r}"
        for translation in translations:
            assert translation, f"untranslated: {entry.msgid!r}"
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(
                PLACEHOLDER.findall(translation)
            ), entry.msgid


def test_compiled_catalogue_matches_the_source():
    def pairs(catalogue):
        return {
            entry.msgid: entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            for entry in catalogue
            if entry.msgid
        }

    source, compiled = pairs(polib.pofile(str(PO))), pairs(polib.mofile(str(MO)))
    assert compiled == source, "run `make messages` to recompile the catalogue"


def marked_strings(package: Path = PACKAGE):
    """String literals marked for translation in a package's Python code (thidua's own)."""
    for path in package.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield path.name, node.args[0].value


def template_strings():
    for path in PACKAGE.rglob("*.html"):
        for text in re.findall(r'{% translate "([^"]+)" %}', path.read_text()):
            yield path.name, text


def test_every_marked_string_is_in_the_catalogue():
    known = {entry.msgid for entry in polib.pofile(str(PO))}
    found = list(marked_strings()) + list(template_strings())
    assert len(found) > 100
    missing = sorted({(name, text) for name, text in found if text not in known})
    assert not missing, f"run `make messages` and translate: {missing}"


#: One spelling where Vietnamese has two (the tone mark's place): the newer one, as most of
#: the app already wrote it.
ONE_SPELLING = {"khoá": "khóa", "Khoá": "Khóa"}


def test_one_spelling_of_each_word():
    src = Path(thidua.__file__).parent
    found = [
        f"{path.relative_to(src)}: {old} (write {new})"
        for path in src.rglob("*")
        if path.suffix in {".py", ".html", ".js", ".txt", ".po"}
        for old, new in ONE_SPELLING.items()
        if old in path.read_text(encoding="utf-8")
    ]
    assert not found, found


VI_PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _axes_strings() -> set[str]:
    """Every string django-axes marks for translation (it ships no Vietnamese)."""
    import axes

    return {text for _name, text in marked_strings(Path(axes.__file__).parent)}


def test_the_login_throttling_speaks_vietnamese():
    catalogue = polib.pofile(str(VI_PO))
    translated = {entry.msgid: entry.msgstr for entry in catalogue if entry.msgstr}
    assert _axes_strings() <= set(translated), "add axes' new strings to locale/vi"
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(VI_PO.with_suffix(".mo"))) if e.msgid}
    assert compiled == translated, "run `make messages` to recompile the catalogues"


@pytest.mark.django_db
def test_the_admin_pages_of_the_login_throttling_are_vietnamese(client_for):
    admin = client_for("admin")
    index = admin.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Chống dò mật khẩu" in index
    assert "Axes" not in index
    page = admin.get("/admin/axes/accessattempt/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "các lần đăng nhập" in page.lower()
    for english in ("Access attempts", "IP Address", "Attempt Time", "Failed Logins", "Username"):
        assert english not in page, english


@pytest.mark.django_db
def test_a_rule_with_one_seat_reads_in_english_without_a_plural_slip():
    """Phrases of the core have no plural forms: the English reads for one seat as for many."""
    from django.utils import translation
    from django.utils.translation import gettext

    from thidua.voting import selectors
    from thidua.voting.models import Poll

    poll = Poll.objects.get(code="co-chinh-phu")
    assert poll.rules["seats"] == 1
    with translation.override("en"):
        sentence = selectors.core_rules(poll).describe(poll.effect).render(gettext)
    assert sentence.endswith("units nominated: at most 1."), sentence
