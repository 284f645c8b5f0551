"""What pages compute once per version of a cycle (`thidua.audit.versions`, issue 18): every
kind of write moves the version in its own transaction and the next page shows the new data
(never a stale page), whether the write made it again for the next reader (what was read at
the last version, `versions.refreshed`) or the reader computes it; a page asked again at the
same version reads fewer queries."""

import json
import pickle
import re
import zlib
from decimal import Decimal

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.org.admin_forms import admin_form
from tests.scoring.clusters import in_scoring
from tests.voting import phones
from thidua.audit import versions
from thidua.audit.models import PageCache
from thidua.audit.versions import version
from thidua.core.ballots import Ballot
from thidua.core.indicators import Period
from thidua.core.phases import Phase
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle, User, UserKind
from thidua.scoring import services
from thidua.scoring.models import ScoreSheet
from thidua.voting import services as voting_services
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db
CRITERIA = 2


@pytest.fixture(params=["the writer", "the reader"])
def made_by(request, django_capture_on_commit_callbacks):
    """Who makes a page again after a write (`_moves`): the write, once committed (its
    `on_commit` hooks run, as outside a test's transaction), or the next reader."""
    global _after_write
    _after_write = django_capture_on_commit_callbacks if request.param == "the writer" else None
    yield request.param
    _after_write = None


_after_write = None
#: what a write makes again (`versions.refreshed`)
REFRESHED = (
    "scoring.results_page",
    "scoring.results_unit",
    "scoring.summary",
    "scoring.progress",
    "org.late",
)


def _kept(cycle) -> dict[str, str]:
    """The names of the entries kept for `cycle` that a write makes again, and their version."""
    return versions.kept(cycle, REFRESHED)


def _submit(cycle, scorer, target, value: int = 8) -> None:
    services.save_sheet(
        actor=SYSTEM,
        cycle=cycle,
        scorer=scorer,
        target=target,
        scores={f"A.{n}": Decimal(value) for n in range(CRITERIA)},
        submit=True,
    )


@pytest.fixture
def scored(client):
    """Three units scoring, every sheet in but the last unit's self-assessment; the client
    signed in as the leader unit's secretary. (cycle, units, base URL)."""
    cycle, units = in_scoring("pc", 3, CRITERIA)
    for target in units:
        for scorer in units:
            if (scorer, target) != (units[-1], units[-1]):
                _submit(cycle, scorer, target)
    client.force_login(
        User.objects.create(username="pc.thuky", kind=UserKind.SECRETARY, unit=units[0])
    )
    return cycle, units, f"/clusters/{cycle.cluster.code}/2021/"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _waiting(page: str) -> str:
    """The cycle page's "Chưa nộp: …" of the open phase ("" when it waits for nobody)."""
    found = re.search(r'<span class="warning small">Chưa nộp: ([^<]*)</span>', page)
    return found.group(1) if found else ""


def _moves(cycle, write) -> None:
    """`write()` moves the cycle's version."""
    before = version(cycle)
    if _after_write is None:
        write()
    else:
        read = _kept(cycle)
        with _after_write(execute=True):
            write()
        now = f"{version(Cycle.objects.get(pk=cycle.pk))}.{versions.code_fingerprint()}"
        assert _kept(cycle) == dict.fromkeys(read, now)  # each made again, for the new version
    assert version(Cycle.objects.get(pk=cycle.pk)) != before


def test_a_submitted_sheet_shows_on_every_page_at_once(made_by, client, scored):
    cycle, units, base = scored
    assert "Đã nộp 8/9 phiếu." in _page(client, base + "results/")
    assert "8/9" in _page(client, base + "dashboard/")
    assert "mới nộp 8/9 phiếu chấm" in _page(client, base + "documents/")
    assert _waiting(_page(client, base)) == "T2"
    _moves(cycle, lambda: _submit(cycle, units[-1], units[-1]))
    results = _page(client, base + "results/")
    assert "Đã nộp 9/9 phiếu." in results
    assert 'id="ranking"' in results
    assert "9/9" in _page(client, base + "dashboard/")
    assert "mới nộp" not in _page(client, base + "documents/")
    assert _waiting(_page(client, base)) == ""


def test_a_reopened_sheet_takes_the_ranking_down(made_by, client, scored):
    cycle, units, base = scored
    _submit(cycle, units[-1], units[-1])
    assert 'id="ranking"' in _page(client, base + "results/")
    sheet = ScoreSheet.objects.get(cycle=cycle, scorer=units[1], target=units[2])
    _moves(cycle, lambda: services.reopen_sheet(actor=SYSTEM, sheet=sheet, reason="sai điểm"))
    results = _page(client, base + "results/")
    assert 'id="ranking"' not in results
    assert "Đã nộp 8/9 phiếu." in results


def test_a_changed_score_changes_the_totals(made_by, client, scored):
    cycle, units, base = scored
    _submit(cycle, units[-1], units[-1])
    assert "16,00" in _page(client, base + "results/")  # 2 criteria × 8 from every scorer
    sheet = ScoreSheet.objects.get(cycle=cycle, scorer=units[1], target=units[0])
    services.reopen_sheet(actor=SYSTEM, sheet=sheet, reason="sai điểm")
    _moves(cycle, lambda: _submit(cycle, units[1], units[0], value=10))
    assert "18,00" in _page(client, base + "results/")  # T0: 10 + 10 from T1, 8 + 8 from T2


def test_closing_the_scoring_phase_publishes_the_ranking(made_by, client, scored):
    cycle, _units, base = scored
    assert 'id="ranking"' not in _page(client, base + "results/")
    _moves(cycle, lambda: org_services.close_phase(actor=SYSTEM, cycle=cycle, phase=Phase.SCORING))
    assert 'id="ranking"' in _page(client, base + "results/")
    assert "Chưa xếp hạng" not in _page(client, base + "dashboard/")


def test_a_sheet_entered_on_behalf_shows_as_awaiting(made_by, client, scored):
    cycle, units, base = scored
    sheet = ScoreSheet.objects.get(cycle=cycle, scorer=units[2], target=units[1])
    services.reopen_sheet(actor=SYSTEM, sheet=sheet, reason="nhập lại")
    assert "nhập thay" not in _page(client, base + "results/")
    leader = User.objects.get(username="pc.thuky")
    _moves(
        cycle,
        lambda: services.enter_sheet_on_behalf(
            actor=leader,
            cycle=cycle,
            scorer=units[2],
            target=units[1],
            scores={f"A.{n}": Decimal(9) for n in range(CRITERIA)},
            reason="đơn vị mất điện",
        ),
    )
    assert "đơn vị mất điện" in _page(client, base + "results/")


def test_a_statistics_report_leaves_the_waiting_list(
    made_by, client_for, reporting_cycle, get_user
):
    from thidua.stats import services as stats_services

    client = client_for("laocai.thuky")
    base = "/clusters/cum-2/2021/"
    assert "Sơn La" in _waiting(_page(client, base))
    _moves(
        reporting_cycle,
        lambda: stats_services.save_report(
            actor=get_user("sonla.thuky"),
            cycle=reporting_cycle,
            unit=get_user("sonla.thuky").unit,
            period=Period.YEAR,
            figures={},
            submit=True,
        ),
    )
    waiting = _waiting(_page(client, base))
    assert waiting
    assert "Sơn La" not in waiting


def test_a_unit_profile_is_a_write_of_the_installation(made_by, client, scored):
    cycle, units, _base = scored
    head = User.objects.create(username="pc0.thuky", kind=UserKind.SECRETARY, unit=units[0])
    _moves(
        cycle,
        lambda: org_services.update_unit_profile(actor=head, unit=units[0], head_name="Nguyễn A"),
    )


@pytest.fixture
def open_poll(cycle):
    """The Ministry-flag poll the demo leaves open."""
    return Poll.objects.get(conference__cycle=cycle("cum-2", 2020), code="co-bo-cong-an")


def test_casts_are_read_live_and_the_count_moves_the_version(
    made_by, client_for, open_poll, get_user
):
    """A cast writes no audit entry (a secret ballot) and moves no version: the turnout is
    never cached, so the dashboard shows every ballot at once; the count does move it."""
    client = client_for("hagiang.thuky")
    url = "/clusters/cum-2/2020/dashboard/"
    cycle = open_poll.conference.cycle

    def voted() -> int:
        page = _page(client, url)
        data = re.search(
            r'<script id="dashboard-data" type="application/json">(.*?)</script>', page
        )
        turnout = json.loads(data.group(1))["turnout"]
        return turnout["voted"][turnout["polls"].index(open_poll.title)]

    first = voted()
    still_open = f'<span class="muted">{Poll.Status.OPEN.label}</span>'
    open_before = _page(client, url).count(still_open)
    assert open_before >= 1
    before = version(cycle)
    phones.cast(
        actor=get_user("hagiang.daibieu"), poll=open_poll, ballot=Ballot(choices=("lang-son",))
    )
    assert version(cycle) == before
    assert voted() == first + 1
    _moves(
        cycle, lambda: voting_services.close_poll(actor=get_user("laocai.daibieu"), poll=open_poll)
    )
    assert _page(client, url).count(still_open) == open_before - 1  # counted: its winners


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["results/", "dashboard/", "documents/"])
def test_a_page_at_the_same_version_reads_fewer_queries(client, scored, page):
    cycle, units, base = scored
    client.get(base + page)  # sessions, content types: not the page's
    _submit(cycle, units[-1], units[-1])  # a new version: nothing cached for it
    cold = _queries(client, base + page)
    warm = _queries(client, base + page)
    assert warm < cold, (cold, warm)


class _Payload:
    """What a forger would put in the table: unpickling it touches a file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (type(self.path).touch, (self.path,))


def test_a_row_written_into_the_table_by_anyone_else_is_never_unpickled(client, scored, tmp_path):
    """An attacker who can write the database (not the server's files) plants a pickle that
    runs code when read: its seal does not hold, so it is computed again, never unpickled."""
    _cycle, _units, base = scored

    def results() -> str:  # the page but its form's CSRF token, new on every page
        page = _page(client, f"{base}results/")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    honest = results()
    entries = list(PageCache.objects.all())
    assert entries  # the page's content is kept
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Payload(marker))
    for entry in entries:
        stored = bytes(entry.value)
        # the seal kept, the content replaced; then a row with no seal at all
        entry.value = stored[:32] + zlib.compress(planted)
        entry.save()
    assert results() == honest
    PageCache.objects.update(value=zlib.compress(planted))
    assert results() == honest
    assert not marker.exists()


def test_an_edit_in_the_admin_site_and_a_migration_forget_the_kept_pages(
    client, client_for, scored
):
    """An edit in the admin site forgets every kept page, whatever model it edits (not every
    admin page is audited: django's own groups are not); and after a migration, code that may
    compute otherwise reads none."""
    _cycle, units, base = scored
    _page(client, f"{base}results/")
    assert PageCache.objects.exists()
    admin = client_for("admin")
    unit = units[-1]  # its own sheet is missing: the page names it
    response = admin.post(
        f"/admin/org/unit/{unit.pk}/change/",
        {**admin_form(admin, f"/admin/org/unit/{unit.pk}/change/"), "short_name": "Đổi tên"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not PageCache.objects.exists()
    unit.refresh_from_db()
    assert unit.short_name == "Đổi tên"
    assert "Đổi tên" in _page(client, f"{base}results/")
    _page(client, f"{base}results/")
    assert PageCache.objects.exists()
    emit_post_migrate_signal(0, False, connection.alias)  # as `migrate` ends
    assert not PageCache.objects.exists()


def test_other_code_never_reads_what_this_code_kept(client, scored, monkeypatch):
    """A deploy changes the code, not the version: entries are keyed by the code's
    fingerprint too, so the new code computes its pages again and replaces the old entries."""
    _cycle, _units, base = scored
    _page(client, f"{base}results/")
    fingerprint = versions.code_fingerprint()
    kept = set(PageCache.objects.values_list("key", flat=True))
    assert kept
    assert all(key.endswith(f".{fingerprint}") for key in kept)
    monkeypatch.setattr(versions, "code_fingerprint", lambda: "deployed")
    _page(client, f"{base}results/")
    page = {key for key in PageCache.objects.values_list("key", flat=True) if "results_page" in key}
    assert page  # the results page's content, computed again by the new code
    assert page == {
        key.removesuffix(fingerprint) + "deployed" for key in kept if "results_page" in key
    }


def _without_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_write_makes_again_what_was_read_in_each_language_as_its_reader_would(
    client, client_for, scored, django_capture_on_commit_callbacks
):
    """The results page read in Vietnamese and in English, a unit's results and the
    dashboard, then a sheet submitted: once it commits, each is kept for the new version,
    and each reads as a page computed from nothing (every entry deleted) — its reader reads
    no score. Another cycle's entries are left as they were."""
    cycle, units, base = scored
    unit_url = f"{base}results/{units[1].code}/"
    english = client_for("pc.thuky")
    english.cookies["django_language"] = "en"
    other = client_for("laocai.thuky")
    _page(other, "/clusters/cum-2/2021/results/")
    others = set(PageCache.objects.values_list("key", flat=True))  # the other cycle's
    for reader, url in [(client, base + "results/"), (english, base + "results/")]:
        _page(reader, url)
    _page(client, unit_url)
    _page(client, base + "dashboard/")
    _page(client, base)  # what the scoring phase waits for
    with django_capture_on_commit_callbacks(execute=True):
        _submit(cycle, units[-1], units[-1])
    now = f"{version(cycle)}.{versions.code_fingerprint()}"
    assert _kept(cycle) == {
        "scoring.results_page.vi": now,
        "scoring.results_page.en": now,
        f"scoring.results_unit.vi.{units[1].code}": now,
        "scoring.summary": now,
        "scoring.progress": now,  # what the summary reads while the ranking is not published
        "org.late.scoring": now,
    }
    assert others <= set(PageCache.objects.values_list("key", flat=True))
    pages = [(client, base + "results/"), (english, base + "results/"), (client, unit_url)]
    pages += [(client, base + "dashboard/"), (client, base)]
    with CaptureQueriesContext(connection) as queries:
        kept = [_without_token(_page(reader, url)) for reader, url in pages]
    assert not [query for query in queries if "scoring_score" in query["sql"]]
    PageCache.objects.filter(key__contains=f":{cycle.pk}:").delete()
    assert kept == [_without_token(_page(reader, url)) for reader, url in pages]
    assert "Đã nộp 9/9 phiếu." in _page(client, base + "results/")
    assert "9/9 sheets submitted" in _page(english, base + "results/")


def test_a_write_makes_nothing_that_nobody_read(scored, django_capture_on_commit_callbacks):
    cycle, units, _base = scored
    with django_capture_on_commit_callbacks(execute=True):
        _submit(cycle, units[-1], units[-1])
    assert _kept(cycle) == {}


def test_a_page_that_fails_to_be_made_again_leaves_the_write_standing(
    client, scored, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The write has committed when its hooks run: one that fails is logged, the write
    stands and the page's next reader computes it."""
    cycle, units, base = scored
    _page(client, base + "results/")

    def broken(cycle, detail):
        raise ValueError("hỏng")

    monkeypatch.setitem(versions._REFRESHED, "scoring.results_page", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(cycle, units[-1], units[-1])
    assert (
        ScoreSheet.objects.get(cycle=cycle, scorer=units[-1], target=units[-1]).status
        == ScoreSheet.Status.SUBMITTED
    )
    assert "refreshing thidua:scoring.results_page.vi" in caplog.text
    assert "scoring.results_page.vi" not in _kept(cycle)  # dropped, not tried at every write
    assert "Đã nộp 9/9 phiếu." in _page(client, base + "results/")


def test_a_page_is_made_again_from_the_cycle_as_committed(client, scored):
    """The cycle a service hands to the audit log may be an object read before the write
    (its phase as it was): what the write makes again is computed from the cycle as it
    now stands in the database, here the ranking published by closing the phase."""
    cycle, _units, base = scored
    read_before = Cycle.objects.get(pk=cycle.pk)
    assert 'id="ranking"' not in _page(client, base + "results/")
    org_services.close_phase(
        actor=SYSTEM, cycle=Cycle.objects.get(pk=cycle.pk), phase=Phase.SCORING
    )
    versions.refresh(read_before)
    kept = _kept(cycle)
    assert kept["scoring.results_page.vi"].startswith(version(cycle))
    assert 'id="ranking"' in _page(client, base + "results/")
