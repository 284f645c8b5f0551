"""The demo's Cụm II 2025, which straddles the merger of 1 July 2025, in a browser: the
account Hà Giang's secretary used, now the new Tuyên Quang's, sees its year; the Ministry's
merger page; the closed account told where to go."""

import pytest
from tests.e2e.journey import follow

pytestmark = pytest.mark.e2e


def test_the_successor_account_walks_the_straddling_year(visit_demo):
    secretary = visit_demo("hagiang25.thuky")
    page = secretary.page
    assert secretary.go("/clusters/cum-2/2025/").status == 200
    assert "Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (ngoài cụm)" in page.content()
    secretary.shot("25-merger-cycle")
    # the first half: Hà Giang's report, submitted the day before the merger, on its row
    assert secretary.go("/clusters/cum-2/2025/stats/?period=H1").status == 200
    row = page.locator("tr", has_text="số liệu kỳ này là của đơn vị trước sáp nhập: Hà Giang")
    assert row.count() == 1
    assert "Tuyên Quang" in row.inner_text()
    secretary.shot("25-merger-h1-table")
    # the year: its own draft, moved by the merger, compared with both predecessors' 2024
    assert secretary.go("/clusters/cum-2/2025/stats/tuyen-quang-2025/").status == 200
    assert "các đơn vị trước sáp nhập: Hà Giang + Tuyên Quang." in page.content()
    # the agreement: signed by seven, Hà Giang among them; the new unit's row shows Hà
    # Giang's target, which no clear rule extends to the old Tuyên Quang's territory
    assert secretary.go("/clusters/cum-2/2025/agreement/").status == 200
    text = page.content()
    assert "không suy ra được từ chỉ tiêu đã ký của đơn vị trước sáp nhập: Hà Giang 75" in text
    signers = page.locator("#confirmations")
    assert "Hà Giang" in signers.inner_text()
    secretary.shot("25-merger-agreement")


def test_the_ministry_sees_the_merger_page_and_the_closed_account_is_told(visit_demo):
    admin = visit_demo("admin")
    assert admin.go("/clusters/cum-2/2025/merger/").status == 200
    assert admin.page.get_by_role("heading", name="Áp dụng sáp nhập vào năm thi đua").is_visible()
    admin.shot("25-merger-page")
    closed = visit_demo(None)
    closed.go("/accounts/login/")
    closed.page.get_by_label("Tên đăng nhập").fill("hagiang25.canbo")
    closed.page.get_by_label("Mật khẩu").fill("thidua2020")
    follow(closed.page.get_by_role("button", name="Đăng nhập"))  # posted back to the same address
    assert "đã sáp nhập vào Công an tỉnh Tuyên Quang" in closed.page.content()
