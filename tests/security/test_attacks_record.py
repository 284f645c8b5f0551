"""Attacks on the record: a hostile record file edited with a text editor, its audit chain
and seal left exactly as the installation signed them (so `--key` still trusts it), and the
scoring inputs the log does not stand behind changed so that the ranking moves; then the
same inputs edited in the database, exported and verified.

Each forgery recomputes `scoring.ranking` as the app would, so the only thing that can give
it away is the audit log (the recomputed results agree with the forged inputs)."""

import copy
import io
from decimal import Decimal

import pytest
from django.db import connection

from tests.record import forge
from thidua.audit import clock, keys
from thidua.audit.models import AuditEntry
from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.verify import ranking, statistics, verify
from thidua.errors import DomainError
from thidua.org.models import Cycle
from thidua.record.export import export_json
from thidua.record.restore import restore
from thidua.scoring.models import Fact, ScoreSheet
from thidua.verify import run

pytestmark = pytest.mark.django_db

pristine, record = forge.pristine, forge.record  # fixtures: the demo's 2020 record


def _reranked(record) -> dict:
    """`scoring.ranking` recomputed from the (forged) inputs, as the app computes it."""
    typed_record, faults = core_record.read(record)
    assert not faults
    record["statistics"] = typed.write(statistics(typed_record))
    record["scoring"] = {"ranking": typed.write(ranking(typed_record))}
    return record


def _total(record, unit: str) -> str:
    return next(s["total"] for s in record["scoring"]["ranking"] if s["unit"] == unit)


def _second(record) -> str:
    return next(s["unit"] for s in record["scoring"]["ranking"] if s["rank"] == 2)


def _cli(record, tmp_path) -> tuple[int, str]:
    """`thidua verify FILE --key <this installation>`: the check an importer relies on."""
    path = tmp_path / "ban-ghi.json"
    path.write_bytes(core_record.encode(record))
    out = io.StringIO()
    return run([str(path), "--key", keys.installation_fingerprint()], out=out), out.getvalue()


def _rival_sheets_withdrawn(record):
    """Hà Giang's and Lai Châu's sheets of Sơn La (second) marked as drafts: no longer
    counted, although the log has them submitted and never re-opened."""
    for sheet in record["sheets"]:
        if sheet["target"] == "son-la" and sheet["scorer"] in ("ha-giang", "lai-chau"):
            sheet["status"] = "draft"


def _penalty_for_the_leader(record):
    """Sơn La (second) given 3 penalty points (criterion V) the Ministry never recorded."""
    fact = next(
        f for f in record["agreement"]["facts"] if (f["unit"], f["criterion"]) == ("son-la", "V")
    )
    fact["penalties"] = "3.00"


def _qualitative_withdrawn(record):
    """Sơn La's criterion III.2 (10 points, recorded achieved) said not achieved."""
    fact = next(
        f
        for f in record["agreement"]["facts"]
        if (f["unit"], f["criterion"]) == ("son-la", "III.2")
    )
    fact["achieved"] = False


def _aggregation_changed(record):
    """The agreement's aggregation, signed as a trimmed mean, made a median."""
    record["agreement"]["rules"]["aggregation"] = "median"


def _scorers_unassigned(record):
    """Sơn La's sheets from two scorers dropped by shrinking who is assigned to score it."""
    record["agreement"]["assignment"]["son-la"] = [
        code
        for code in record["agreement"]["assignment"]["son-la"]
        if code not in ("ha-giang", "lai-chau")
    ]


def _targets_raised(record):
    """Sơn La's signed targets for its quantitative criteria (II.1, II.2) raised to 100%."""
    for target in record["agreement"]["targets"]:
        if target[0] == "son-la":
            target[2] = "100.0000"


def _report_made_a_draft(record):
    """Sơn La's 2020 report, submitted in the log, called a draft: its figures no longer
    count (the statistics and the criteria scored from them move)."""
    report = next(r for r in record["reports"] if (r["unit"], r["year"]) == ("son-la", 2020))
    report["status"] = "draft"


def _indicator_redefined(record):
    """The indicator criterion II.1 is scored from, computed over another denominator (each
    cycle's chain logs the catalog it is computed with: `AuditAction.CATALOG`)."""
    code = next(c["indicator"] for c in record["agreement"]["criteria"] if c["code"] == "II.1")
    indicator = next(i for i in record["indicators"] if i["code"] == code)
    counts = [i["code"] for i in record["indicators"] if i["kind"] == "count"]
    indicator["denominator"] = next(
        c for c in counts if c not in (indicator["numerator"], indicator["denominator"])
    )


def _criterion_reweighted(record):
    """A criterion's maximum changed (the agreement's table, as signed, says otherwise)."""
    for criterion in record["agreement"]["criteria"]:
        if criterion["code"] == "III.2":
            criterion["max_points"] = "2.00"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(_rival_sheets_withdrawn, id="sheet-status"),
        pytest.param(_penalty_for_the_leader, id="fact-penalty"),
        pytest.param(_qualitative_withdrawn, id="fact-achieved"),
        pytest.param(_aggregation_changed, id="rules"),
        pytest.param(_scorers_unassigned, id="assignment"),
        pytest.param(_targets_raised, id="targets"),
        pytest.param(_criterion_reweighted, id="criteria"),
        pytest.param(_report_made_a_draft, id="report-status"),
        pytest.param(_indicator_redefined, id="indicator-catalog"),
    ],
)
def test_a_forged_scoring_input_under_the_genuine_seal_is_named(record, tmp_path, forge):
    before = [(s["unit"], s["total"]) for s in record["scoring"]["ranking"]]
    forge(record)
    _reranked(record)
    # the forgery matters: the ranking moved, Hà Giang (first, the Government flag) kept
    assert [(s["unit"], s["total"]) for s in record["scoring"]["ranking"]] != before
    assert verify(record) != []
    status, printed = _cli(record, tmp_path)
    assert status != 0, printed


def test_the_genuine_record_passes_the_same_check(pristine, tmp_path):
    """The check above can pass: the record as exported verifies under the installation's key."""
    assert verify(pristine) == []
    status, printed = _cli(pristine, tmp_path)
    assert status == 0, printed


# --- the same, with a database and a text editor -------------------------------------------


def test_a_sheet_made_a_draft_in_the_database_is_named_by_verify(cycle):
    """Someone with the database drops a rival's sheet from the count by its status only;
    the export (signed by the server afterwards) must not verify."""
    year = cycle("cum-2", 2020)
    before = _total(export_json(year), "son-la")
    ScoreSheet.objects.filter(
        cycle=year, scorer__code__in=("ha-giang", "lai-chau"), target__code="son-la"
    ).update(status=ScoreSheet.Status.DRAFT)
    record = export_json(year)
    assert _total(record, "son-la") != before  # it mattered
    assert verify(record) != []


def test_a_fact_changed_in_the_database_is_named_by_verify(cycle):
    year = cycle("cum-2", 2020)
    changed = Fact.objects.filter(
        criterion__agreement__cycle=year, unit__code="son-la", criterion__code="III.2"
    ).update(achieved=False)
    assert changed == 1
    record = export_json(year)
    assert _second(record) != "son-la"  # it mattered
    assert verify(record) != []


def test_a_sheet_deleted_in_the_database_is_named_by_verify(cycle):
    year = cycle("cum-2", 2020)
    before = _total(export_json(year), "son-la")
    ScoreSheet.objects.filter(
        cycle=year, scorer__code__in=("ha-giang", "lai-chau"), target__code="son-la"
    ).delete()
    record = export_json(year)
    assert _total(record, "son-la") != before  # it mattered
    assert verify(record) != []


def test_a_sheet_left_out_of_the_record_is_named(record, tmp_path):
    """The same with a text editor: Hà Giang's and Lai Châu's sheets of Sơn La removed from
    the record, the ranking recomputed."""
    record["sheets"] = [
        s
        for s in record["sheets"]
        if not (s["target"] == "son-la" and s["scorer"] in ("ha-giang", "lai-chau"))
    ]
    _reranked(record)
    assert [f.render() for f in verify(record)] == [
        "sheets[ha-giang->son-la]: có trong nhật ký thao tác nhưng không có trong bản ghi.",
        "sheets[lai-chau->son-la]: có trong nhật ký thao tác nhưng không có trong bản ghi.",
    ]
    status, printed = _cli(record, tmp_path)
    assert status != 0, printed


def test_thidua_import_refuses_the_forgery_before_anything_else(record):
    """`thidua import` (restore) checks the record first: the genuine one gets as far as
    "this cycle exists already"; the forged one (a report called a draft) stops at the
    check, and nothing is written."""
    with pytest.raises(DomainError) as genuine:
        restore(copy.deepcopy(record))
    assert genuine.value.problems[0].code == "cycle_exists"
    _report_made_a_draft(record)
    _reranked(record)
    entries, cycles = AuditEntry.objects.count(), Cycle.objects.count()
    with pytest.raises(DomainError) as forged:
        restore(record)
    assert forged.value.problems[0].code == "record_does_not_verify"
    assert (AuditEntry.objects.count(), Cycle.objects.count()) == (entries, cycles)


# --- the unsigned tail of the chain, rewritten in the database ------------------------------


def test_a_score_and_its_entry_rewritten_in_the_database_mid_phase(scoring_2021, units):
    """During 2021's scoring, Cao Bằng's submitted sheet of Điện Biên is changed in the
    database together with the audit entry that wrote it, the chain's unsigned tail and its
    head re-hashed (plain SQL: the model refuses to change an entry, the database does not).
    The chain is consistent again, but its head's MAC is keyed from SECRET_KEY, outside the
    database: the server neither seals the forgery into a record nor extends it, and says
    which chain was changed."""
    from tests.scoring.test_review import IN_TIME
    from thidua.audit.models import AuditHead
    from thidua.core.audit import entry_hash
    from thidua.errors import StateConflict
    from thidua.org.authz import SYSTEM
    from thidua.scoring import selectors as scoring_selectors
    from thidua.scoring import services as scoring_services
    from thidua.scoring.models import Score

    table = scoring_selectors.table_of(
        scoring_selectors.criteria_of(scoring_selectors.agreement_of(scoring_2021))
    )
    scores = {c.code: c.max_points for c in table.judged}

    def submit(scorer: str, target: str) -> None:
        with clock.dated(IN_TIME):
            scoring_services.save_sheet(
                actor=SYSTEM,
                cycle=scoring_2021,
                scorer=units[scorer],
                target=units[target],
                scores=scores,
                submit=True,
            )

    submit("cao-bang", "dien-bien")
    assert verify(export_json(scoring_2021)) == []
    # the database edited: the score, the entry that wrote it, the chain after it, the head
    # (on PostgreSQL by its owner, who can turn the append-only trigger off)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    Score.objects.filter(
        sheet__cycle=scoring_2021, sheet__scorer__code="cao-bang", sheet__target__code="dien-bien"
    ).update(value=Decimal("0"))
    chain = f"cum-2/{scoring_2021.year}"
    entries = list(AuditEntry.objects.filter(chain=chain).order_by("seq"))
    written = next(e for e in reversed(entries) if e.action == "scoring.sheet.submit")
    AuditEntry.objects.filter(pk=written.pk).update(after=dict.fromkeys(written.after, "0.00"))
    previous = None
    for entry in AuditEntry.objects.filter(chain=chain, seq__gte=written.seq).order_by("seq"):
        prev_hash = previous if previous is not None else entry.prev_hash
        new = entry_hash(
            chain=chain,
            seq=entry.seq,
            prev_hash=prev_hash,
            payload=entry.payload(),
            origin=entry.origin,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev_hash, hash=new)
        previous = new
    AuditHead.objects.filter(chain=chain).update(hash=previous)
    written_so_far = AuditEntry.objects.filter(chain=chain).count()

    with pytest.raises(StateConflict) as sealed:
        export_json(Cycle.objects.get(pk=scoring_2021.pk))
    with pytest.raises(StateConflict) as extended:
        submit("cao-bang", "son-la")  # the next write would sign the forgery at its checkpoint
    for refusal in (sealed, extended):
        assert [p.code for p in refusal.value.problems] == ["chain_altered"]
        assert f"“{chain}”" in str(refusal.value)
    assert AuditEntry.objects.filter(chain=chain).count() == written_so_far


def test_a_redefined_indicator_is_named_down_to_its_field(record):
    """The forgery above, named as `verify` names it: the indicator and what it is computed
    with, the record's against the log's."""
    _indicator_redefined(record)
    _reranked(record)
    code = next(c["indicator"] for c in record["agreement"]["criteria"] if c["code"] == "II.1")
    named = [f.render() for f in verify(record) if f.where.startswith("indicators[")]
    assert len(named) == 1
    assert named[0].startswith(f"indicators[{code}].denominator:")
