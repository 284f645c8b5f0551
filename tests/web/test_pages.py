"""Pages in a browser session: the demo logins, the cluster page, refusals, languages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.voting import phones
from thidua.audit.models import PageCache
from thidua.org import services
from thidua.org.authz import SYSTEM
from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import Cluster, Cycle, Membership, Unit, User

pytestmark = pytest.mark.django_db


def test_printed_demo_logins_work():
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "hagiang.thuky", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "Cụm thi đua số II – Bộ Công an" in home
    assert "Thư ký cụm trưởng" in home  # Hà Giang leads 2020


def test_every_demo_login_signs_in():
    for username in User.objects.values_list("username", flat=True):
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username


def test_wrong_password_is_refused_and_throttled():
    client = Client()
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "sonla.canbo", "password": "x"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    fifth = client.post("/accounts/login/", {"username": "sonla.canbo", "password": "x"})
    assert fifth.status_code == 429
    locked = client.post("/accounts/login/", {"username": "sonla.canbo", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2():
    assert User.objects.get(username="admin").password.startswith("argon2")


def test_cluster_page_shows_leaders_and_the_handover(client_for):
    page = client_for("sonla.canbo").get("/clusters/cum-2/").content.decode()
    year_2020 = page.split("Năm 2020")[1].split("</article>")[0]
    assert "Công an tỉnh Hà Giang" in year_2020
    handovers = page.split('class="handovers"')[1]
    row_2021 = handovers.split("<td>2021</td>")[1].split("</tr>")[0]
    assert "Công an tỉnh Lào Cai" in row_2021
    assert "Hội nghị tổng kết năm 2020" in row_2021
    assert "Bầu tại hội nghị" in row_2021


def test_english_switch(client_for):
    client = client_for("sonla.canbo")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/clusters/cum-2/"})
    assert response.status_code == 302
    page = client.get("/clusters/cum-2/").content.decode()
    assert '<html lang="en">' in page
    assert "Leaders, deputies and hand-overs" in page
    assert "Elected at the conference" in page


def test_unit_page_shows_lineage(client_for):
    page = client_for("sonla.canbo").get("/units/tuyen-quang-2025/").content.decode()
    assert "01/07/2025" in page
    assert "Hà Giang" in page
    assert "Nghị quyết 202/2025/QH15" in page
    ended = client_for("sonla.canbo").get("/units/ha-giang/").content.decode()
    assert "Công an tỉnh Tuyên Quang (từ 01/07/2025)" in ended


def test_cycle_page_offers_phase_actions_to_the_leader_secretary_only(client_for):
    leader = client_for("hagiang.thuky").get("/clusters/cum-2/2020/").content.decode()
    assert "Đóng giai đoạn" in leader
    assert "Ghi nhận cụm trưởng, cụm phó năm 2021" in leader
    officer = client_for("hagiang.canbo").get("/clusters/cum-2/2020/").content.decode()
    assert "Đóng giai đoạn" not in officer
    next_year = client_for("hagiang.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Đóng giai đoạn" not in next_year
    lao_cai = client_for("laocai.thuky").get("/clusters/cum-2/2021/").content.decode()
    assert "Đóng giai đoạn" in lao_cai


def test_officer_cannot_reach_another_units_form(client_for):
    client = client_for("sonla.canbo")
    assert client.get("/units/son-la/edit/").status_code == 200
    refused = client.get("/units/lai-chau/edit/")
    assert refused.status_code == 403
    assert "Bạn không có quyền sửa thông tin đơn vị." in refused.content.decode()
    assert client.post("/units/lai-chau/edit/", {"address": "x"}).status_code == 403
    assert Unit.objects.get(code="lai-chau").address == ""
    saved = client.post("/units/son-la/edit/", {"address": "Tô Hiệu", "email": ""})
    assert saved.status_code == 302
    assert Unit.objects.get(code="son-la").address == "Tô Hiệu"


def test_other_clusters_cycles_are_not_visible(client_for):
    assert client_for("hanoi.canbo").get("/clusters/cum-2/2020/").status_code == 403
    assert client_for("quansat").get("/clusters/cum-2/2020/").status_code == 200


def test_phase_action_by_the_wrong_secretary_changes_nothing(client_for):
    response = client_for("hagiang.thuky").post("/clusters/cum-2/2021/phases/planning/close/")
    assert response.status_code == 403
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open
    ok = client_for("laocai.thuky").post("/clusters/cum-2/2021/phases/planning/close/", follow=True)
    assert "Đã đóng: Lập kế hoạch." in ok.content.decode()
    assert not Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open


def test_phase_out_of_order_is_explained(client_for):
    response = client_for("laocai.thuky").post(
        "/clusters/cum-2/2021/phases/scoring/open/", follow=True
    )
    assert "Phải đóng giai đoạn đang mở trước khi mở giai đoạn “Chấm điểm”." in (
        response.content.decode()
    )
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).state == "planning"


def test_create_cycle_form_refuses_bad_input_and_writes_nothing(client_for):
    client = client_for("admin")
    members = Unit.objects.filter(code__in=["son-la", "lai-chau", "tuyen-quang-2025"])
    before = Cycle.objects.count(), Membership.objects.count()
    response = client.post(
        "/clusters/cum-2/cycles/new/",
        {
            "year": "2022",
            "members": [unit.pk for unit in members],
            "leader": Unit.objects.get(code="cao-bang").pk,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Công an tỉnh Tuyên Quang (từ 01/07/2025) không tồn tại trong năm 2022." in text
    assert "Cụm trưởng Công an tỉnh Cao Bằng không phải là thành viên của cụm." in text
    assert (Cycle.objects.count(), Membership.objects.count()) == before
    assert client_for("hagiang.thuky").get("/clusters/cum-2/cycles/new/").status_code == 403


def test_handover_form(client_for):
    client = client_for("admin")  # the Ministry: an elected hand-over must follow the vote
    form = client.get("/clusters/cum-2/2020/handover/")
    assert form.status_code == 200
    son_la = Unit.objects.get(code="son-la")
    response = client.post(
        "/clusters/cum-2/2020/handover/",
        {"leader": son_la.pk, "deputy": son_la.pk, "method": "assigned"},
    )
    assert response.status_code == 400
    assert "Cụm phó phải là đơn vị khác cụm trưởng." in response.content.decode()
    lai_chau = Unit.objects.get(code="lai-chau")
    done = client.post(
        "/clusters/cum-2/2020/handover/",
        {"leader": son_la.pk, "deputy": lai_chau.pk, "method": "assigned"},
    )
    assert done.status_code == 302
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).leader == son_la


def test_reopen_needs_a_reason(client_for):
    client = client_for("laocai.thuky")
    client.post("/clusters/cum-2/2021/phases/planning/close/")
    refused = client.post(
        "/clusters/cum-2/2021/phases/planning/reopen/", {"reason": ""}, follow=True
    )
    assert "Phải ghi lý do mở lại giai đoạn." in refused.content.decode()
    client.post("/clusters/cum-2/2021/phases/planning/reopen/", {"reason": "Bổ sung thành viên"})
    page = client.get("/clusters/cum-2/2021/").content.decode()
    assert "Bổ sung thành viên" in page


def test_api_tokens_page(client_for):
    client = client_for("sonla.canbo")
    page = client.post(
        "/accounts/tokens/", {"name": "bảng tính", "scopes": ["read"], "days": "30"}
    ).content.decode()
    key = page.split('<code class="secret">')[1].split("</code>")[0]
    assert key.startswith("td_")
    me = Client().get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert me.json()["username"] == "sonla.canbo"


def test_api_tokens_page_queries_do_not_grow(client_for):
    client = client_for("sonla.canbo")
    user = User.objects.get(username="sonla.canbo")
    services.create_api_token(actor=user, name="một")
    before = _count_queries(client, "/accounts/tokens/")
    for n in range(5):
        services.create_api_token(actor=user, name=f"khoá {n}")
    assert _count_queries(client, "/accounts/tokens/") == before


def _count_queries(client, path):
    PageCache.objects.all().delete()  # the pages as computed, not as kept per cycle version
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_data(client_for):
    client = client_for("admin")
    paths = ["/", "/clusters/cum-2/", "/clusters/cum-2/2021/", "/units/son-la/", "/lineage/"]
    before = {path: _count_queries(client, path) for path in paths}
    cluster = Cluster.objects.get(code="cum-2")
    codes = ["dien-bien", "lai-chau", "lang-son", "son-la", "cao-bang", "quang-ninh", "bac-giang"]
    for year in (2017, 2018, 2019, 2022):
        services.create_cycle(
            actor=SYSTEM,
            cluster=cluster,
            year=year,
            members=list(Unit.objects.filter(code__in=codes)),
            leader=Unit.objects.get(code="son-la"),
        )
    after = {path: _count_queries(client, path) for path in paths}
    assert after == before


def test_pages_stay_vietnamese_for_an_english_browser(client_for):
    client = client_for("sonla.canbo")
    page = client.get("/clusters/cum-2/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.content.decode()
    anonymous = Client().get("/accounts/login/", headers={"Accept-Language": "en"})
    assert "Đăng nhập" in anonymous.content.decode()


def test_members_are_listed_in_vietnamese_order(client_for):
    page = client_for("sonla.canbo").get("/clusters/cum-2/").content.decode()
    members = page.split('class="members"')[1].split("</p>")[0]
    order = [members.index(name) for name in ("Cao Bằng", "Điện Biên", "Hà Giang", "Sơn La")]
    assert order == sorted(order)


def test_closing_a_phase_others_have_not_finished_asks_first(reporting_cycle, client_for):
    url = "/clusters/cum-2/2021/phases/reporting/close/"
    assert client_for("hagiang.thuky").post(url).status_code == 403  # refused before asking
    client = client_for("laocai.thuky")
    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Còn 7 đơn vị chưa hoàn thành giai đoạn này:" in page
    assert "<li>Điện Biên</li>" in page
    assert 'name="confirm" value="1"' in page
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open  # nothing closed yet
    done = client.post(url, {"confirm": "1"}, follow=True)
    assert "Đã đóng: Báo cáo số liệu." in done.content.decode()
    assert not Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open


def test_closing_the_conference_with_a_title_against_the_rules_asks_first(
    cycle, client_for, get_user
):
    """A second Government-flag vote elects a unit that does not lead the cluster: the
    secretary is told before the conference phase is closed."""
    from thidua.core.ballots import Ballot
    from thidua.voting import services as voting_services
    from thidua.voting.models import Delegate, Poll

    year = cycle("cum-2", 2020)
    assert (year.phase, year.phase_is_open) == ("conference", True)
    first = Poll.objects.get(conference__cycle=year, code="co-chinh-phu")
    poll = voting_services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=first.conference,
        code="co-chinh-phu-2",
        title="Cờ của Chính phủ, lần hai",
        title_code="co_chinh_phu",
    )
    poll = voting_services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    delegates = Delegate.objects.filter(conference=poll.conference).select_related("user")
    for index, delegate in enumerate(delegates.order_by("pk")):
        choice = "lao-cai" if index < 15 else "ha-giang"
        phones.cast(actor=delegate.user, poll=poll, ballot=Ballot(choices=(choice,)))
    voting_services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    url = "/clusters/cum-2/2020/phases/conference/close/"
    asked = client_for("hagiang.thuky").post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Kết quả bình xét danh hiệu chưa đúng quy định:" in page
    assert (
        "Công an tỉnh Lào Cai được đề nghị “Cờ thi đua của Chính phủ” nhưng xếp thứ 3 trong "
        "cụm; cần dẫn đầu cụm." in page
    )
    assert "chưa hoàn thành giai đoạn này" not in page
    assert Cycle.objects.get(pk=year.pk).phase_is_open
