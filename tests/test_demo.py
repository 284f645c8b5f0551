"""The demo data: idempotent, honest about what is illustrative."""

import pytest
from django.core.management import call_command
from django.test import Client

from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import (
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    PhaseEvent,
    RuleSet,
    Unit,
    User,
)
from thidua.web.demo import load_demo

pytestmark = pytest.mark.django_db

MODELS = (Unit, LineageEvent, LineageLink, Cluster, RuleSet, Cycle, Membership, PhaseEvent)


def counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, Handover, User)}


def test_loading_twice_duplicates_nothing():
    load_demo()  # the whole demo: the tests' database has all of it but Cụm II's 2025
    before = counts()
    load_demo()
    assert counts() == before
    assert before["Unit"] == 63 + 1 + 23  # 63 before 2025, Huế city, 23 merged provinces


def test_command_prints_every_login_with_its_password(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    for username in ("admin", "quansat", "hagiang.thuky", "laocai.thuky", "caobang.daibieu"):
        line = next(line for line in out.splitlines() if line.strip().startswith(username + " "))
        assert DEMO_PASSWORD in line
    # 12 of 2020, and Hà Giang's of 2025, closed at the merger of 1 July 2025
    assert User.objects.filter(kind="officer").count() == 13
    assert User.objects.filter(kind="officer", is_active=True).count() == 12
    assert User.objects.filter(kind="delegate").count() == 7 * 3 + 5  # 3 per Cụm II unit


# Pages the demo's data shows on, which carried a "minh hoạ" note each before it was said once.
DATA_PAGES = (
    "/clusters/cum-2/",
    "/clusters/cum-1/",
    "/clusters/cum-2/2020/",
    "/clusters/cum-1/2020/",
    "/clusters/cum-2/2021/",
    "/clusters/cum-2/2020/agreement/",
    "/clusters/cum-2/2020/stats/",
    *(f"/clusters/cum-2/2020/stats/{unit}/" for unit in ("ha-giang", "son-la", "lao-cai")),
    "/clusters/cum-2/2020/conference/",
    "/clusters/cum-2/2020/results/",
)


def test_what_is_illustrative_is_said_once_on_the_about_page(client_for):
    about = Client().get("/about/").content.decode()  # public, like the login page
    assert 'id="du-lieu-mau"' in about
    for illustrative in (
        "các cụm phó",
        "lãnh đạo Cụm thi đua số I",
        "từng lá phiếu",
        "giờ khai mạc, bế mạc",  # what the documents print as a real cluster's
        "giờ mở, đóng và kiểm từng cuộc bỏ phiếu",
        "hội trường",
        "những điểm nổi bật từng đơn vị ghi trong báo cáo năm 2020",
        "quy định riêng của cụm",
        "lý do chấm điểm",
    ):
        assert illustrative in about
    assert "Con người là hư cấu" in about
    client = client_for("admin")  # sees every cluster
    for page in DATA_PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "minh hoạ" not in response.content.decode(), page


def test_an_installation_the_demo_never_wrote_to_shows_neither_notice_nor_tour(monkeypatch):
    from thidua.web import tour

    assert 'id="du-lieu-mau"' in Client().get("/about/").content.decode()
    assert 'id="demo-tour"' in Client().get("/accounts/login/").content.decode()
    # the log names no write "demo data": as on a server the demo was never loaded into
    monkeypatch.setattr(tour, "DEMO", "no such actor")
    assert 'id="du-lieu-mau"' not in Client().get("/about/").content.decode()
    assert 'id="demo-tour"' not in Client().get("/accounts/login/").content.decode()


def test_the_demo_can_count_its_open_poll_so_every_document_can_be_made(capsys):
    from thidua.documents import builders
    from thidua.voting.models import Poll

    call_command("demo", "--count-open-poll")
    assert "Đã kiểm phiếu: Bình xét Cờ thi đua của Bộ Công an năm 2020." in capsys.readouterr().out
    poll = Poll.objects.get(code="co-bo-cong-an", conference__cycle__year=2020)
    assert poll.status == Poll.Status.CLOSED
    assert poll.result["returned"] == poll.result["electorate"] == 21
    assert poll.result["winners"][:2] == ["lao-cai", "son-la"]
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    missing = {plan.key: plan.missing for plan in builders.plans(cycle) if not plan.ready}
    assert missing == {}
    # a second time there is nothing left open: nothing happens
    call_command("demo", "--count-open-poll")
    assert "Đã kiểm phiếu" not in capsys.readouterr().out


def test_every_member_unit_has_a_director_who_confirmed_the_2020_agreement():
    from thidua.scoring.models import Confirmation

    directors = User.objects.filter(kind="director")
    assert directors.count() == 7 + 5  # each 2020/2021 member unit of Cụm II and Cụm I
    assert all(user.unit_id and user.get_full_name() for user in directors)
    confirmed = Confirmation.objects.filter(
        agreement__cycle__cluster__code="cum-2", agreement__cycle__year=2020
    )
    assert confirmed.count() == 7
    assert {row.confirmed_by.unit_id for row in confirmed} == {row.unit_id for row in confirmed}


def test_the_2025_year_straddles_the_merger_of_1_july(year_2025):
    """Cụm II 2025: signed by the seven units of 2020, held after 1 July 2025 by the units
    that carry them on; the merged units' accounts moved or closed, their draft moved."""
    from datetime import date

    from thidua.scoring.models import Confirmation
    from thidua.stats.models import Report

    cycle = year_2025
    assert cycle.leader.code == "cao-bang"
    assert cycle.phase == "reporting"
    members = {m.unit.code: m for m in Membership.objects.filter(cycle=cycle)}
    assert set(members) == {
        "cao-bang",
        "dien-bien",
        "lai-chau",
        "lang-son",
        "son-la",
        "tuyen-quang-2025",
        "lao-cai-2025",
    }
    assert members["tuyen-quang-2025"].joined_on == date(2025, 7, 1)
    assert members["tuyen-quang-2025"].note.endswith("từ Hà Giang, Tuyên Quang (ngoài cụm)")
    assert members["lao-cai-2025"].note.endswith("từ Lào Cai, Yên Bái (ngoài cụm)")
    signers = Confirmation.objects.filter(agreement__cycle=cycle, confirmed_by__isnull=False)
    assert set(signers.values_list("unit__code", flat=True)) == {
        "ha-giang",
        "dien-bien",
        "lai-chau",
        "lang-son",
        "lao-cai",
        "son-la",
        "cao-bang",
    }
    moved = User.objects.get(username="hagiang25.thuky")
    assert moved.unit.code == "tuyen-quang-2025"
    closed = User.objects.get(username="yenbai.thuky")
    assert (closed.is_active, closed.successor.code) == (False, "lao-cai-2025")
    draft = Report.objects.get(cycle=cycle, period="Y")
    assert (draft.unit.code, draft.status) == ("tuyen-quang-2025", "draft")


def test_the_2025_demo_pages_show_the_merger(year_2025, client_for):
    secretary = Client()
    secretary.post("/accounts/login/", {"username": "hagiang25.thuky", "password": DEMO_PASSWORD})
    page = secretary.get("/clusters/cum-2/2025/stats/tuyen-quang-2025/").content.decode()
    assert "các đơn vị trước sáp nhập: Hà Giang + Tuyên Quang." in page
    assert ">767<" in page  # 402 + 365, the 2024 cases of Hà Giang and Tuyên Quang
    table = client_for("caobang.thuky").get("/clusters/cum-2/2025/stats/").content.decode()
    assert "cùng kỳ 2024 là tổng của Hà Giang + Tuyên Quang" in table
    cycle = client_for("admin").get("/clusters/cum-2/2025/").content.decode()
    assert "Hình thành ngày 01/07/2025 từ Lào Cai, Yên Bái (ngoài cụm)" in cycle
    closed = Client().post(
        "/accounts/login/", {"username": "hagiang25.canbo", "password": DEMO_PASSWORD}
    )
    assert "đã sáp nhập vào Công an tỉnh Tuyên Quang" in closed.content.decode()
