"""The real year's chains in a browser (issue 17), each walked by the people who do it: the
score review with explanations (giải trình) from filing to conclusion, the leader's own by the
deputy; a score sheet entered on a unit's behalf ("nhập thay") and confirmed by it; a register
line and the decision on it; a phase deadline set by the leader unit and read on a member's
home page.

The demo's years are past and a deadline lies in its year or the next, so these walks need a
year of today's: on a server of their own, Cụm II gets this year, with the five of its units
that outlived the 2025 mergers, Sơn La leading and Lai Châu deputy, its agreement signed and
its scoring phase open, by the app's services (as the demo loads its years); and the score
sheets the review starts from: Điện Biên and Sơn La assess themselves at 5 on every judged
criterion, Cao Bằng scores Điện Biên 4 and Điện Biên scores Sơn La 4, each with its reasons.
The tests share the server and touch different units' data; the deadline's walk comes last,
as it leaves the scoring deadline past.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from tests.e2e.conftest import _serving, _visitors
from tests.e2e.journey import flash, follow

pytestmark = pytest.mark.e2e

ERR_RED = "rgb(180, 35, 24)"  # app.css --err
LEADER, DEPUTY = "sonla.thuky", "laichau.thuky"  # the secretaries of Sơn La and Lai Châu


def _year() -> int:
    """The year the walks run in: today's (the app's day, in Vietnam), or last year's in its
    first two days (an overdue deadline must lie in the cycle's year, before today)."""
    return (timezone.localdate() - timedelta(days=2)).year


SCORING_YEAR = """
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from thidua.core.phases import Phase
from thidua.org import demo, services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cluster, Unit, User
from thidua.scoring import services as scoring_services
from thidua.scoring.demo import TABLE, TARGETS

MEMBERS = ("cao-bang", "dien-bien", "lai-chau", "son-la", "lang-son")
units = {{u.code: u for u in Unit.objects.filter(code__in=MEMBERS)}}
cycle = services.create_cycle(
    actor=User.objects.get(username="admin"),
    cluster=Cluster.objects.get(code="cum-2"),
    year={year},
    members=list(units.values()),
    leader=units["son-la"],
    deputy=units["lai-chau"],
)
# the demo's agreement (scoring/demo.py, load_agreement) for this year's members
scoring_services.replace_table(actor=SYSTEM, cycle=cycle, criteria=TABLE)
scoring_services.set_rules(
    actor=SYSTEM, cycle=cycle, declared_total=Decimal(100),
    rules={{"aggregation": "trimmed_mean", "step": "0.25", "tie_breaks": ["first_places"]}},
)
scoring_services.set_targets(
    actor=SYSTEM, cycle=cycle,
    targets={{(code, item): value for code in MEMBERS for item, value in TARGETS.items()}},
)
for unit in units.values():
    scoring_services.confirm_agreement(actor=SYSTEM, cycle=cycle, unit=unit)
scoring_services.sign_agreement(actor=SYSTEM, cycle=cycle)
cycle.refresh_from_db()
cycle = demo.advance_to(cycle, Phase.SCORING)
services.set_deadline(
    actor=SYSTEM,
    cycle=cycle,
    phase=Phase.SCORING,
    due=timezone.localdate() + timedelta(days=20),
)
judged = [spec.code for spec in TABLE if spec.kind == "peer"]
for code in ("dien-bien", "son-la"):
    scoring_services.save_sheet(
        actor=SYSTEM, cycle=cycle, scorer=units[code], target=units[code],
        scores=dict.fromkeys(judged, Decimal(5)),
    )
for scorer, target in (("cao-bang", "dien-bien"), ("dien-bien", "son-la")):
    scoring_services.save_sheet(
        actor=SYSTEM, cycle=cycle, scorer=units[scorer], target=units[target],
        scores=dict.fromkeys(judged, Decimal(4)), submit=True,
        reasons=dict.fromkeys(judged, "Hồ sơ chưa đủ"),
    )
"""


@pytest.fixture(scope="module")
def year_server(tmp_path_factory):
    with _serving(
        tmp_path_factory.mktemp("e2e_year"), "e2e_year", "--organisation-only"
    ) as running:
        running.thidua("shell", "-v0", "-c", SCORING_YEAR.format(year=_year()))
        yield running


@pytest.fixture
def visit_year(browser, year_server):
    yield from _visitors(browser, year_server)


def _cycle() -> str:
    return f"/clusters/cum-2/{_year()}"


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the score review with explanations ----------------------------------------------------


def _line(page, criterion: str, reviewer: str):
    """The review line of `reviewer` on `criterion` on a unit's review page."""
    row = page.locator("table.review tbody tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^{re.escape(criterion)}\. "))
    )
    line = row.locator(".review-line").filter(has_text=reviewer)
    assert line.count() == 1, (criterion, reviewer, line.count())
    return line


def _file(visitor, unit: str, criterion: str, reviewer: str, text: str, attachment=None):
    page = visitor.page
    assert visitor.go(f"{_cycle()}/scoring/review/{unit}/").status == 200
    line = _line(page, criterion, reviewer)
    assert "chờ đơn vị giải trình" in line.inner_text().lower(), line.inner_text()
    line.get_by_label("Nội dung giải trình").fill(text)
    if attachment:
        line.get_by_label("Tệp đính kèm (không bắt buộc)").set_input_files(attachment)
    follow(line.get_by_role("button", name="Nộp giải trình"))
    assert "Đã nộp giải trình." in flash(page), page.locator("main").inner_text()


def _answer(visitor, unit: str, criterion: str, reviewer: str, reason: str, value=None):
    page = visitor.page
    assert visitor.go(f"{_cycle()}/scoring/review/{unit}/").status == 200
    line = _line(page, criterion, reviewer)
    if value is None:
        line.get_by_label("Trả lời").select_option(label="Giữ nguyên điểm")
    else:
        line.get_by_label("Trả lời").select_option(label="Điều chỉnh điểm")
        line.get_by_label("Điểm mới").fill(value)
    line.get_by_label("Lý do").fill(reason)
    follow(line.get_by_role("button", name="Gửi trả lời"))
    assert "Đã trả lời giải trình." in flash(page), page.locator("main").inner_text()


def _conclude(visitor, unit: str, criterion: str, reviewer: str, button: str, note: str):
    page = visitor.page
    assert visitor.go(f"{_cycle()}/scoring/review/{unit}/").status == 200
    line = _line(page, criterion, reviewer)
    line.get_by_label("Ghi chú").fill(note)
    follow(line.get_by_role("button", name=button))
    assert "Đã kết luận giải trình." in flash(page), page.locator("main").inner_text()


def test_the_score_review_chain_from_filing_to_conclusion(visit_year):
    pdf = {
        "name": "ke-hoach-12.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
    }
    # Điện Biên explains two criteria Cao Bằng scored below its self-assessment
    unit = visit_year("dienbien.thuky")
    _file(unit, "dien-bien", "I.1", "Cao Bằng", "Đã có kế hoạch số 12/KH", pdf)
    _file(unit, "dien-bien", "I.2", "Cao Bằng", "Đã sơ kết đúng hạn")
    line = _line(unit.page, "I.1", "Cao Bằng")
    assert "Giải trình: Đã có kế hoạch số 12/KH" in line.inner_text()
    assert line.get_by_role("link", name="ke-hoach-12.pdf").is_visible()
    unit.shot("17-review-filed")

    # Cao Bằng keeps one score and changes the other, each with its reason
    reviewer = visit_year("caobang.thuky")
    _answer(reviewer, "dien-bien", "I.1", "Cao Bằng", "Đã xem kế hoạch gửi kèm", value="5")
    _answer(reviewer, "dien-bien", "I.2", "Cao Bằng", "Sơ kết chưa có báo cáo")
    page = reviewer.page
    changed = _line(page, "I.1", "Cao Bằng").inner_text()
    assert "Trả lời: 4,00 → 5,00 · Đã xem kế hoạch gửi kèm" in changed
    kept = _line(page, "I.2", "Cao Bằng").inner_text()
    assert "Trả lời: giữ nguyên · Sơ kết chưa có báo cáo" in kept
    assert _line(page, "I.1", "Cao Bằng").get_by_role("button").count() == 0
    reviewer.shot("17-review-answered")

    # Sơn La, the leader, concludes both; the deputy is not offered to
    deputy = visit_year(DEPUTY)
    assert deputy.go(f"{_cycle()}/scoring/review/dien-bien/").status == 200
    assert deputy.page.get_by_role("button", name="Chấp nhận giải trình").count() == 0
    leader = visit_year(LEADER)
    _conclude(leader, "dien-bien", "I.1", "Cao Bằng", "Chấp nhận giải trình", "Đủ căn cứ")
    _conclude(leader, "dien-bien", "I.2", "Cao Bằng", "Không chấp nhận", "Chưa có báo cáo")
    page = leader.page
    assert "Kết luận: Chấp nhận · Đủ căn cứ" in _line(page, "I.1", "Cao Bằng").inner_text()
    assert "Kết luận: Không chấp nhận · Chưa có báo cáo" in (
        _line(page, "I.2", "Cao Bằng").inner_text()
    )
    leader.shot("17-review-concluded")
    # the unit reads what came of its explanations
    assert unit.go(f"{_cycle()}/scoring/review/dien-bien/").status == 200
    assert "Kết luận: Chấp nhận" in _line(unit.page, "I.1", "Cao Bằng").inner_text()

    # the leader unit's own explanation: answered by Điện Biên, concluded by the deputy
    _file(leader, "son-la", "I.1", "Điện Biên", "Kế hoạch ban hành ngày 05/01")
    _answer(visit_year("dienbien.thuky"), "son-la", "I.1", "Điện Biên", "Không có căn cứ")
    assert leader.go(f"{_cycle()}/scoring/review/son-la/").status == 200
    own = _line(leader.page, "I.1", "Điện Biên")
    assert "Trả lời: giữ nguyên · Không có căn cứ" in own.inner_text()
    assert own.get_by_role("button", name="Chấp nhận giải trình").count() == 0
    assert own.get_by_role("button", name="Không chấp nhận").count() == 0
    assert leader.page.get_by_label("Ghi chú").count() == 0
    leader.shot("17-review-leader-own")
    _conclude(deputy, "son-la", "I.1", "Điện Biên", "Không chấp nhận", "Không có căn cứ")
    assert "Kết luận: Không chấp nhận" in _line(deputy.page, "I.1", "Điện Biên").inner_text()
    deputy.shot("17-review-deputy-concludes")


# --- a score sheet entered on a unit's behalf ("nhập thay"), confirmed by it ---------------


def _scorer_row(page, unit: str):
    """`unit`'s row in the scoring page's progress table."""
    row = page.locator("table tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(f"^{re.escape(unit)}$"))
    )
    assert row.count() == 1, unit
    return row


def _progress(page, unit: str) -> tuple[str, str]:
    """What the scoring page says of `unit`'s sheets: submitted/expected, and those waiting."""
    cells = _scorer_row(page, unit).locator("td").all_inner_texts()
    return cells[1], cells[2]


def test_a_sheet_entered_on_behalf_counts_once_the_unit_confirms_it(visit_year):
    leader = visit_year(LEADER)
    page = leader.page
    assert leader.go(f"{_cycle()}/scoring/").status == 200
    assert _progress(page, "Cao Bằng")[0] == "1/5"  # its sheet for Điện Biên, of five
    _scorer_row(page, "Cao Bằng").get_by_role("link", name="Xem từng phiếu").click()
    page.wait_for_url("**/scoring/?scorer=cao-bang")
    slot = page.locator("#phieu tbody tr").filter(has_text="Lạng Sơn")
    slot.get_by_role("link", name="Nhập thay").click()
    page.wait_for_url("**/scoring/cao-bang/lang-son/on-behalf/")
    heading = page.locator("h1").inner_text()
    assert "Nhập thay phiếu chấm: Cao Bằng → Công an tỉnh Lạng Sơn" in heading
    scores = page.locator("input[name^=s_]")
    for index in range(scores.count()):
        scores.nth(index).fill("4,5")
    # without the reason, the browser does not send the sheet
    page.get_by_role("button", name="Nộp phiếu").click()
    reason = page.get_by_label("Lý do nhập thay (bắt buộc)")
    assert reason.evaluate("e => e.validity.valueMissing")
    assert page.url.endswith("/on-behalf/")
    reason.fill("Cao Bằng mất kết nối, gửi phiếu giấy")
    follow(page.get_by_role("button", name="Nộp phiếu"))
    assert "Đã nộp phiếu chấm nhập thay; điểm được tính khi đơn vị xác nhận." in flash(page)
    mark = page.locator("p.on-behalf").inner_text()
    assert "Nhập thay" in mark
    assert "lý do: Cao Bằng mất kết nối, gửi phiếu giấy" in mark
    assert "Chờ đơn vị xác nhận; chưa tính vào kết quả chấm điểm." in mark
    leader.shot("17-on-behalf-sheet-entered")
    # not counted yet: Cao Bằng has still one sheet in, Lạng Sơn's marked as waiting
    assert leader.go(f"{_cycle()}/scoring/").status == 200
    submitted, waiting = _progress(page, "Cao Bằng")
    assert submitted == "1/5"
    assert "Lạng Sơn (nhập thay, chờ xác nhận)" in waiting

    unit = visit_year("caobang.thuky")
    page = unit.page
    assert unit.go("/").status == 200
    task = page.locator("ul.tasks li.task").filter(
        has_text="Xác nhận 1 phiếu chấm thư ký cụm trưởng nhập thay"
    )
    assert task.count() == 1
    task.get_by_role("link").click()
    page.wait_for_url("**/scoring/cao-bang/lang-son/")
    assert "Chờ đơn vị xác nhận" in page.locator("p.on-behalf").inner_text()
    unit.shot("17-on-behalf-sheet-to-confirm")
    follow(page.get_by_role("button", name="Xác nhận phiếu chấm nhập thay"))
    assert "Phiếu chấm nhập thay của Công an tỉnh Cao Bằng từ nay được tính." in flash(page)
    mark = page.locator("p.on-behalf").inner_text()
    assert "Nhập thay" in mark  # the mark stays, with the confirmation
    assert "Đơn vị đã xác nhận" in mark
    assert page.get_by_role("button", name="Xác nhận phiếu chấm nhập thay").count() == 0
    # it counts now
    assert unit.go(f"{_cycle()}/scoring/").status == 200
    submitted, waiting = _progress(page, "Cao Bằng")
    assert submitted == "2/5"
    assert "Lạng Sơn" not in waiting
    assert unit.go("/").status == 200
    assert "nhập thay" not in page.locator("main").inner_text()


# --- the register: a proposal entered by hand, then the decision on it ---------------------

TITLE = "Cờ thi đua của Bộ Công an"


def _register_cell(page, unit: str):
    """The register's cell of `unit` in the walks' year."""
    years = page.locator("table.register thead th").all_inner_texts()
    row = page.locator("table.register tbody tr").filter(
        has=page.locator("th", has_text=re.compile(f"^{re.escape(unit)}$"))
    )
    assert row.count() == 1, unit
    return row.locator("td").nth(years.index(str(_year())) - 1)


def test_a_register_line_then_the_decision_that_awards_it(visit_year):
    year = _year()
    leader = visit_year(LEADER)
    page = leader.page
    assert leader.go("/clusters/cum-2/register/").status == 200
    page.get_by_role("link", name="Ghi một danh hiệu").click()
    page.wait_for_url("**/register/new/")
    page.get_by_label("Đơn vị").select_option(label="Công an tỉnh Lạng Sơn")
    page.get_by_label("Năm").fill(str(year))
    page.get_by_label("Mã danh hiệu").fill("co-thi-dua-bo")
    page.get_by_label("Tên danh hiệu").fill(TITLE)
    page.get_by_role("combobox", name="Cấp").select_option(label="Bộ Công an")
    page.get_by_label("Trạng thái").select_option(label="Đề nghị")
    page.get_by_label("Nguồn").fill("Biên bản hội nghị tổng kết")
    follow(page.get_by_role("button", name="Ghi vào sổ"))
    assert "Đã ghi vào sổ danh hiệu." in flash(page), page.locator("main").inner_text()
    assert _register_cell(page, "Lạng Sơn").inner_text() == f"{TITLE}: Đề nghị"
    leader.shot("17-register-proposed")

    office = visit_year("admin")
    page = office.page
    assert office.go("/clusters/cum-2/register/").status == 200
    page.get_by_role("link", name=str(year), exact=True).click()
    page.wait_for_url(f"**/{year}/register/decision/")
    signed = timezone.localdate() - timedelta(days=3)
    page.get_by_label("Số quyết định").fill("125/QĐ-BCA")
    page.get_by_label("Ngày quyết định").fill(signed.isoformat())
    page.get_by_label("Cơ quan ban hành").fill("Bộ Công an")
    line = page.locator("table.decision tbody tr").filter(has_text="Lạng Sơn")
    line.get_by_label("được tặng", exact=True).check()
    follow(page.get_by_role("button", name="Ghi nhận quyết định"))
    assert "Đã ghi nhận quyết định khen thưởng." in flash(page), page.locator("main").inner_text()
    cell = _register_cell(page, "Lạng Sơn").inner_text()
    assert f"{TITLE}: Được tặng" in cell
    assert f"125/QĐ-BCA, {_day(signed)}, Bộ Công an" in cell
    office.shot("17-register-awarded")
    # the leader unit reads the same, and nothing waits for a decision any more
    assert leader.go("/clusters/cum-2/register/").status == 200
    assert f"{TITLE}: Được tặng" in _register_cell(leader.page, "Lạng Sơn").inner_text()
    assert leader.go(f"/clusters/cum-2/{year}/register/decision/").status == 200
    assert "Không còn danh hiệu nào chờ quyết định." in leader.page.locator("main").inner_text()


# --- a phase deadline, set by the leader unit, on a member's home page ---------------------


def _set_deadline(page, due: date) -> None:
    form = page.locator("form[action$='/deadlines/']")
    form.get_by_label("Giai đoạn").select_option(label="Chấm điểm")
    form.get_by_label("Thời hạn").fill(due.isoformat())
    follow(form.get_by_role("button", name="Đặt thời hạn"))
    assert f"Đã đặt thời hạn giai đoạn Chấm điểm: {_day(due)}." in flash(page), flash(page)


def _scoring_task(visitor):
    assert visitor.go("/").status == 200
    task = visitor.page.locator("ul.tasks li.task").filter(has_text="Chấm điểm 4 đơn vị")
    assert task.count() == 1, visitor.page.locator("main").inner_text()
    return task


def test_the_leader_sets_a_deadline_and_the_members_home_counts_the_days(visit_year):
    """Last in the module: it leaves the scoring deadline past, which refuses explanations."""
    leader = visit_year(LEADER)
    page = leader.page
    assert leader.go(f"{_cycle()}/").status == 200
    # ten days ahead: the member's task counts the days left, not in red
    ahead = timezone.localdate() + timedelta(days=10)
    _set_deadline(page, ahead)
    deadlines = page.locator("section.deadlines li").filter(has_text="Chấm điểm")
    assert _day(ahead) in deadlines.inner_text()
    leader.shot("17-deadline-set")
    member = visit_year("langson.canbo")
    task = _scoring_task(member)
    assert "overdue" not in task.get_attribute("class")
    due = task.locator(".due")
    assert due.inner_text() == f"hạn {_day(ahead)} · còn 10 ngày"
    assert due.evaluate("e => getComputedStyle(e).color") != ERR_RED
    member.shot("17-home-days-left")
    # moved to yesterday: the task is overdue, in red, and comes first
    past = timezone.localdate() - timedelta(days=1)
    _set_deadline(page, past)
    assert _day(past) in deadlines.inner_text()
    task = _scoring_task(member)
    assert "overdue" in task.get_attribute("class")
    due = task.locator(".due")
    assert due.inner_text() == f"hạn {_day(past)} · quá hạn 1 ngày"
    assert due.evaluate("e => getComputedStyle(e).color") == ERR_RED
    member.shot("17-home-overdue")
