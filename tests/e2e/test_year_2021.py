"""The demo's live year, Cụm II 2021, in a browser (issue 17): the eligibility its candidates
read from the 2017–2020 register, with the reasons; the register with the 2017/2018
proposals and the 2020 decision; a home page with an overdue task in red and its days, and
the calendar feed; the 2020 results' explanations, one accepted and one refused; and Lạng
Sơn's first half of 2021, entered on its behalf ("nhập thay"), confirmed by its officer.

On the shared demo server: every test only reads, but for the last, whose writes (the
confirmation, the officer's calendar address) touch Lạng Sơn's officer alone."""

import re

import pytest
from tests.e2e.journey import follow

pytestmark = pytest.mark.e2e

ERR_RED = "rgb(180, 35, 24)"  # app.css --err
GOV_FLAG = "Cờ thi đua của Chính phủ"
DAYS = r"\d{1,3}(?:\.\d{3})*(?!\d)"  # a count of days as Vietnamese write it: 1.084, never 1084


def _row(page, unit: str, title: str):
    """The eligibility row of `unit` for `title` on a cycle page."""
    first = page.locator("td:first-child", has_text=re.compile(f"^{re.escape(title)}$"))
    rows = page.locator("#eligibility tbody tr").filter(has_text=unit).filter(has=first)
    assert rows.count() == 1, (unit, title, rows.count())
    return rows.first


def test_the_2021_candidates_show_their_eligibility_and_why(visit_demo):
    secretary = visit_demo("laocai.thuky")
    page = secretary.page
    assert secretary.go("/clusters/cum-2/2021/").status == 200
    section = page.locator("#eligibility")
    assert section.get_by_role("heading", name="Điều kiện đề nghị danh hiệu năm 2021").is_visible()
    # Hà Giang holds the 2020 Government flag: not eligible, and the page says why
    ha_giang = _row(page, "Hà Giang", GOV_FLAG)
    assert "eligibility-not_eligible" in ha_giang.get_attribute("class")
    text = ha_giang.inner_text()
    assert "Không đủ điều kiện" in text
    assert "không được trong 3 năm: 2018, 2019, 2020" in text
    # Lạng Sơn: proposed in 2017, nothing in the register for 2019: unknown, never "not awarded"
    lang_son = _row(page, "Lạng Sơn", GOV_FLAG)
    assert "eligibility-unknown" in lang_son.get_attribute("class")
    text = lang_son.inner_text()
    assert "Chưa xác định" in text
    assert "sổ chưa có dữ liệu năm 2019" in text
    assert "2017: Cờ thi đua của Chính phủ (đề nghị)" in text
    # Sơn La's 2018 proposal has no decision in our sources, and the page says so
    assert "chưa có quyết định" in _row(page, "Sơn La", GOV_FLAG).inner_text()
    assert "(quy định riêng của cụm)" in section.inner_text()
    section.scroll_into_view_if_needed()
    secretary.shot("21-eligibility")


def test_the_register_shows_the_proposals_and_the_2020_decision(visit_demo):
    officer = visit_demo("sonla.canbo")
    page = officer.page
    assert officer.go("/clusters/cum-2/register/").status == 200
    text = page.locator("main").inner_text()
    assert "Cờ thi đua của Chính phủ: Đề nghị" in text  # 2017, 2018: the cluster's proposals
    assert "Được tặng" in text  # Hà Giang's 2020 flag, by the decision below
    assert "Minh hoạ 01/QĐ-TTg" in text  # the demo's illustrative decision number
    assert "chưa có dữ liệu" in text  # a year without data
    assert "Không được tặng" not in text
    officer.shot("21-register")


def test_the_leaders_home_shows_an_overdue_task_in_red_and_a_calendar_link(visit_demo):
    secretary = visit_demo("laocai.thuky")
    page = secretary.page
    assert secretary.go("/").status == 200
    overdue = page.locator("ul.tasks li.task.overdue").filter(has_text="giao ước thi đua 2021")
    assert overdue.count() == 1
    due = overdue.locator(".due")
    assert re.search(rf"hạn \d\d/\d\d/2021 · quá hạn {DAYS} ngày", due.inner_text())
    assert due.evaluate("e => getComputedStyle(e).color") == ERR_RED
    link = page.get_by_role("link", name="Đưa thời hạn vào lịch của tôi")
    assert link.is_visible()
    assert link.get_attribute("href") == "/accounts/calendar/"
    secretary.shot("21-home-overdue")


def test_the_2020_results_say_why_and_what_came_of_the_explanations(visit_demo):
    observer = visit_demo("quansat")
    page = observer.page
    assert observer.go("/clusters/cum-2/2020/results/").status == 200
    page.locator('a[href="/clusters/cum-2/2020/results/lang-son/"]').first.click()
    page.wait_for_url("**/2020/results/lang-son/")
    text = page.locator("main").inner_text()
    assert "(thấp hơn điểm tự chấm, lý do: " in text
    assert "— giải trình: chấp nhận, 6,00 → 6,25)" in text  # accepted: the score raised
    observer.shot("21-results-explanation-accepted")
    assert observer.go("/clusters/cum-2/2020/results/ha-giang/").status == 200
    assert "— giải trình: không chấp nhận)" in page.locator("main").inner_text()  # kept


def test_the_unit_confirms_the_first_half_entered_on_its_behalf(visit_demo):
    officer = visit_demo("langson.canbo")
    page = officer.page
    assert officer.go("/").status == 200
    task = page.locator("ul.tasks li.task").filter(
        has_text="Xác nhận số liệu 6 tháng đầu năm 2021 thư ký cụm trưởng nhập thay"
    )
    assert task.count() == 1
    assert "overdue" in task.get_attribute("class")  # due 15/07/2021
    assert re.search(rf"quá hạn {DAYS} ngày", task.locator(".due").inner_text())
    officer.shot("21-on-behalf-task")
    task.get_by_role("link").click()
    page.wait_for_url("**/2021/stats/lang-son/?period=H1")
    text = page.locator("main").inner_text()
    assert "Nhập thay" in text
    assert "Chờ đơn vị xác nhận" in text
    assert "thư ký cụm trưởng nhập thay" in text  # the reason Lào Cai's secretary gave
    officer.shot("21-on-behalf-report")
    follow(page.get_by_role("button", name="Xác nhận số liệu nhập thay"))
    assert "Đơn vị đã xác nhận" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Xác nhận số liệu nhập thay").count() == 0
    # the home page asks no more; the calendar feed is one click away
    assert officer.go("/").status == 200
    assert "nhập thay" not in page.locator("main").inner_text()
    page.get_by_role("link", name="Đưa thời hạn vào lịch của tôi").click()
    page.get_by_role("button", name="Tạo địa chỉ lịch").click()
    address = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"https?://[^/]+/calendar/[^/\s]+\.ics", address)
    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.text().startswith("BEGIN:VCALENDAR")
    assert "cum-2-2021-midyear@" in feed.text().replace("\r\n ", "")
