"""The home page's next things to do, per role and phase."""

import pytest

from thidua.org import selectors as org_selectors
from thidua.web import tasks

pytestmark = pytest.mark.django_db


def _texts(user) -> list[str]:
    return [task.text for task in tasks.for_user(user)]


def test_a_delegate_is_asked_to_vote_in_the_open_poll(get_user):
    assert _texts(get_user("sonla.daibieu2")) == [
        "Bỏ phiếu: Bình xét Cờ thi đua của Bộ Công an năm 2020"
    ]


def test_the_new_leaders_secretary_drafts_next_years_agreement(get_user):
    texts = _texts(get_user("laocai.thuky"))
    assert "Soạn và ký giao ước thi đua 2021" in texts
    assert "Điều hành hội nghị tổng kết" not in texts  # 2020 belongs to Hà Giang
    assert "Điều hành hội nghị tổng kết" in _texts(get_user("hagiang.thuky"))


def test_reporting_asks_officers_and_tells_the_secretary_who_is_late(reporting_cycle, get_user):
    officer = tasks.for_user(get_user("sonla.canbo"))
    # the first half's report is still missing too (the mid-year review, due 15/07/2021)
    assert [t.text for t in officer] == [
        "Nộp báo cáo số liệu 2021",
        "Nộp báo cáo số liệu 6 tháng đầu năm 2021",
    ]
    assert officer[0].url == "/clusters/cum-2/2021/stats/son-la/"
    assert officer[0].urgent
    leader = _texts(get_user("laocai.thuky"))
    assert (
        "Chờ báo cáo số liệu của: Cao Bằng, Điện Biên, Hà Giang, Lai Châu, Lạng Sơn, Lào Cai, "
        "Sơn La"
    ) in leader
    assert [unit.name for unit in org_selectors.late(reporting_cycle)[:2]] == [
        "Cao Bằng",
        "Điện Biên",
    ]


def test_scoring_counts_the_sheets_still_to_fill(scoring_2021, get_user):
    assert _texts(get_user("sonla.canbo")) == ["Chấm điểm 6 đơn vị", "Tự chấm điểm"]


def test_someone_outside_the_cluster_has_nothing_to_do_there(get_user):
    # (Hà Nội's own Cụm I 2020, still being planned, asks for its first-half report)
    mine = tasks.for_user(get_user("hanoi.canbo"))
    assert [t.text for t in mine if t.cycle.cluster.code == "cum-2"] == []
    assert {t.cycle.cluster.code for t in mine} <= {"cum-1"}


def test_the_home_page_lists_the_tasks(client_for):
    page = client_for("sonla.daibieu2").get("/").content.decode()
    assert "Việc cần làm" in page
    assert 'href="/clusters/cum-2/2020/conference/polls/co-bo-cong-an/"' in page


def test_the_cycle_page_says_who_is_late(reporting_cycle, client_for):
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Chưa nộp: Cao Bằng, Điện Biên, Hà Giang" in page


def test_a_unit_is_told_it_is_late_by_its_code_not_its_short_name(reporting_cycle, get_user):
    """Two members may share a short name (a province's unit before and after a merger):
    only the one whose report is missing is asked for it."""
    from thidua.org.models import Unit
    from thidua.stats.models import Report

    son_la = Unit.objects.get(code="son-la")
    Report.objects.create(
        unit=son_la, year=2021, period="Y", cycle=reporting_cycle, status="submitted"
    )
    Unit.objects.filter(code="cao-bang").update(short_name=son_la.short_name)
    texts = _texts(get_user("sonla.canbo"))
    assert "Nộp báo cáo số liệu 2021" not in texts
    assert "Nộp báo cáo số liệu 2021" in _texts(get_user("caobang.canbo"))
