"""An empty list says what to do next, and to whom: the person who can act gets the way to do
it, the others learn who will (issue 19, item 7)."""

import pytest

pytestmark = pytest.mark.django_db


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_an_empty_dashboard_links_each_section_to_where_it_is_filled(client_for):
    page = _page(client_for("quansat"), "/clusters/cum-1/2020/dashboard/")
    assert 'href="/clusters/cum-1/2020/stats/">Các đơn vị nhập và nộp số liệu' in page
    assert 'href="/clusters/cum-1/2020/scoring/">Kết quả hiện khi các đơn vị nộp phiếu chấm' in page
    assert 'href="/clusters/cum-1/2020/conference/">Các cuộc bỏ phiếu được tạo' in page


def test_a_year_without_conference_says_who_opens_it_and_when(client_for):
    # 2021 is still collecting statistics: not even its leader's secretary can open it yet
    for username in ("laocai.thuky", "sonla.canbo"):
        page = _page(client_for(username), "/clusters/cum-2/2021/conference/")
        assert "Thư ký của đơn vị cụm trưởng mở hội nghị trên trang này khi năm thi đua" in page
        assert "Ghi ngày, giờ và địa điểm dưới đây" not in page


def test_no_api_key_yet_says_what_one_is_for(client_for):
    page = _page(client_for("sonla.canbo"), "/accounts/tokens/")
    assert "Tạo khóa bằng mẫu trên khi một phần mềm cần đọc hoặc ghi dữ liệu qua API" in page
