"""Each unit's score sheet (compiled and signed by the leader unit), each scoring unit's own
sheet (signed by its director) and the cluster's operating rules (quy chế), read back with
python-docx against the demo cycle and against the data they come from."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests.documents.conftest import all_text, read_docx, table_rows
from thidua.core.numbers import format_number
from thidua.documents import builders
from thidua.documents.models import IssuedDocument
from thidua.documents.services import issue_document
from thidua.org.models import RuleSet, Unit
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring.excel import ROUNDING_NOTE
from thidua.scoring.models import Criterion, Score, ScoreSheet

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2020/documents/"
MATRIX_HEAD = "Đơn vị"
NO_NUMBER = "\u00a0" * 6  # a draft's number, left blank for the clerk


def _plans(cycle):
    return {plan.key: plan for plan in builders.plans(cycle)}


def _document(cycle, key):
    plan = _plans(cycle)[key]
    assert plan.ready, plan.missing
    return read_docx(plan.build().content)


def _table(document, first: list[str]) -> list[list[str]]:
    """The rows of the first table whose header row starts with `first`."""
    return next(table_rows(t) for t in document.tables if table_rows(t)[0][: len(first)] == first)


def _points(value) -> str:
    return format_number(value, 2)


def _result(cycle, code):
    results = scoring_selectors.results(cycle)
    return results, next(r for u, r in results.ranking if u.code == code)


def _own(cycle, code) -> dict:
    unit = Unit.objects.get(code=code)
    return scoring_selectors.scores_by_code(scoring_selectors.sheet_of(cycle, unit, unit))


# --- each unit's score sheet ----------------------------------------------------------------


def test_a_units_sheet_has_each_criterion_its_self_score_and_each_scorer_by_name(demo_cycle):
    document = _document(demo_cycle, "score-sheet-ha-giang")
    text = all_text(document)
    results, result = _result(demo_cycle, "ha-giang")
    own = _own(demo_cycle, "ha-giang")
    criteria = scoring_selectors.criteria_of(results.agreement)
    assert "Đơn vị chấm: 6 (sáu) đơn vị gồm Công an tỉnh Cao Bằng, " in text
    table = _table(document, ["Mục", "Nội dung, tiêu chí"])
    assert table[0] == ["Mục", "Nội dung, tiêu chí", "Điểm tối đa", "Tự chấm", "Điểm đạt"]
    assert [row[:3] for row in table[1:-1]] == [
        [c.code, c.name, _points(c.max_points)] for c in criteria
    ]
    for row in table[1:-1]:  # the aggregated points, as the results page computes them
        assert row[4] == _points(result.criteria[row[0]].points), row
        if row[0] in own:  # a judged criterion: the unit's own score beside it
            assert row[3] == _points(own[row[0]]), row
    assert table[-1] == [
        "",
        "Tổng cộng (điểm tối đa không kể điểm thưởng, điểm trừ của mục V)",
        _points(results.table.total_points),
        _points(result.self_total),
        _points(result.total),
    ]
    assert (
        f"Tổng điểm: {_points(result.total)} điểm (tự chấm {_points(result.self_total)}); xếp "
        f"thứ {result.rank}/7 đơn vị của cụm; xếp loại {result.band}." in text
    )
    assert f"{ROUNDING_NOTE}\nTổng điểm: {_points(result.total)}" in text  # under the table
    # each scorer by name with the score it gave; never the unit itself
    judged = [c.code for c in criteria if c.kind == "peer"]
    matrix = _table(document, [MATRIX_HEAD])
    assert matrix[0] == [MATRIX_HEAD, *judged, "Cộng"]
    scorers = {row[0]: row for row in matrix[2:-2]}
    names = dict(
        Unit.objects.filter(memberships__cycle=demo_cycle).values_list("short_name", "code")
    )
    assert set(scorers) == {"Cao Bằng", "Điện Biên", "Lai Châu", "Lạng Sơn", "Lào Cai", "Sơn La"}
    assert "Hà Giang" not in [row[0] for row in matrix]
    for label, row in scorers.items():
        given = [result.criteria[code].by_scorer[names[label]] for code in judged]
        assert row[1:] == [*(_points(v) for v in given), _points(sum(given))], label
    assert matrix[-2] == [
        "Tự chấm (không tính)",
        *(_points(own[c]) for c in judged),
        _points(sum(own[c] for c in judged)),
    ]
    assert matrix[-1][:-1] == [
        "Điểm tổng hợp",
        *(_points(result.criteria[c].points) for c in judged),
    ]
    assert "Hà Giang không chấm điểm cho chính mình" in text
    assert "(Kèm theo Bảng tổng hợp kết quả chấm điểm thi đua năm 2020 của Cụm thi đua số II)" in (
        text
    )
    # the automatic criteria with their computation
    assert f"- II.1. {criteria[5].name}: {result.criteria['II.1'].explanation.render()}." in text
    # signed by the leader unit's head, for the cluster
    leader = demo_cycle.leader
    assert (
        "TM. CỤM THI ĐUA SỐ II\nCỤM TRƯỞNG\nGIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG\n"
        f"{leader.head_rank} {leader.head_name}" in text
    )


def test_a_changed_score_changes_both_sheets(demo_cycle):
    son_la, ha_giang = Unit.objects.get(code="son-la"), Unit.objects.get(code="ha-giang")
    sheet = scoring_selectors.sheet_of(demo_cycle, son_la, ha_giang)
    before = _table(_document(demo_cycle, "score-sheet-ha-giang"), [MATRIX_HEAD])
    Score.objects.filter(sheet=sheet, criterion__code="I.1").update(value=Decimal("3.75"))
    _results, result = _result(demo_cycle, "ha-giang")
    after = _table(_document(demo_cycle, "score-sheet-ha-giang"), [MATRIX_HEAD])
    row = next(r for r in after if r[0] == "Sơn La")
    assert row[1] == "3,75"
    assert row != next(r for r in before if r[0] == "Sơn La")
    assert after[-1][1] == _points(result.criteria["I.1"].points)
    scored = _table(_document(demo_cycle, "scorer-sheet-son-la"), [MATRIX_HEAD])
    assert next(r for r in scored if r[0] == "Hà Giang")[1].rstrip("*") == "3,75"


def test_every_member_has_a_sheet_once_the_ranking_is_published(demo_cycle):
    plans = _plans(demo_cycle)
    members = Unit.objects.filter(memberships__cycle=demo_cycle)
    assert {f"score-sheet-{u.code}" for u in members} <= {k for k, p in plans.items() if p.ready}
    Unit.objects.filter(pk=demo_cycle.leader_id).update(head_name="")
    waiting = _plans(type(demo_cycle).objects.get(pk=demo_cycle.pk))["score-sheet-son-la"]
    assert not waiting.ready
    assert waiting.missing == [
        "Chưa có họ tên thủ trưởng của đơn vị cụm trưởng (Công an tỉnh Hà Giang) để ký: thư ký "
        "đơn vị nhập trong hồ sơ đơn vị."
    ]


# --- each scoring unit's sheet --------------------------------------------------------------


def test_the_scorer_sheet_shows_each_score_it_gave_and_its_reasons(demo_cycle):
    son_la = Unit.objects.get(code="son-la")
    sheet = scoring_selectors.sheet_of(demo_cycle, son_la, Unit.objects.get(code="ha-giang"))
    Score.objects.filter(sheet=sheet, criterion__code="II.4").update(
        reason="Chưa triệt phá được đường dây ma tuý lớn nào trong năm."
    )
    document = _document(demo_cycle, "scorer-sheet-son-la")
    text = all_text(document)
    matrix = _table(document, [MATRIX_HEAD])
    assert "Sơn La" not in [row[0] for row in matrix]  # never scores itself
    judged = matrix[0][1:-1]
    scores = {
        (score.sheet.target.short_name, score.criterion.code): score
        for score in Score.objects.filter(
            sheet__cycle=demo_cycle, sheet__scorer=son_la, sheet__kind=ScoreSheet.Kind.PEER
        ).select_related("sheet__target", "criterion")
    }
    assert {row[0] for row in matrix[2:]} == {name for name, _code in scores}
    for row in matrix[2:]:
        for code, cell in zip(judged, row[1:], strict=False):
            score = scores[row[0], code]
            assert cell == _points(score.value) + ("*" if score.reason else ""), (row[0], code)
    own = _own(demo_cycle, "ha-giang")
    given = scores["Hà Giang", "II.4"]
    assert (
        f"II.4: {_points(given.value)} (đơn vị tự chấm {_points(own['II.4'])}). Lý do: Chưa "
        "triệt phá được đường dây ma tuý lớn nào trong năm." in text
    )
    assert "III. LÝ DO CHẤM THẤP HƠN ĐIỂM ĐƠN VỊ TỰ CHẤM" in text
    signature = document.tables[-1].rows[0].cells[1].text.replace("\u00a0", " ").splitlines()
    assert signature == [
        "THỦ TRƯỞNG ĐƠN VỊ",
        "GIÁM ĐỐC CÔNG AN TỈNH SƠN LA",
        f"{son_la.head_rank} {son_la.head_name}",
    ]


@pytest.mark.parametrize("key", ["scorer-sheet-son-la", "score-sheet-ha-giang"])
def test_a_score_sheet_reads_its_scores_in_one_query(demo_cycle, key):
    """Not a query per sheet, nor one per score for its criterion (728 for the demo's
    documents): the sheets' scores come with their criteria at once."""
    plan = _plans(demo_cycle)[key]
    with CaptureQueriesContext(connection) as queries:
        plan.build()
    sql = [query["sql"] for query in queries.captured_queries]
    # the results' integer grid reads the values alone; the sheets' score objects, once
    objects = [q for q in sql if '"scoring_score"."reason"' in q]
    assert len(objects) == 1, objects
    one_by_one = [q for q in sql if 'WHERE "scoring_criterion"."id" = ' in q]
    assert not one_by_one, one_by_one[:3]


def test_a_sheet_without_reasons_says_so(demo_cycle):
    Score.objects.filter(sheet__scorer__code="lao-cai").update(reason="")
    text = all_text(_document(demo_cycle, "scorer-sheet-lao-cai"))
    assert "Phiếu chấm không ghi lý do nào." in text
    assert "*" not in "".join(
        row[1] for row in _table(_document(demo_cycle, "scorer-sheet-lao-cai"), [MATRIX_HEAD])
    )


def test_a_scorer_sheet_waits_for_every_sheet_it_owes(demo_cycle):
    ScoreSheet.objects.filter(
        cycle=demo_cycle, scorer__code="son-la", target__code__in=["ha-giang", "lai-chau"]
    ).update(status=ScoreSheet.Status.DRAFT)
    plan = _plans(demo_cycle)["scorer-sheet-son-la"]
    assert not plan.ready
    assert plan.missing == ["Sơn La chưa nộp phiếu chấm cho: Hà Giang, Lai Châu."]
    assert _plans(demo_cycle)["scorer-sheet-lao-cai"].ready


# --- quy chế hoạt động của cụm --------------------------------------------------------------


def test_the_rules_state_the_rule_sets_quotas_thresholds_and_the_weights(demo_cycle):
    document = _document(demo_cycle, "quy-che")
    text = all_text(document)
    assert "QUY CHẾ\nHoạt động của Cụm thi đua số II năm 2020" in text
    assert f"Số: {' ' * len(NO_NUMBER)}/QC-CTĐ" in text  # a draft: numbered when issued
    assert "(Ban hành kèm theo Giao ước thi đua năm 2020 của Cụm thi đua số II – Bộ Công an)" in (
        text
    )
    # the grounds the other documents cite, for the cycle's year (not the 2014 circular)
    for ground in builders.rule_set_grounds(demo_cycle):
        assert f"- {ground}" in text
    assert "Thông tư số 40/2014/TT-BCA" not in text
    assert "Cờ thi đua của Chính phủ: cụm đề nghị tối đa 1 (một) đơn vị; chỉ đơn vị xếp thứ 1" in (
        text
    )
    assert "Cờ thi đua của Bộ Công an: cụm đề nghị tối đa 3 (ba) đơn vị" in text
    for rule in demo_cycle.rule_set.data["eligibility"]["rules"]:  # in the rule set's words
        if rule["title"] in ("co_chinh_phu", "co_bo_cong_an"):
            assert rule["note"].rstrip(".") in text
    # the conditions in the order Điều 8 lists the titles, the Government flag first
    assert text.index("- Cờ thi đua của Chính phủ: Đơn vị đã được tặng") < text.index(
        "- Cờ thi đua của Bộ Công an: Đơn vị đã được đề nghị Cờ thi đua của Chính phủ"
    )
    # chapters as the decree lays them out: number, then name, each a centred line
    chapters = [p for p in document.paragraphs if p.text.startswith("Chương ")]
    assert [p.text for p in chapters] == [f"Chương {n}" for n in ("I", "II", "III", "IV", "V")]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in chapters)
    assert "Chương I\nQUY ĐỊNH CHUNG\n" in text
    assert (
        "Đơn vị được đề nghị khi: số phiếu tán thành phải đạt quá 1/2 tổng số đại biểu (thành "
        "viên) được triệu tập" in text
    )
    # the rule set's note on its own data ("… chưa nhập") is for its editors, not the cluster
    assert demo_cycle.rule_set.data["voting"]["note"] not in text
    agreement = scoring_selectors.agreement_of(demo_cycle)
    table = _table(document, ["Mục", "Nội dung, tiêu chí", "Cách tính"])
    assert [[row[0], row[1], row[3]] for row in table[1:-1]] == [
        [c.code, c.name, _points(c.max_points)] for c in scoring_selectors.criteria_of(agreement)
    ]
    assert table[-1][-1] == _points(agreement.declared_total)
    assert "bỏ một điểm cao nhất và một điểm thấp nhất khi có từ 5 (năm) đơn vị chấm" in text
    assert "bằng điểm thì xét lần lượt: điểm mục II, số đơn vị chấm xếp đơn vị đó thứ nhất" in text
    assert "Xuất sắc từ 90 điểm; Tốt từ 80 điểm; Khá từ 65 điểm" in text
    assert "- Chấm điểm: hoàn thành trước ngày 10/11/2020;" in text
    leader = demo_cycle.leader
    assert (
        "TM. CỤM THI ĐUA SỐ II\nCỤM TRƯỞNG\nGIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG\n"
        f"{leader.head_rank} {leader.head_name}" in text
    )


def test_changed_rules_change_the_document(demo_cycle):
    """Nothing is written in code: another quota, threshold or weight in the data reads so."""
    rule_set = demo_cycle.rule_set
    data = dict(rule_set.data)
    voting = dict(data["voting"])
    voting["titles"] = [
        dict(t, seats=2) if t["code"] == "co_bo_cong_an" else t for t in voting["titles"]
    ]
    voting["cluster_vote"] = dict(voting["cluster_vote"], threshold="2/3", comparison=">=")
    data["voting"] = voting
    RuleSet.objects.filter(pk=rule_set.pk).update(data=data)  # past the freeze, as a test may
    Criterion.objects.filter(agreement__cycle=demo_cycle, code="I.1").update(
        max_points=Decimal("6.50")
    )
    demo_cycle.refresh_from_db()
    document = _document(demo_cycle, "quy-che")
    text = all_text(document)
    assert "Cờ thi đua của Bộ Công an: cụm đề nghị tối đa 2 (hai) đơn vị" in text
    assert "số phiếu tán thành phải đạt ít nhất 2/3 tổng số đại biểu" in text
    assert (
        "quá 1/2 tổng số đại biểu (thành viên) được triệu tập; không"
        not in text.split("Điều 9.")[1]
    )
    row = next(
        r for r in _table(document, ["Mục", "Nội dung, tiêu chí", "Cách tính"]) if r[0] == "I.1"
    )
    assert row[3] == "6,50"


def test_the_rules_name_the_agreement_they_go_with_once_it_is_issued(demo_cycle, get_user):
    issued = issue_document(actor=get_user("hagiang.thuky"), cycle=demo_cycle, key="agreement")
    text = all_text(_document(demo_cycle, "quy-che"))
    assert (
        f"(Ban hành kèm theo Giao ước thi đua số {issued.reference} ngày "
        f"{issued.issued_at.astimezone().strftime('%d/%m/%Y')} của Cụm thi đua số II" in text
    )
    rules = issue_document(actor=get_user("hagiang.thuky"), cycle=demo_cycle, key="quy-che")
    assert rules.reference == f"{issued.number + 1:02d}/QC-CTĐ"


def test_rules_without_voting_rules_wait_for_them(demo_cycle):
    rule_set = demo_cycle.rule_set
    data = {k: v for k, v in rule_set.data.items() if k != "voting"}
    RuleSet.objects.filter(pk=rule_set.pk).update(data=data)
    demo_cycle.refresh_from_db()
    plan = _plans(demo_cycle)["quy-che"]
    assert not plan.ready
    assert plan.missing == [f"Bộ quy tắc “{rule_set.name}” chưa quy định việc bỏ phiếu."]


# --- who may have them ----------------------------------------------------------------------

KEYS = ["score-sheet-ha-giang", "scorer-sheet-son-la", "quy-che"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("username", ["sonla.canbo", "hagiang.thuky", "quansat", "admin"])
def test_the_cycles_readers_download_them(client_for, key, username):
    response = client_for(username).get(f"{BASE}{key}/file/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(builders.DOCX)
    assert read_docx(response.content).paragraphs


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("username", ["hanoi.canbo", "hanoi.thuky"])
def test_another_cluster_may_not_download_them(client_for, key, username):
    client = client_for(username)
    assert client.get(f"{BASE}{key}/file/").status_code == 403
    assert client.get(f"/api/cycles/cum-2/2020/documents/{key}").status_code == 403


@pytest.mark.parametrize("key", KEYS)
def test_anonymous_visitors_may_not_download_them(client, key):
    response = client.get(f"{BASE}{key}/file/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(f"/api/cycles/cum-2/2020/documents/{key}").status_code == 401


def test_only_the_leader_secretary_issues_and_never_a_scorers_own_sheet(client_for):
    assert client_for("sonla.thuky").post(f"{BASE}quy-che/issue/").status_code == 403
    assert not IssuedDocument.objects.exists()
    refused = client_for("hagiang.thuky").post(f"{BASE}scorer-sheet-son-la/issue/")
    assert refused.status_code == 409
    assert "do đơn vị chấm điểm ký và vào sổ văn bản của đơn vị" in refused.content.decode()
    assert not IssuedDocument.objects.exists()
    assert client_for("hagiang.thuky").post(f"{BASE}score-sheet-son-la/issue/").status_code == 302
    assert IssuedDocument.objects.get().key == "score-sheet-son-la"


def test_the_panel_queries_do_not_grow_with_the_units(client_for, django_assert_max_num_queries):
    """Seven sheets per side for seven units, nineteen for nineteen: the same reads."""
    from tests.scoring.test_scoring import _cluster_with

    client = client_for("admin")
    small = _cluster_with(3, 2)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/clusters/{small}/2021/documents/")
        assert page.status_code == 200
    assert page.content.decode().count("Phiếu chấm điểm của") == 3
    large = _cluster_with(9, 12)
    with django_assert_max_num_queries(len(queries)):
        page = client.get(f"/clusters/{large}/2021/documents/")
        assert page.status_code == 200
    assert page.content.decode().count("Phiếu chấm điểm của") == 9


def test_without_an_agreement_each_says_what_it_needs(cycle):
    reasons = {plan.key: plan.missing for plan in builders.plans(cycle("cum-2", 2021))}
    assert reasons["score-sheet"] == ["Chưa có giao ước thi đua và phiếu chấm."]
    assert reasons["scorer-sheet"] == ["Chưa có giao ước thi đua và phiếu chấm."]
    assert reasons["quy-che"] == ["Chưa có giao ước thi đua."]
    assert not any(key.startswith(("score-sheet-", "scorer-sheet-")) for key in reasons)
