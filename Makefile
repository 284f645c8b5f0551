# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# Python keeps its compiled modules (__pycache__, ignored by git) even where the environment
# says not to (PYTHONDONTWRITEBYTECODE, as on these machines): the tests start `thidua` in a
# new process hundreds of times and pytest rewrites each test module's asserts in every
# worker, each compiling the sources again without the cache (a seventh of `make test-fast`).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast setup lint messages clean bench fuzz screenshots docs-preview permissions record-docs urls

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

## setup: install, migrate, collect static files, load the demo data (idempotent)
setup: $(STAMP)
	$(BIN)/thidua migrate --noinput -v0
	$(BIN)/thidua static
	$(BIN)/thidua demo

## demo: set up, print the demo logins, serve on http://127.0.0.1:8000
demo: setup
	$(BIN)/thidua serve --host 127.0.0.1 --port 8000

## test: set up, lint, then the whole test suite
test: setup lint
	$(BIN)/pytest

## test-fast: the suite without the browser tests, for quick local loops, on every core
## (pytest-xdist: a worker per core, each with its own test database; a file's tests stay
## together on one worker, as some share a module's fixtures)
test-fast: $(STAMP) lint
	$(BIN)/pytest -m "not e2e" -q -n auto --dist loadfile

## screenshots: every page of each demo role, on a desktop and a 360 px phone, in
## var/screenshots/<role>/ (needs Chromium); fails where a page scrolls sideways on the phone
screenshots: setup
	rm -rf var/screenshots
	THIDUA_SCREENSHOTS=all THIDUA_E2E_REQUIRED=1 $(BIN)/pytest -q tests/e2e/test_screenshots.py

## fuzz: the hostile-input tests with 20 times the generated inputs of `make test`
fuzz: $(STAMP)
	THIDUA_FUZZ_SCALE=20 $(BIN)/pytest tests/security/test_hostile.py -q

## bench: the benchmarks (ratios against a baseline measured in the same run), each printed
## beside its goal; exits 1 when one is missed
bench: $(STAMP)
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[bench]'
	@status=0; for bench in stats scoring vote verify ballot pages burst_pages tooling; do \
		echo "== benchmarks/$${bench}_bench.py"; \
		$(BIN)/python benchmarks/$${bench}_bench.py || status=1; \
	done; \
	if [ $$status -ne 0 ]; then echo "make bench: a goal was missed (see GOAL lines)"; fi; \
	exit $$status

## docs-preview: every document of the demo cycle (its open poll counted first), from a fresh
## demo database, with a PNG of each first page, in var/docs-preview/; fails where LibreOffice
## and the app's PDF disagree on a document's page count (needs `soffice` and `pdftoppm`)
PREVIEW := var/docs-preview
docs-preview: $(STAMP)
	rm -rf $(PREVIEW) && mkdir -p $(PREVIEW)/db
	THIDUA_VAR_DIR=$(PREVIEW)/db $(BIN)/thidua migrate --noinput -v0
	THIDUA_VAR_DIR=$(PREVIEW)/db $(BIN)/thidua demo --count-open-poll > /dev/null
	THIDUA_VAR_DIR=$(PREVIEW)/db $(BIN)/thidua documents --cycle cum-2/2020 --out $(PREVIEW) --pdf --compare-pages
	@command -v pdftoppm > /dev/null || { echo "pdftoppm (poppler-utils) is missing: no PNGs"; exit 1; }
	for f in $(PREVIEW)/*.pdf; do pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$$f" "$${f%.pdf}"; done
	rm -rf $(PREVIEW)/db
	@ls $(PREVIEW)

## permissions: write docs/permissions.md from the policy table and the HTTP matrix
permissions: $(STAMP)
	DJANGO_SETTINGS_MODULE=thidua.settings $(BIN)/python -c "import django; django.setup(); from tests.security.render import render; print(render(), end='')" > docs/permissions.md

## lint: ruff, dead code (vulture, allow-list in vulture_allow.py), generated docs up to date
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture
	$(BIN)/python -m thidua.record.docs --check
	$(BIN)/python -m thidua.layers --check
	$(BIN)/python -m thidua.urlmap --check

## record-docs: write docs/record.schema.json and the field tables of docs/record.md from
## the record's types (thidua.core.record)
record-docs: $(STAMP)
	$(BIN)/python -m thidua.record.docs

## urls: write docs/urls.txt, the URL map (path, name, view) that `make lint` holds us to
urls: $(STAMP)
	$(BIN)/python -m thidua.urlmap

## messages: refresh the English catalogue after changing translatable text
messages: $(STAMP)
	cd src/thidua && ../../$(BIN)/thidua makemessages -l en --no-obsolete --no-location
	# a guessed ("fuzzy") translation is worse than none: empty it, the tests then ask for it
	msgattrib --clear-fuzzy --empty -o src/thidua/locale/en/LC_MESSAGES/django.po src/thidua/locale/en/LC_MESSAGES/django.po
	cd src/thidua && ../../$(BIN)/thidua compilemessages -l en -l vi

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .ruff_cache
