"""The README's guided tour, followed step by step over HTTP against the demo data: each login
(with the password `make demo` prints) and each action the README names. And the demo's year
2020 dated as it happened, before its conference."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.voting import phones
from thidua.audit.models import AuditEntry
from thidua.audit.selectors import chain_breaks
from thidua.core.phases import PHASES
from thidua.core.record import AuditAction
from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import Cycle, PhaseEvent
from thidua.voting.models import Elector, Poll
from thidua.web.tour import TOUR

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[1] / "README.md"
CYCLE = "/clusters/cum-2/2020/"
POLL = CYCLE + "conference/polls/co-bo-cong-an/"


def tour_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Try it: a guided tour")
    return text[start : text.index("\n## ", start + 1)]


def readme_steps() -> list[str]:
    """The user names of the README's numbered steps, in order."""
    return re.findall(r"^\d\. \*\*`([a-z0-9.]+)`\*\*", tour_section(), re.M)


def sign_in(username: str) -> Client:
    """A browser signing in through the login form with the demo's password."""
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_readme_the_login_page_and_thidua_demo_give_the_same_tour(capsys):
    assert readme_steps() == [step.username for step in TOUR]
    assert len(TOUR) == 7
    section = tour_section()
    assert f"`{DEMO_PASSWORD}`" in section
    for option in ("--organisation-only", "--count-open-poll"):
        assert f"`{option}`" in section
    login = text(Client().get("/accounts/login/"))
    assert 'id="demo-tour"' in login
    assert DEMO_PASSWORD in login
    assert re.findall(r"<li><code>([a-z0-9.]+)</code>", login) == readme_steps()
    call_command("demo")
    out = capsys.readouterr().out
    printed = re.findall(r"^  \d\. ([a-z0-9.]+) \(", out, re.M)
    assert printed == readme_steps()
    for username in printed:  # each tour login is among the logins printed with the password
        assert re.search(rf"^  {re.escape(username)} +{DEMO_PASSWORD} ", out, re.M)


def test_the_readme_tour_step_by_step(year_2025):
    assert readme_steps() == [
        "hagiang.thuky",
        "sonla.daibieu2",
        "caobang.daibieu",
        "laocai.thuky",
        "hagiang25.thuky",
        "quansat",
        "admin",
    ]
    # 1. hagiang.thuky: what to do next, the timeline, the figures, results, conference,
    # documents, the audit log
    secretary = sign_in("hagiang.thuky")
    assert "Điều hành hội nghị tổng kết" in text(secretary.get("/"))
    cycle_page = text(secretary.get(CYCLE))
    for day in ("06/01/2020 08:00", "02/03/2020 09:00", "01/10/2020 08:00", "09/11/2020 08:00"):
        assert day in cycle_page
    stats = text(secretary.get(CYCLE + "stats/"))
    assert "88,7" in stats
    assert "78,0" in stats
    for page in ("results/", "conference/", "documents/"):
        text(secretary.get(CYCLE + page))
    assert "Dữ liệu mẫu" in text(secretary.get(CYCLE + "audit/"))

    # 2. sonla.daibieu2 votes in the open poll and gets a receipt
    poll = Poll.objects.get(conference__cycle__cluster__code="cum-2", code="co-bo-cong-an")
    assert poll.status == Poll.Status.OPEN
    delegate = sign_in("sonla.daibieu2")
    assert "Bỏ phiếu: Bình xét Cờ thi đua của Bộ Công an năm 2020" in text(delegate.get("/"))
    assert "Lào Cai" in text(delegate.get(POLL))
    form = {"choice": ["lao-cai", "lang-son", "cao-bang"], "step": "cast"}
    cast = delegate.post(POLL, phones.form("sonla.daibieu2", "co-bo-cong-an", form))
    assert "Mã biên nhận của bạn" in text(cast)
    voted = Elector.objects.voted().filter(poll=poll)
    assert list(voted.values_list("delegate__user__username", flat=True)) == ["sonla.daibieu2"]

    # 3. the secretary cannot close the poll; caobang.daibieu, of the board, closes it
    confirmed = {"confirm": "1"}
    assert secretary.post(POLL + "close/", confirmed).status_code == 403
    board = sign_in("caobang.daibieu")
    text(board.get(POLL + "close/"))  # the confirmation step
    assert board.post(POLL + "close/", confirmed).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    assert poll.result["returned"] == 1
    assert "Lào Cai" in text(board.get(POLL))

    # 4. laocai.thuky holds the leader's powers for 2021; Hà Giang's secretary does not
    leader_2021 = sign_in("laocai.thuky")
    assert "Soạn và ký giao ước thi đua 2021" in text(leader_2021.get("/"))
    assert "Soạn và ký giao ước thi đua 2021" not in text(secretary.get("/"))
    agreement_2021 = "/clusters/cum-2/2021/agreement/"
    drafting = "Soạn giao ước"  # the drafting tools, shown to the leader secretary only
    assert drafting in text(leader_2021.get(agreement_2021))
    assert drafting not in text(secretary.get(agreement_2021))
    assert secretary.post(agreement_2021 + "sign/").status_code == 403
    assert leader_2021.post(agreement_2021 + "sign/").status_code != 403  # not yet ready

    # 5. hagiang25.thuky: Cụm II 2025, across the merger of 1 July 2025
    moved = sign_in("hagiang25.thuky")
    year_2025 = text(moved.get("/clusters/cum-2/2025/"))
    assert "Hình thành ngày 01/07/2025 từ Hà Giang, Tuyên Quang (ngoài cụm)" in year_2025
    draft = text(moved.get("/clusters/cum-2/2025/stats/tuyen-quang-2025/"))
    assert "Bản nháp" in draft
    assert "Hà Giang + Tuyên Quang" in draft
    closed = Client().post(
        "/accounts/login/", {"username": "hagiang25.canbo", "password": DEMO_PASSWORD}
    )
    assert "đã sáp nhập vào Công an tỉnh Tuyên Quang" in text(closed)

    # 6. quansat: the Ministry's dashboard, read only
    observer = sign_in("quansat")
    overview = text(observer.get("/dashboard/"))
    assert "Cụm thi đua số II" in overview
    assert "Cụm thi đua số I –" in overview
    assert observer.post(CYCLE + "phases/conference/close/").status_code == 403

    # 7. admin: creates a cluster's year (and assigns its leader), opens /admin/
    admin = sign_in("admin")
    assert "Tạo năm thi đua" in text(admin.get("/clusters/cum-2/"))
    assert "cụm trưởng" in text(admin.get("/clusters/cum-2/cycles/new/")).lower()
    text(admin.get("/admin/"))
    assert secretary.get("/clusters/cum-2/cycles/new/").status_code == 403


def test_the_2020_phases_are_dated_in_2020_before_the_conference():
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    conference_day = cycle.conference.held_on
    assert conference_day.isoformat() == "2020-11-16"
    events = list(PhaseEvent.objects.filter(cycle=cycle).order_by("at", "id"))
    opened = [event.phase for event in events if event.action == PhaseEvent.Action.OPEN]
    assert opened == [phase.value for phase in PHASES]  # planning … conference, in order
    for event in events:
        assert event.at.year == 2020
        assert event.at.date() < conference_day
    assert events[0].at.date().isoformat() == "2020-01-06"
    assert cycle.created_at == events[0].at
    # the log records each move at the same moment, and its chain is whole
    moves = AuditEntry.objects.filter(
        chain="cum-2/2020",
        action__in=(AuditAction.PHASE_OPEN, AuditAction.PHASE_CLOSE),
        origin__isnull=True,
    ).order_by("seq")
    assert [entry.at for entry in moves] == [event.at for event in events[1:]]
    assert all(entry.actor == "demo data" for entry in moves)
    assert chain_breaks() == []
    # the other 2020 year too
    cluster_i = PhaseEvent.objects.get(cycle__cluster__code="cum-1", cycle__year=2020)
    assert cluster_i.at == events[0].at


def test_the_2020_polls_are_counted_on_the_conference_day_and_one_is_left_open():
    """The demo's votes happened on 16/11/2020 within the programme's hours (illustrative,
    like the programme), recorded then; the Ministry flag is left for the visitor."""
    from django.utils import timezone

    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    conference = cycle.conference
    day = conference.held_on
    polls = {poll.code: poll for poll in Poll.objects.filter(conference=conference)}
    counted = [poll for poll in polls.values() if poll.status == Poll.Status.CLOSED]
    assert sorted(poll.code for poll in counted) == [
        "co-chinh-phu",
        "cum-pho-2021",
        "cum-truong-2021",
    ]
    for poll in counted:
        opened, closed = timezone.localtime(poll.opened_at), timezone.localtime(poll.closed_at)
        assert opened.date() == closed.date() == day, poll.code
        assert conference.starts_at < opened.time() < closed.time() < conference.ends_at
        closing = AuditEntry.objects.filter(
            chain="cum-2/2020", action=AuditAction.POLL_CLOSE, object_id=str(poll.pk)
        ).get()
        assert closing.at == poll.closed_at  # the log says the same moment
    left = polls["co-bo-cong-an"]
    assert left.status == Poll.Status.OPEN
    assert timezone.localtime(left.opened_at).date() == day
    assert chain_breaks() == []
