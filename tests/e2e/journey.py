"""The year 2020 of Cụm thi đua số II, walked in the browser, step by step.

Each step is what one person does on one device. Where the year needs the same thing done by
many (five more statistics reports, 49 score sheets, 21 delegates × 4 polls), a few are done
through the pages and the rest through the API from the same signed-in browser — the way a
unit's own software would — so that the test stays within minutes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from tests.e2e.conftest import DESKTOP, PHONE, Visitor

from thidua.core.ballots import Ballot
from thidua.voting import devices

CYCLE = "/clusters/cum-2/2020"
UNITS = {
    "ha-giang": "Hà Giang",
    "dien-bien": "Điện Biên",
    "lai-chau": "Lai Châu",
    "lang-son": "Lạng Sơn",
    "lao-cai": "Lào Cai",
    "son-la": "Sơn La",
    "cao-bang": "Cao Bằng",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def officer(unit: str) -> str:
    return unit.replace("-", "") + ".canbo"


def secretary(unit: str) -> str:
    return unit.replace("-", "") + ".thuky"


def director(unit: str) -> str:
    return unit.replace("-", "") + ".giamdoc"


def delegates() -> list[str]:
    names = []
    for unit in UNITS:
        base = unit.replace("-", "") + ".daibieu"
        names += [base, base + "2", base + "3"]
    return names


@dataclass
class Journey:
    visit: object  # the `visit` fixture: username, viewport → Visitor
    server: object
    shots: int = 0
    names: dict[str, str] = field(default_factory=dict)
    people: dict[str, Visitor] = field(default_factory=dict)
    new_phones: set[str] = field(default_factory=set)  # signed in again on another phone

    def person(
        self, username: str, viewport: dict | None = None, javascript: bool = True
    ) -> Visitor:
        """The same person keeps one signed-in browser for the whole year."""
        if username not in self.people:
            self.people[username] = self.visit(username, viewport or DESKTOP, javascript)
        return self.people[username]

    def shot(self, who: Visitor, name: str) -> None:
        self.shots += 1
        who.shot(f"{self.shots:02d}-{name}")


def flash(page) -> list[str]:
    return page.locator(".messages li").all_inner_texts()


def csrf(visitor: Visitor) -> str:
    return next(c["value"] for c in visitor.context.cookies() if c["name"] == "csrftoken")


def api(visitor: Visitor, method: str, path: str, data: dict) -> dict:
    """A call to the API from the person's signed-in browser (session and CSRF token)."""
    response = visitor.page.request.fetch(
        visitor.server.url + path,
        method=method,
        data=data,
        headers={"X-CSRFToken": csrf(visitor), "Referer": visitor.server.url + "/"},
    )
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def unfold(page, summary: str) -> None:
    """Open a <details> section by its summary (no-op when already open)."""
    details = page.locator("details", has=page.locator("summary", has_text=summary))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def follow(target, timeout: float | None = None) -> None:
    """Click a form's button or a link and wait for the page that answers: the page read
    right after the click alone may still be the one it was on."""
    with target.page.expect_navigation(timeout=timeout):
        target.click()


def click(page, name: str) -> None:
    """Press the form's button named `name` (exactly) and wait for the page that answers."""
    follow(page.get_by_role("button", name=name, exact=True))


# --- 1. the Ministry opens the year -------------------------------------------------------


def admin_creates_the_year(j: Journey) -> None:
    admin = j.person("admin")
    page = admin.page
    admin.go("/clusters/cum-2/cycles/new/")
    page.get_by_role("spinbutton", name="Năm").fill("2020")
    for unit in ("Hà Giang (đến 30/06/2025)", "Điện Biên", "Lai Châu", "Lạng Sơn"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    for unit in ("Lào Cai (đến 30/06/2025)", "Sơn La", "Cao Bằng"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    page.locator("select[name=leader]").select_option(
        label="Công an tỉnh Hà Giang (đến 30/06/2025)"
    )
    page.locator("select[name=deputy]").select_option(label="Công an tỉnh Lào Cai (đến 30/06/2025)")
    page.get_by_label("Văn bản phân công cụm trưởng").fill("Bộ Công an phân công (minh hoạ)")
    j.shot(admin, "admin-new-cycle")
    click(page, "Lưu")
    assert page.url.endswith(f"{CYCLE}/")
    assert "Đã tạo năm thi đua." in flash(page)
    assert "Cụm trưởng: Công an tỉnh Hà Giang" in page.inner_text("main")
    j.shot(admin, "admin-cycle-created")


# --- 2. the leader's secretary drafts and signs the agreement -----------------------------


def _agreement_workbook(template: bytes) -> bytes:
    """The downloaded template, filled in with the demo criteria table."""
    from thidua.scoring.demo import TABLE

    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Tiêu chí"]
    for row, spec in enumerate(TABLE, start=4):
        values = (
            spec.code,
            spec.parent,
            spec.name,
            spec.kind,
            spec.max_points,
            spec.min_points,
            spec.indicator,
            spec.points_each,
            spec.penalty_each,
            spec.guidance,
        )
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, float(value) if isinstance(value, Decimal) else value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def secretary_signs_the_agreement(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/agreement/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu bảng tiêu chí (Excel)").click()
    filled = _agreement_workbook(download.value.path().read_bytes())
    page.get_by_label("Nhập bảng tiêu chí và chỉ tiêu từ Excel").set_input_files(
        files=[{"name": "giao-uoc-2020.xlsx", "mimeType": XLSX, "buffer": filled}]
    )
    click(page, "Nhập")
    assert "Đã nhập bảng tiêu chí và chỉ tiêu giao." in flash(page)
    for name in UNITS.values():
        page.get_by_label(f"{name} – II.1").fill("75")
        page.get_by_label(f"{name} – II.2").fill("90")
    click(page, "Lưu chỉ tiêu giao")
    assert "Đã lưu chỉ tiêu giao." in flash(page)
    unfold(page, "Sửa quy tắc chấm điểm và phân công chấm")
    page.get_by_label("Tổng hợp điểm chấm chéo").select_option("trimmed_mean")
    page.get_by_label("Tiêu chí phụ 1").select_option("section:II")
    page.get_by_label("Tiêu chí phụ 2").select_option("first_places")
    page.get_by_label("Xếp loại").fill("90 Xuất sắc; 80 Tốt; 65 Khá; 0 Trung bình")
    click(page, "Lưu quy tắc")
    assert "Đã lưu quy tắc chấm điểm." in flash(page)
    # each member unit's director confirms the agreement for that unit
    for unit, name in UNITS.items():
        head = j.person(director(unit))
        head.go(f"{CYCLE}/agreement/")
        click(head.page, f"Xác nhận giao ước cho {name}")
        assert f"Đã xác nhận giao ước thi đua cho {name}." in flash(head.page)
    leader.go(f"{CYCLE}/agreement/")
    j.shot(leader, "secretary-agreement")
    click(page, "Ký giao ước và chuyển sang giai đoạn đã ký")
    assert "Đã ký giao ước thi đua." in flash(page)


def _next_phase(j: Journey, visitor: Visitor, following: str) -> None:
    page = visitor.page
    visitor.go(f"{CYCLE}/")
    click(page, "Đóng giai đoạn")
    if page.get_by_role("button", name="Vẫn đóng giai đoạn").count():
        # some units have not finished (the demo's other members): the page lists them first
        assert "chưa hoàn thành giai đoạn này" in page.inner_text("main")
        j.shot(visitor, "close-phase-confirm")
        click(page, "Vẫn đóng giai đoạn")
    click(page, f"Mở giai đoạn: {following}")
    assert re.search(rf"{following}\s+đang mở", page.inner_text("main")), following


def secretary_opens_reporting(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    _next_phase(j, leader, "Báo cáo số liệu")
    j.shot(leader, "secretary-reporting-open")


# --- 3. the units report their statistics -------------------------------------------------


def _figures(unit: str) -> dict[str, int]:
    from thidua.stats.demo import FIELDS, FIGURES_2020

    return dict(zip(FIELDS, FIGURES_2020[unit], strict=True))


def _vn(number: int) -> str:
    """2156 → "2.156", as people type it."""
    return f"{number:,}".replace(",", ".")


def son_la_reports_by_form(j: Journey) -> None:
    """Sơn La types its figures in the form, previews the computed rate, then submits."""
    unit = j.person(officer("son-la"))
    page = unit.page
    unit.go("/")
    j.shot(unit, "officer-home-task")
    page.get_by_role("link", name="Nộp báo cáo số liệu 2020").click()  # the home page's task
    page.wait_for_url(f"**{CYCLE}/stats/son-la/")
    for code, value in _figures("son-la").items():
        page.locator(f"input[name=v_{code}]").fill(_vn(value))
    click(page, "Tính lại")
    main = page.inner_text("main")
    assert "78,0%" in main  # 404 of 518 solved, computed before anything is saved
    assert "giảm 26,0%" in main  # against 700 cases in 2019
    j.shot(unit, "officer-report-form")
    click(page, "Nộp báo cáo")
    assert "Đã nộp báo cáo." in flash(page)
    assert page.locator("input[name=v_social_order_cases]").count() == 0  # read-only: as text
    assert page.locator("td.figure-read-only").first.is_visible()


def _report_workbook(template: bytes, unit_name: str, figures: dict[str, object]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for name in list(workbook.sheetnames):
        if name != unit_name:
            del workbook[name]
    sheet = workbook[unit_name]
    for row in range(8, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code in figures:
            sheet.cell(row, 4, figures[code])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def lao_cai_reports_by_excel(j: Journey) -> None:
    """Lào Cai fills the Excel template: a first file with a mistake is refused whole, with the
    cell and the reason; the corrected file goes in."""
    unit = j.person(officer("lao-cai"))
    page = unit.page
    unit.go(f"{CYCLE}/stats/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải mẫu báo cáo (Excel)").click()
    template = download.value.path().read_bytes()
    figures = _figures("lao-cai")
    wrong = _report_workbook(template, "Lào Cai", {**figures, "social_order_solved": "hai trăm"})
    unit.go(f"{CYCLE}/stats/import/")
    page.get_by_label("Tệp .xlsx (tối đa 5 MB)").set_input_files(
        files=[{"name": "bao-cao-lao-cai.xlsx", "mimeType": XLSX, "buffer": wrong}]
    )
    page.get_by_label("Nộp luôn sau khi nhập").check()
    click(page, "Nhập")
    errors = page.inner_text("main")
    j.shot(unit, "officer-excel-refused")
    assert "Trang “Lào Cai”, hàng 10, cột D (ô D10): “hai trăm” không phải là một số." in errors
    right = _report_workbook(template, "Lào Cai", figures)
    page.get_by_label("Tệp .xlsx (tối đa 5 MB)").set_input_files(
        files=[{"name": "bao-cao-lao-cai.xlsx", "mimeType": XLSX, "buffer": right}]
    )
    page.get_by_label("Nộp luôn sau khi nhập").check()
    click(page, "Nhập")
    j.shot(unit, "officer-excel-imported")
    unit.go(f"{CYCLE}/stats/lao-cai/")
    assert "Đã nộp" in page.inner_text("main")


def other_units_report_through_the_api(j: Journey) -> None:
    for unit in ("ha-giang", "dien-bien", "lai-chau", "lang-son", "cao-bang"):
        body = api(
            j.person(officer(unit)),
            "PUT",
            f"/api/cycles/cum-2/2020/reports/{unit}",
            {"period": "Y", "figures": _figures(unit), "submit": True},
        )
        assert body["status"] == "submitted"


def secretary_sees_the_cluster_table_and_opens_scoring(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/stats/")
    table = page.inner_text("main")
    assert "Chưa báo cáo" not in table
    assert "2.156" in table  # the cluster's cases, as published
    assert "3.066" in table
    j.shot(leader, "secretary-cluster-table")
    _next_phase(j, leader, "Chấm điểm")


# --- 4. the units score each other --------------------------------------------------------


def _scores(scorer: str, target: str) -> dict[str, str]:
    """The demo scores as people type them: 6,75."""
    from thidua.scoring.demo import sheet_scores

    return {
        code: f"{value:.2f}".replace(".", ",")
        for code, value in sheet_scores(scorer, target).items()
    }


REASON = "Kết quả đối chiếu hồ sơ thấp hơn mức đơn vị tự chấm."


def _api_scores(scorer: str, target: str) -> dict[str, float]:
    from thidua.scoring.demo import sheet_scores

    return {code: float(value) for code, value in sheet_scores(scorer, target).items()}


def son_la_scores_by_form(j: Journey) -> None:
    """Sơn La scores Hà Giang on the page: an off-step score is refused with the reason, the
    corrected sheet is submitted; then its own self-assessment."""
    unit = j.person(officer("son-la"))
    page = unit.page
    unit.go(f"{CYCLE}/scoring/")
    page.get_by_role("link", name="Chấm Công an tỉnh Hà Giang").click()
    scores = _scores("son-la", "ha-giang")
    for code, value in scores.items():
        page.locator(f"input[name='s_{code}']").fill(value)
    page.locator("input[name='s_I.1']").fill("5,3")
    # checked as it is typed (HTMX), before anything is sent for good
    page.wait_for_selector("#err-I-1:has-text('bước 0,25')")
    j.shot(unit, "officer-sheet-live-check")
    click(page, "Nộp phiếu")
    assert "5,3" in page.inner_text("main")
    assert "bước 0,25" in page.inner_text("main")
    j.shot(unit, "officer-sheet-refused")
    page.locator("input[name='s_I.1']").fill(scores["I.1"])
    click(page, "Nộp phiếu")
    assert "Đã nộp" in page.inner_text("main")
    unit.go(f"{CYCLE}/scoring/")
    page.get_by_role("link", name="Tự chấm").click()
    for code, value in _scores("son-la", "son-la").items():
        page.locator(f"input[name='s_{code}']").fill(value)
    click(page, "Nộp phiếu")
    assert "Đã nộp" in page.inner_text("main")
    j.shot(unit, "officer-self-assessment")


def son_la_cannot_fill_another_units_sheet(j: Journey) -> None:
    unit = j.person(officer("son-la"))
    response = unit.go(f"{CYCLE}/scoring/lao-cai/ha-giang/")
    assert response.status == 403
    assert "không có quyền" in unit.page.inner_text("main")
    j.shot(unit, "officer-refused-other-sheet")


def other_sheets_through_the_api(j: Journey) -> None:
    for scorer in UNITS:
        visitor = j.person(officer(scorer))
        for target in UNITS:
            if scorer == "son-la" and target in ("ha-giang", "son-la"):
                continue
            scores = _api_scores(scorer, target)
            own = _api_scores(target, target)
            # a score below the unit's self-assessment carries the reviewer's reason
            reasons = {code: REASON for code, value in scores.items() if value < own[code]}
            body = api(
                visitor,
                "PUT",
                f"/api/cycles/cum-2/2020/sheets/{scorer}/{target}",
                {"scores": scores, "reasons": reasons, "submit": True},
            )
            assert body["status"] == "submitted"


def secretary_closes_scoring(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/scoring/")
    assert "49/49" in page.inner_text("main")
    leader.go(f"{CYCLE}/results/")
    ranking = page.inner_text("main")
    assert ranking.index("Hà Giang") < ranking.index("Lai Châu")
    j.shot(leader, "secretary-results")
    _next_phase(j, leader, "Hội nghị tổng kết")


# --- 5. the year-end conference -----------------------------------------------------------

POLLS = [  # code, title, purpose, title (label in the form)
    (
        "co-chinh-phu",
        "Bình xét Cờ thi đua của Chính phủ năm 2020",
        "Bình xét danh hiệu",
        "Cờ thi đua của Chính phủ (1 suất)",
    ),
    ("cum-truong-2021", "Bầu cụm trưởng năm 2021", "Bầu cụm trưởng", None),
    ("cum-pho-2021", "Bầu cụm phó năm 2021", "Bầu cụm phó", None),
]
# voted once the Government flag is counted, among the other units (one flag a year)
MINISTRY_POLL = (
    "co-bo-cong-an",
    "Bình xét Cờ thi đua của Bộ Công an năm 2020",
    "Bình xét danh hiệu",
    "Cờ thi đua của Bộ Công an (3 suất)",
)
BOARD = {
    "laocai.daibieu": "Trưởng ban kiểm phiếu",
    "sonla.daibieu": "Thành viên ban kiểm phiếu",
    "caobang.daibieu": "Thành viên ban kiểm phiếu",
}


def delegates_sign_in_on_their_phones(j: Journey) -> None:
    """Every delegate signs in on a phone; the name on the home page is the one the
    secretary will tick."""
    for username in delegates():
        # one delegate's phone has JavaScript off: it cannot sign a ballot
        phone = j.person(username, PHONE, javascript=username != NO_JAVASCRIPT)
        heading = phone.page.get_by_role("heading", level=1).inner_text()
        j.names[username] = heading.removeprefix("Xin chào, ").strip()
    j.shot(j.person("laocai.daibieu"), "delegate-home-phone")


def secretary_prepares_the_conference(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/conference/")
    page.get_by_label("Ngày họp").fill("2020-11-16")
    page.get_by_label("Địa điểm").fill("Huyện Đồng Văn, tỉnh Hà Giang")
    page.get_by_label("Chương trình (mỗi dòng một nội dung)").fill(
        "1. Báo cáo tổng kết phong trào thi đua năm 2020.\n"
        "2. Bình xét các danh hiệu thi đua năm 2020.\n"
        "3. Bầu cụm trưởng, cụm phó năm 2021."
    )
    page.get_by_label("Chủ trì hội nghị").fill(j.names["hagiang.daibieu"])
    page.get_by_label("Thư ký hội nghị").fill("Lê Minh Châu")
    click(page, "Mở hội nghị")
    unfold(page, "Thêm đại biểu, phân công ban kiểm phiếu")
    delegates_form = page.locator("form[action$='/conference/delegates/']")
    for username, name in j.names.items():
        if username not in BOARD:
            delegates_form.get_by_label(name, exact=False).check()
    click(page, "Lưu")
    for username, role in BOARD.items():
        unfold(page, "Thêm đại biểu, phân công ban kiểm phiếu")
        delegates_form = page.locator("form[action$='/conference/delegates/']")
        delegates_form.get_by_label(j.names[username], exact=False).check()
        delegates_form.get_by_label("Ban kiểm phiếu").select_option(label=role)
        click(page, "Lưu")
    assert "Đại biểu (21)" in page.inner_text("main")
    for poll in POLLS:
        create_poll(page, *poll)
    j.shot(leader, "secretary-conference")


def create_poll(page, code: str, title: str, purpose: str, award: str | None) -> None:
    form = page.locator("form[action$='/conference/polls/new/']")
    form.get_by_label("Mã (không dấu, không khoảng trắng)").fill(code)
    form.get_by_label("Nội dung").fill(title)
    form.get_by_label("Mục đích").select_option(label=purpose)
    if award:
        form.get_by_label("Danh hiệu", exact=True).select_option(label=award)
    click(page, "Tạo")
    assert "Đã tạo cuộc bỏ phiếu." in flash(page)


NO_JAVASCRIPT = "dienbien.daibieu"
ON_THE_PAGE = ("hagiang.daibieu", "hagiang.daibieu2", NO_JAVASCRIPT)  # the others use the API
MINISTRY = ["lao-cai", "dien-bien", "son-la", "lang-son"]


def ballots(poll: str) -> list[list[str]]:
    """Each delegate's choices, in `delegates()` order. The Government flag goes to Hà Giang,
    who leads the cluster; the Ministry flag, among the other units, ends in a tie for the
    third seat (Lào Cai 18, Điện Biên 17, Sơn La 14, Lạng Sơn 14): a runoff decides it."""
    seats = range(21)
    if poll == "co-bo-cong-an":
        omitted = ["lao-cai"] * 3 + ["dien-bien"] * 4 + ["son-la"] * 7 + ["lang-son"] * 7
        return [[u for u in MINISTRY if u != omitted[i]] for i in seats]
    if poll == "co-bo-cong-an-2":
        return [["son-la"] if i < 12 else ["lang-son"] for i in seats]
    if poll == "co-chinh-phu":
        return [["ha-giang"] if i < 13 else ["lao-cai"] if i < 19 else [] for i in seats]
    if poll == "cum-truong-2021":
        return [["lao-cai"] if i < 20 else [] for i in seats]
    if poll == "cum-pho-2021":
        return [["son-la"] if i < 12 else ["cao-bang"] for i in seats]
    raise KeyError(poll)


def secretary_checks_delegates_in(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    for username, name in j.names.items():
        leader.go(f"{CYCLE}/conference/")
        follow(
            page.get_by_role("row", name=name).get_by_role("button", name="Điểm danh, cấp mã QR")
        )
        assert f"Đã điểm danh: {name}" in page.inner_text("main")
        if username == "laocai.daibieu":
            assert page.locator("main img, main svg").count() >= 1  # the QR code
            j.shot(leader, "secretary-check-in-qr")


def board_opens(j: Journey, poll: str) -> None:
    chair = j.person("laocai.daibieu")
    chair.go(f"{CYCLE}/conference/polls/{poll}/")
    click(chair.page, "Mở bỏ phiếu")
    assert "Đang bỏ phiếu" in chair.page.inner_text("main")


def vote_on_the_page(j: Journey, username: str, poll: str, choices: list[str]) -> str:
    phone = j.person(username)
    page = phone.page
    phone.go(f"{CYCLE}/conference/polls/{poll}/")
    for code in choices:
        page.locator(f"input[name=choice][value={code}]").check()
    click(page, "Tiếp tục")
    assert "Xác nhận phiếu" in page.inner_text("main")
    click(page, "Bỏ phiếu")
    assert "Đã bỏ phiếu" in page.inner_text("main")
    return page.locator(".receipt-code code").inner_text()


def a_phone_without_javascript_is_sent_to_the_board(j: Journey, poll: str) -> None:
    """A phone with JavaScript off cannot sign a ballot: the delegate is told so and what to
    do; the secretary re-issues the check-in key (with the reason) and the delegate signs in
    with the short code on a phone that signs, which registers its own device key."""
    page = j.person(NO_JAVASCRIPT).page
    j.person(NO_JAVASCRIPT).go(f"{CYCLE}/conference/polls/{poll}/")
    page.locator("input[name=choice]").first.check()
    click(page, "Tiếp tục")
    click(page, "Bỏ phiếu")
    assert "chưa có khóa ký phiếu" in page.inner_text("main")
    leader = j.person(secretary("ha-giang"))
    leader.go(f"{CYCLE}/conference/")
    row = leader.page.get_by_role("row", name=j.names[NO_JAVASCRIPT])
    row.get_by_label("Lý do cấp lại").fill("Điện thoại không chạy JavaScript")
    follow(row.get_by_role("button", name="Cấp lại mã QR"))
    short = leader.page.locator("code.secret").inner_text()
    j.people[NO_JAVASCRIPT].close()
    phone = j.visit(None, PHONE)
    phone.go("/conference/join/")
    phone.page.locator("input[name=code]").fill(short.lower())
    click(phone.page, "Tiếp tục")
    click(phone.page, "Đăng nhập vào hội nghị")
    assert phone.page.url.endswith(f"{CYCLE}/conference/")
    j.people[NO_JAVASCRIPT] = phone
    j.new_phones.add(NO_JAVASCRIPT)


def api_cast(j: Journey, username: str, poll: str, choices: list[str]) -> str:
    """A ballot through the API from the delegate's browser, signed there by the phone's
    device key (registered on its first conference page)."""
    visitor = j.person(username)
    if not visitor.page.evaluate("() => Boolean(window.thiduaDevice)"):
        visitor.go(f"{CYCLE}/conference/")
    assert visitor.page.evaluate("() => window.thiduaDevice.ready")
    text = devices.message("cum-2", 2020, poll, username, Ballot(choices=tuple(choices)))
    signature = visitor.page.evaluate(
        "([who, text]) => window.thiduaDevice.sign(who, text)", [username, text.decode()]
    )
    body = api(
        visitor,
        "POST",
        f"/api/cycles/cum-2/2020/polls/{poll}/ballot",
        {"choices": choices, "signature": signature},
    )
    return body["receipt"]


def a_copied_cookie_cannot_vote(j: Journey, username: str, poll: str) -> None:
    """Someone on the hall's Wi-Fi copies a delegate's session cookie into their own browser:
    the pages open, but that browser holds no device key of the delegate's, says so, and
    its ballot is refused; the delegate's own phone votes afterwards as usual."""
    own = j.person(username)
    own.go(f"{CYCLE}/conference/")  # the phone's key is registered by now
    assert own.page.evaluate("() => window.thiduaDevice.ready")
    thief = j.visit(None, PHONE)
    thief.context.add_cookies(own.context.cookies())
    thief.go(f"{CYCLE}/conference/polls/{poll}/")
    assert thief.page.locator("#device-key-warning").is_visible()
    thief.page.locator("input[name=choice]").first.check()
    click(thief.page, "Tiếp tục")
    # the cast button is off, the warning says why; sent anyway (the form posted by hand),
    # the ballot carries no signature of the registered phone and is refused
    thief.page.wait_for_function(
        "() => document.querySelector('form[data-sign-poll] button[type=submit]').disabled"
    )
    assert thief.page.locator("#device-key-warning").is_visible()
    with thief.page.expect_navigation():
        thief.page.evaluate("() => document.querySelector('form[data-sign-poll]').submit()")
    assert "không mang chữ ký của điện thoại đã đăng ký" in thief.page.inner_text("main")
    j.shot(thief, "copied-cookie-refused-phone")
    thief.close()


def delegates_vote(j: Journey, poll: str) -> None:
    for index, (username, choices) in enumerate(zip(delegates(), ballots(poll), strict=True)):
        if username == NO_JAVASCRIPT and username not in j.new_phones:
            a_phone_without_javascript_is_sent_to_the_board(j, poll)
        if username == "hagiang.daibieu2" and poll == "co-chinh-phu":
            a_copied_cookie_cannot_vote(j, username, poll)
        if username in ON_THE_PAGE:
            receipt = vote_on_the_page(j, username, poll, choices)
            assert re.fullmatch(r"[0-9A-Z]{8}", receipt), receipt
            if index == 0 and poll == "co-chinh-phu":
                j.shot(j.person(username), "delegate-receipt-phone")
        else:
            assert api_cast(j, username, poll, choices)


def board_closes(j: Journey, poll: str) -> str:
    chair = j.person("laocai.daibieu")
    chair.go(f"{CYCLE}/conference/polls/{poll}/")
    follow(chair.page.get_by_role("link", name="Đóng và kiểm phiếu…"))
    assert "Đóng và kiểm phiếu?" in chair.page.inner_text("main")  # the turnout, then confirm
    assert "/21 đại biểu được triệu tập" in chair.page.inner_text("main")
    click(chair.page, "Đóng và kiểm phiếu")
    return chair.page.inner_text("main")


def the_government_flag_first(j: Journey) -> None:
    """One flag a year: the Government flag is voted first, then the Ministry flag among the
    other units (its poll is created once the first is counted)."""
    board_opens(j, "co-chinh-phu")
    phone = j.person("sonla.daibieu2")
    phone.go("/")
    task = "Bỏ phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020"
    assert phone.page.get_by_role("link", name=task).count() == 1
    j.shot(phone, "delegate-home-task-phone")
    delegates_vote(j, "co-chinh-phu")
    counted = board_closes(j, "co-chinh-phu")
    assert "Công an tỉnh Hà Giang" in counted
    assert "Được đề nghị" in counted  # a title poll nominates, it does not elect
    leader = j.person(secretary("ha-giang"))
    leader.go(f"{CYCLE}/conference/")
    create_poll(leader.page, *MINISTRY_POLL)
    ballot = j.person("hagiang.daibieu")
    ballot.go(f"{CYCLE}/conference/polls/co-bo-cong-an/")
    assert ballot.page.locator("input[name=choice][value=ha-giang]").count() == 0


def the_ministry_flag_goes_to_a_runoff(j: Journey) -> None:
    board_opens(j, "co-bo-cong-an")
    delegates_vote(j, "co-bo-cong-an")
    counted = board_closes(j, "co-bo-cong-an")
    assert "Bằng phiếu ở suất cuối: bầu lại 1 suất giữa" in counted
    chair = j.person("laocai.daibieu")
    j.shot(chair, "board-tie-phone")
    leader = j.person(secretary("ha-giang"))
    leader.go(f"{CYCLE}/conference/polls/co-bo-cong-an/")
    click(leader.page, "Tạo cuộc bầu lại")
    assert "Đã tạo cuộc bầu lại." in flash(leader.page)
    assert leader.page.url.endswith("/polls/co-bo-cong-an-2/")
    board_opens(j, "co-bo-cong-an-2")
    delegates_vote(j, "co-bo-cong-an-2")
    counted = board_closes(j, "co-bo-cong-an-2")
    j.shot(chair, "board-runoff-counted-phone")
    assert "Công an tỉnh Sơn La" in counted


def the_other_polls(j: Journey) -> None:
    for poll in ("cum-truong-2021", "cum-pho-2021"):
        board_opens(j, poll)
        delegates_vote(j, poll)
        board_closes(j, poll)
    delegate = j.person("hagiang.daibieu")
    delegate.go(f"{CYCLE}/conference/polls/cum-truong-2021/")
    text = delegate.page.inner_text("main")
    assert "Công an tỉnh Lào Cai" in text
    j.shot(delegate, "delegate-result-phone")


# --- 6. results, documents, and the hand-over ----------------------------------------------


def results_on_the_screen(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    page = leader.page
    leader.go(f"{CYCLE}/conference/screen/")
    screen = page.inner_text("main")
    assert "Được đề nghị: Lào Cai, Điện Biên · bầu lại: Lạng Sơn, Sơn La" in screen
    assert "Bầu cụm trưởng năm 2021\n\nTrúng cử: Lào Cai" in screen
    j.shot(leader, "projector-screen")
    leader.go(f"{CYCLE}/conference/")
    assert "mỗi năm một đơn vị" not in page.inner_text("main")  # one flag each, as the rules say
    click(page, "Ghi nhận cụm trưởng, cụm phó năm 2021 theo kết quả bầu")
    leader.go(f"{CYCLE}/")
    assert re.search(
        r"Năm 2021: cụm trưởng Công an tỉnh Lào Cai .*cụm phó Công an tỉnh Sơn La",
        page.inner_text("main"),
    )


def the_dashboard(j: Journey) -> None:
    member = j.person(officer("son-la"))
    member.go(f"{CYCLE}/dashboard/")
    text = member.page.inner_text("main")
    assert "2.156" in text
    assert "giảm 15,0% so với 2019" in text
    # the three charts were drawn by the vendored Chart.js (served by the app itself)
    member.page.wait_for_function(
        "window.Chart && Object.keys(window.Chart.instances).length === 3"
    )
    j.shot(member, "dashboard-desktop")
    phone = j.person("hagiang.daibieu")
    phone.go(f"{CYCLE}/dashboard/")
    j.shot(phone, "dashboard-phone")
    admin = j.person("admin")
    admin.go("/dashboard/?year=2020")
    assert "7/7" in admin.page.inner_text("main")
    j.shot(admin, "ministry-overview")


def documents_download(j: Journey) -> None:
    from docx import Document

    member = j.person(officer("son-la"))
    page = member.page
    member.go(f"{CYCLE}/documents/")
    j.shot(member, "documents-panel")
    row = page.locator("li", has_text="Tờ trình đề nghị khen thưởng: Cờ thi đua của Bộ Công an")
    with page.expect_download() as download:
        row.get_by_role("link", name="DOCX").click()
    assert download.value.suggested_filename == "to-trinh-co-bo-cong-an-2020.docx"
    document = Document(str(download.value.path()))
    rows = [[c.text.replace("\xa0", " ") for c in r.cells] for r in document.tables[1].rows]
    assert [[r[1], r[2].split(" phiếu")[0]] for r in rows[1:]] == [
        ["Công an tỉnh Lào Cai", "18/21"],
        ["Công an tỉnh Điện Biên", "17/21"],
        ["Công an tỉnh Sơn La", "12/21"],
    ]
    assert rows[3][2] == "12/21 phiếu (57,1%), vòng 2"  # elected in the runoff
    with page.expect_download() as download:
        page.locator("li", has_text="Bảng tổng hợp điểm").get_by_role("link", name="XLSX").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert workbook.sheetnames[0] == "Tổng hợp"


def leadership_passes_to_lao_cai(j: Journey) -> None:
    leader = j.person(secretary("ha-giang"))
    leader.go(f"{CYCLE}/")
    click(leader.page, "Đóng giai đoạn")
    admin = j.person("admin")
    page = admin.page
    admin.go("/clusters/cum-2/cycles/new/")
    page.get_by_role("spinbutton", name="Năm").fill("2021")
    for unit in ("Hà Giang (đến 30/06/2025)", "Điện Biên", "Lai Châu", "Lạng Sơn"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    for unit in ("Lào Cai (đến 30/06/2025)", "Sơn La", "Cao Bằng"):
        page.get_by_label(f"Công an tỉnh {unit}", exact=True).check()
    click(page, "Lưu")  # leader and deputy come from the hand-over
    assert "Cụm trưởng: Công an tỉnh Lào Cai · Cụm phó: Công an tỉnh Sơn La" in page.inner_text(
        "main"
    )
    new_leader = j.person(secretary("lao-cai"))
    new_leader.go("/clusters/cum-2/2021/")
    assert new_leader.page.get_by_role("button", name="Đóng giai đoạn").count() == 1
    j.shot(new_leader, "lao-cai-secretary-leads-2021")
    leader.go("/clusters/cum-2/2021/")
    assert leader.page.get_by_role("button", name="Đóng giai đoạn").count() == 0
    response = leader.page.request.post(
        f"{leader.server.url}/clusters/cum-2/2021/phases/planning/close/",
        form={"csrfmiddlewaretoken": csrf(leader)},
        headers={"Referer": leader.server.url + "/"},
    )
    assert response.status == 403  # last year's leader has no leader powers any more
