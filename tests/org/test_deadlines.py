"""Phase deadlines: set by the leader unit only (audited), defaults from the rule set, shown
on the cycle page and beside each task on the home page, overdue in red."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from thidua.audit.models import AuditEntry
from thidua.core.deadlines import Standing
from thidua.core.phases import Phase
from thidua.core.record import AuditAction
from thidua.org import selectors, services
from thidua.org.models import PhaseDeadline, RuleSet

pytestmark = pytest.mark.django_db

URL = "/clusters/cum-2/2021/deadlines/"


def _due(cycle, phase):
    return PhaseDeadline.objects.filter(cycle=cycle, phase=phase).values_list("due", flat=True)


def test_the_leader_secretary_sets_a_deadline_and_it_is_audited(client_for, cycle):
    response = client_for("laocai.thuky").post(
        URL, {"phase": "reporting", "due": "2021-11-25"}, follow=True
    )
    assert response.status_code == 200
    assert "Đã đặt thời hạn giai đoạn Báo cáo số liệu: 25/11/2021." in response.content.decode()
    current = cycle("cum-2", 2021)
    assert list(_due(current, "reporting")) == [date(2021, 11, 25)]
    entry = AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).latest("id")
    assert entry.after == {"phase": "reporting", "due": "2021-11-25"}
    assert entry.before is None
    # setting it again keeps one row and records the earlier date
    client_for("laocai.thuky").post(URL, {"phase": "reporting", "due": "2021-11-30"})
    assert list(_due(current, "reporting")) == [date(2021, 11, 30)]
    entry = AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).latest("id")
    assert entry.before == {"phase": "reporting", "due": "2021-11-25"}


@pytest.mark.parametrize("username", ["sonla.thuky", "sonla.canbo", "admin", "hagiang.thuky"])
def test_no_one_but_the_leader_secretary_may_set_a_deadline(client_for, cycle, username):
    before = AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).count()
    response = client_for(username).post(URL, {"phase": "reporting", "due": "2021-11-25"})
    assert response.status_code == 403
    assert not _due(cycle("cum-2", 2021), "reporting").exists()
    assert AuditEntry.objects.filter(action=AuditAction.DEADLINE_SET).count() == before


def test_a_done_phase_or_a_date_out_of_range_is_refused(client_for, get_user, cycle):
    secretary = get_user("laocai.thuky")
    services.close_phase(actor=secretary, cycle=cycle("cum-2", 2021), phase=Phase.PLANNING)
    client = client_for("laocai.thuky")
    page = client.post(URL, {"phase": "planning", "due": "2021-02-01"}, follow=True)
    assert "Giai đoạn “Lập kế hoạch” đã xong nên không đặt lại thời hạn." in page.content.decode()
    page = client.post(URL, {"phase": "scoring", "due": "2025-01-01"}, follow=True)
    assert "phải trong khoảng 01/01/2021–31/12/2022" in page.content.decode()
    page = client.post(URL, {"phase": "scoring", "due": "mai"}, follow=True)
    assert "Ngày không hợp lệ" in page.content.decode()
    assert not PhaseDeadline.objects.filter(cycle=cycle("cum-2", 2021)).exists()


def test_defaults_come_from_the_rule_set_and_an_explicit_date_wins(get_user, cycle):
    current = cycle("cum-2", 2021)
    today = date(2021, 3, 21)
    rows = {row.phase: row for row in selectors.deadlines(current, today)}
    assert rows[Phase.AGREEMENT].due == date(2021, 3, 31)  # 89 days after 1 January
    assert rows[Phase.AGREEMENT].days_left == 10
    assert rows[Phase.CONFERENCE].due == date(2022, 1, 15)
    services.set_deadline(
        actor=get_user("laocai.thuky"), cycle=current, phase=Phase.AGREEMENT, due=date(2021, 4, 15)
    )
    assert selectors.deadlines(current, today)[1].due == date(2021, 4, 15)


def test_the_demo_year_2020_met_its_deadlines(cycle):
    rows = selectors.deadlines(cycle("cum-2", 2020), date(2026, 1, 1))
    assert rows[0].due == date(2020, 2, 28)
    done = [row for row in rows if row.phase != Phase.CONFERENCE]  # the conference is open
    assert {row.standing for row in done} <= {Standing.MET, Standing.LATE}


def test_a_rule_set_with_bad_default_deadlines_is_refused():
    rule_set = RuleSet(
        code="thu",
        version=1,
        name="Thử",
        effective_from=date(2030, 1, 1),
        data={"deadlines": {"planning": 90, "agreement": 30}},
    )
    with pytest.raises(ValidationError, match="theo thứ tự giai đoạn"):
        rule_set.full_clean()
    rule_set.data = {"deadlines": {"voting": 3}}
    with pytest.raises(ValidationError, match="Không có giai đoạn mã voting"):
        rule_set.save()


def test_the_cycle_page_shows_deadlines_and_the_form_only_to_the_leader(client_for):
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Thời hạn các giai đoạn" in page
    assert 'class="deadline deadline-overdue"' in page  # 2021 is long past
    assert f'action="{URL}"' in page
    other = client_for("sonla.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Thời hạn các giai đoạn" in other
    assert f'action="{URL}"' not in other


def test_the_home_page_shows_each_tasks_deadline_overdue_in_red(client_for):
    page = client_for("laocai.thuky").get("/").content.decode()
    # the 2021 agreement was due 31/03/2021: long overdue in the live demo year
    assert "hạn 28/02/2021" in page  # planning, the phase 2021 stands at
    assert 'class="task overdue"' in page
    assert "quá hạn" in page


def test_a_task_due_later_shows_the_days_left_and_is_not_red(client_for, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2021, 2, 18))
    page = client_for("laocai.thuky").get("/").content.decode()
    assert "hạn 28/02/2021 · còn 10 ngày" in page
    assert 'class="task overdue"' not in page
