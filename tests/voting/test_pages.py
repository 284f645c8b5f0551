"""The conference over HTTP: the phone ballot, refusals, counting, the projector."""

import pytest

from tests.voting import phones
from thidua.audit.models import PageCache
from thidua.voting.models import Elector

pytestmark = pytest.mark.django_db

CODE = "co-bo-cong-an"
URL = f"/clusters/cum-2/2020/conference/polls/{CODE}/"


def test_phone_ballot_choose_confirm_cast_receipt(client_for, open_poll):
    phone = client_for("hagiang.daibieu2")
    page = phone.get(URL).content.decode()
    assert 'type="checkbox" name="choice" value="lang-son"' in page
    confirm = phone.post(URL, {"choice": "lang-son"})
    assert "Xác nhận phiếu" in confirm.content.decode()
    assert (
        Elector.objects.voted().filter(poll=open_poll).count() == 0
    )  # nothing cast before confirming
    cast = phone.post(
        URL, phones.form("hagiang.daibieu2", CODE, {"choice": "lang-son", "step": "cast"})
    )
    text = cast.content.decode()
    receipt = text.split('<p class="receipt-code"><code>')[1].split("</code>")[0]
    assert len(receipt) == 8
    again = phone.post(
        URL, phones.form("hagiang.daibieu2", CODE, {"choice": "son-la", "step": "cast"})
    )
    assert again.status_code == 409
    assert "phiếu đã được ghi nhận một lần" in again.content.decode()
    download = phone.get(URL + f"receipt.txt?code={receipt}")
    assert receipt in download.content.decode()
    assert "Bạn đã bỏ phiếu trong cuộc bỏ phiếu này." in phone.get(URL).content.decode()


def test_a_delegate_cannot_vote_for_another(client_for, open_poll, get_user):
    client_for("hagiang.daibieu2").post(
        URL,
        phones.form(
            "hagiang.daibieu2",
            CODE,
            {
                "choice": "lang-son",
                "step": "cast",
                "delegate": "sonla.daibieu",
                "user": "sonla.daibieu",
            },
        ),
    )
    voters = list(
        Elector.objects.voted()
        .filter(poll=open_poll)
        .values_list("delegate__user__username", flat=True)
    )
    assert voters == ["hagiang.daibieu2"]


def test_too_many_choices_is_explained(client_for, open_poll):
    response = client_for("hagiang.daibieu2").post(
        URL, {"choice": ["lang-son", "son-la", "lao-cai", "cao-bang"], "step": "cast"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "quá số được chọn" in page
    # the ticks stay, so the delegate only untick one
    assert 'name="choice" value="lang-son" checked' in page
    assert 'name="choice" value="son-la" checked' in page
    assert 'name="choice" value="dien-bien" checked' not in page
    assert not Elector.objects.voted().filter(poll=open_poll).exists()


def test_choosing_again_from_the_confirmation_keeps_the_choice(client_for, open_poll):
    phone = client_for("hagiang.daibieu2")
    confirm = phone.post(URL, {"choice": "lang-son"}).content.decode()
    assert 'name="step" value="change"' in confirm
    back = phone.post(URL, {"choice": "lang-son", "step": "change"})
    assert back.status_code == 200
    page = back.content.decode()
    assert 'name="choice" value="lang-son" checked' in page
    assert 'name="choice" value="son-la" checked' not in page
    assert "Xác nhận phiếu" not in page
    assert not Elector.objects.voted().filter(poll=open_poll).exists()


def test_non_delegates_and_closed_polls(client_for, open_poll):
    assert (
        client_for("hagiang.canbo")
        .post(URL, phones.form("hagiang.canbo", CODE, {"choice": "lang-son", "step": "cast"}))
        .status_code
        == 403
    )
    assert (
        client_for("hanoi.daibieu")
        .post(URL, phones.form("hanoi.daibieu", CODE, {"choice": "lang-son", "step": "cast"}))
        .status_code
        == 403
    )
    closed = "/clusters/cum-2/2020/conference/polls/co-chinh-phu/"
    response = client_for("hagiang.daibieu3").post(
        closed,
        phones.form("hagiang.daibieu3", "co-chinh-phu", {"choice": "lang-son", "step": "cast"}),
    )
    assert response.status_code == 409
    assert not Elector.objects.voted().filter(poll=open_poll).exists()


def test_only_the_board_closes(client_for, open_poll):
    confirmed = {"confirm": "1"}
    assert client_for("hagiang.thuky").post(URL + "close/", confirmed).status_code == 403
    assert client_for("hagiang.daibieu").post(URL + "close/", confirmed).status_code == 403
    assert client_for("hagiang.daibieu").get(URL + "close/").status_code == 403
    assert client_for("caobang.daibieu").post(URL + "close/", confirmed).status_code == 302
    open_poll.refresh_from_db()
    assert open_poll.status == "closed"


def test_closing_asks_for_confirmation_with_the_turnout(client_for, open_poll, get_user):
    for username in ("hagiang.daibieu2", "sonla.daibieu2", "dienbien.daibieu"):
        client_for(username).post(
            URL, phones.form(username, CODE, {"choice": "lang-son", "step": "cast"})
        )
    board = client_for("laocai.daibieu")
    page = board.get(URL).content.decode()
    ballot_end = page.index("Tiếp tục")
    board_start = page.index("Ban kiểm phiếu")
    assert ballot_end < board_start < page.index("Đóng và kiểm phiếu…")
    assert f'action="{URL}close/"' not in page  # no one-tap close: a link to the confirmation
    assert f'href="{URL}close/"' in page
    for ask in (board.get(URL + "close/"), board.post(URL + "close/")):
        assert ask.status_code == 200
        text = ask.content.decode()
        assert "Đóng và kiểm phiếu?" in text
        assert "3/21 đại biểu được triệu tập" in text
        assert "Với 3 phiếu, không đơn vị nào đạt được 11 phiếu cần để trúng cử." in text
        assert "Còn 18 đại biểu có mặt chưa bỏ phiếu." in text
        assert 'name="confirm" value="1"' in text
        # counts only: nobody's name, voted or not
        assert get_user("hagiang.daibieu2").display_name not in text
        assert get_user("caobang.daibieu3").display_name not in text
    open_poll.refresh_from_db()
    assert open_poll.status == "open"
    done = board.post(URL + "close/", {"confirm": "1"})
    assert (done.status_code, done["Location"]) == (302, URL)
    open_poll.refresh_from_db()
    assert open_poll.status == "closed"
    after = board.get(URL + "close/", follow=True)
    assert "Cuộc bỏ phiếu không đang mở." in after.content.decode()


def test_closing_below_the_quorum_is_warned(client_for, open_poll):
    open_poll.rules = {**open_poll.rules, "quorum": "2/3"}
    open_poll.save(update_fields=["rules"])
    client_for("hagiang.daibieu2").post(
        URL, phones.form("hagiang.daibieu2", CODE, {"choice": "lang-son", "step": "cast"})
    )
    text = client_for("laocai.daibieu").get(URL + "close/").content.decode()
    assert (
        "Chưa đủ số đại biểu theo quy định: cần ít nhất 14 phiếu, mới có 1. Đóng bây giờ thì "
        "không có ai trúng cử." in text
    )


def test_no_partial_results_while_open(client_for, open_poll, get_user):
    client_for("hagiang.daibieu2").post(
        URL, phones.form("hagiang.daibieu2", CODE, {"choice": "lang-son", "step": "cast"})
    )
    for viewer in ("quansat", "hagiang.thuky", "hagiang.canbo"):
        page = client_for(viewer).get(URL).content.decode()
        assert "1/21" in page
        assert "Kết quả kiểm phiếu" not in page
    screen = client_for("quansat").get("/clusters/cum-2/2020/conference/screen/").content.decode()
    assert "Đã bỏ phiếu: 1/21" in screen
    assert 'http-equiv="refresh"' in screen


def test_results_after_counting(client_for):
    page = (
        client_for("quansat")
        .get("/clusters/cum-2/2020/conference/polls/cum-truong-2021/")
        .content.decode()
    )
    assert "Kết quả kiểm phiếu" in page
    assert "tổng số đại biểu (thành viên) được triệu tập: 21" in page
    assert "cần ít nhất 11 phiếu" in page
    assert "Mã biên nhận đã được tính" in page


def test_candidates_show_rank_and_history(client_for, open_poll):
    page = client_for("hagiang.daibieu2").get(URL).content.decode()
    lang_son = page.split('value="lang-son"')[1].split("</label>")[0]
    assert "Cờ thi đua của Chính phủ 2017" in lang_son
    assert "Cờ thi đua của Bộ Công an 2018" in lang_son
    assert "xếp thứ 4 khi chấm điểm" in lang_son
    # the Government flag needs the lead: its counted page says who had it
    gov = client_for("quansat").get("/clusters/cum-2/2020/conference/polls/co-chinh-phu/")
    rows = gov.content.decode().split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    ha_giang = next(row for row in rows if "Công an tỉnh Hà Giang" in row)
    assert "xếp thứ 1 khi chấm điểm" in ha_giang
    assert "chưa dẫn đầu cụm" not in ha_giang
    assert "Được đề nghị" in ha_giang  # a title poll nominates: never "Trúng cử"
    assert "Trúng cử" not in gov.content.decode()
    lao_cai = next(row for row in rows if "Công an tỉnh Lào Cai" in row)
    assert "chưa dẫn đầu cụm" in lao_cai


def test_delegates_and_board_are_managed_by_the_leader_secretary(client_for, conference, get_user):
    from thidua.voting.demo import count_the_open_poll
    from thidua.voting.models import Delegate

    count_the_open_poll(conference.cycle)  # the board is fixed while a poll is open
    user = get_user("hagiang.daibieu2")
    data = {"users": [user.pk], "board": "member"}
    assert (
        client_for("hagiang.canbo")
        .post("/clusters/cum-2/2020/conference/delegates/", data)
        .status_code
        == 403
    )
    assert (
        client_for("hagiang.thuky")
        .post("/clusters/cum-2/2020/conference/delegates/", data)
        .status_code
        == 302
    )
    assert Delegate.objects.get(conference=conference, user=user).board == "member"
    outsider = get_user("hanoi.daibieu")
    client_for("hagiang.thuky").post(
        "/clusters/cum-2/2020/conference/delegates/", {"users": [outsider.pk], "board": ""}
    )
    assert not Delegate.objects.filter(conference=conference, user=outsider).exists()
    # a malformed id is left out like an unknown one: no error page
    before = Delegate.objects.filter(conference=conference).count()
    malformed = {"users": ["x1", "", "9" * 30, "²"], "board": "member"}
    page = client_for("hagiang.thuky").post("/clusters/cum-2/2020/conference/delegates/", malformed)
    assert page.status_code == 302
    assert Delegate.objects.filter(conference=conference).count() == before


def test_one_flag_a_year_the_ministry_ballot_leaves_out_the_government_flag_nominee(
    client_for, open_poll, conference, get_user
):
    """Government flag first (Hà Giang, who leads the cluster), then the Ministry flag among
    the other six units: Hà Giang is not on that ballot, and cannot be put on it."""
    page = client_for("hagiang.daibieu2").get(URL).content.decode()
    assert 'value="ha-giang"' not in page
    codes = [c.unit.code for c in open_poll.candidates.all()]
    assert sorted(codes) == ["cao-bang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la"]
    refused = client_for("hagiang.thuky").post(
        "/clusters/cum-2/2020/conference/polls/new/",
        {
            "code": "co-bo-2",
            "title": "Cờ của Bộ, lần nữa",
            "title_code": "co_bo_cong_an",
            "candidates": ["ha-giang", "lao-cai"],
        },
        follow=True,
    )
    assert (
        "Công an tỉnh Hà Giang đã được đề nghị “Cờ thi đua của Chính phủ”; mỗi năm một đơn vị "
        "chỉ được đề nghị một trong hai danh hiệu" in refused.content.decode()
    )
    assert not conference.polls.filter(code="co-bo-2").exists()


def test_a_nominee_against_the_rules_is_shown_not_nominated_with_the_reason(
    client_for, conference, get_user
):
    """A second Government-flag vote elects Lào Cai, ranked 3rd: never shown as elected."""
    from thidua.core.ballots import Ballot
    from thidua.voting import services
    from thidua.voting.models import Delegate

    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="co-chinh-phu-2",
        title="Cờ của Chính phủ, lần hai",
        title_code="co_chinh_phu",
        candidates=[c.unit for c in conference.polls.get(code="co-chinh-phu").candidates.all()],
    )
    poll = services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    for delegate in Delegate.objects.filter(conference=conference).select_related("user"):
        phones.cast(actor=delegate.user, poll=poll, ballot=Ballot(choices=("lao-cai",)))
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    page = client_for("quansat").get("/clusters/cum-2/2020/conference/polls/co-chinh-phu-2/")
    rows = page.content.decode().split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    lao_cai = next(row for row in rows if "Công an tỉnh Lào Cai" in row)
    assert '<strong class="ok">' not in lao_cai  # not shown as nominated
    assert "Không được đề nghị" in lao_cai
    assert "xếp thứ 3 trong cụm; cần dẫn đầu cụm." in lao_cai


def test_above_the_threshold_but_outside_the_seats_is_said(client_for, open_poll, conference):
    """Four units above half of the delegates for three seats: the fourth is told why."""
    from thidua.core.ballots import Ballot
    from thidua.voting import services
    from thidua.voting.models import Delegate

    delegates = Delegate.objects.filter(conference=conference).select_related("user")
    for index, delegate in enumerate(delegates.order_by("pk")):
        if index < 10:
            picks = ("lao-cai", "son-la", "lang-son")
        elif index < 12:
            picks = ("lao-cai", "lang-son", "cao-bang")
        else:
            picks = ("lao-cai", "son-la", "cao-bang")
        phones.cast(actor=delegate.user, poll=open_poll, ballot=Ballot(choices=picks))
    closed = services.close_poll(actor=delegates.get(board="chair").user, poll=open_poll)
    assert (closed.result["votes"]["lang-son"], closed.result["votes"]["cao-bang"]) == (12, 11)
    assert closed.result["required"] == 11
    assert closed.result["winners"] == ["lao-cai", "son-la", "lang-son"]
    page = client_for("quansat").get(URL).content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")
    cao_bang = next(row for row in rows if "Công an tỉnh Cao Bằng" in row)
    assert "Đạt ngưỡng nhưng ngoài số lượng" in cao_bang
    assert "Đạt ngưỡng (11 phiếu, cần 11) nhưng đứng thứ 4 theo số phiếu, ngoài 3 suất." in (
        cao_bang
    )
    assert "Được đề nghị" not in cao_bang
    dien_bien = next(row for row in rows if "Công an tỉnh Điện Biên" in row)
    assert "Không đạt" in dien_bien
    assert "Không được phiếu nào." in dien_bien
    lao_cai = next(row for row in rows if "Công an tỉnh Lào Cai" in row)
    assert "phiếu, chưa đạt" not in lao_cai
    assert "ngoài" not in lao_cai
    screen = client_for("quansat").get("/clusters/cum-2/2020/conference/screen/")
    assert "đạt ngưỡng nhưng ngoài số lượng: Cao Bằng" in screen.content.decode()


def test_the_conference_page_says_who_closes_a_poll_and_how(client_for):
    for username, yours in [
        ("laocai.daibieu", "Bạn thuộc ban kiểm phiếu: bạn đóng cuộc bỏ phiếu trên trang của nó."),
        ("hagiang.thuky", "Bạn điều hành hội nghị; để đóng một cuộc bỏ phiếu, đề nghị ban"),
        ("hagiang.daibieu", "Bạn là đại biểu: ban kiểm phiếu đóng cuộc bỏ phiếu"),
        ("quansat", "Bạn chỉ xem: ban kiểm phiếu đóng cuộc bỏ phiếu"),
        ("admin", "Bạn chỉ xem: ban kiểm phiếu đóng cuộc bỏ phiếu"),
    ]:
        page = client_for(username).get("/clusters/cum-2/2020/conference/").content.decode()
        assert "Ai đóng cuộc bỏ phiếu, và cách đóng" in page
        assert "Chỉ ban kiểm phiếu mở và đóng cuộc bỏ phiếu" in page
        assert "“Đóng và kiểm phiếu…”" in page
        assert yours in page, username


def test_the_conference_page_queries_do_not_grow_with_addable_accounts(client_for, get_user):
    """Whom the secretary may add is one read (`selectors.addable_users`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.org.models import User

    secretary = client_for("hagiang.thuky")
    unit = get_user("hagiang.thuky").unit

    def count() -> int:
        PageCache.objects.all().delete()  # the page as computed, not as kept per cycle version
        with CaptureQueriesContext(connection) as queries:
            page = secretary.get("/clusters/cum-2/2020/conference/")
        assert page.status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        User.objects.create(username=f"hagiang.them{n}", kind="delegate", unit=unit)
    assert count() == before


RUN_OF_SHOW = "/clusters/cum-2/2020/conference/run-of-show/"


def test_the_run_of_show_walks_the_secretary_to_the_open_vote(client_for, open_poll):
    page = client_for("hagiang.thuky").get(RUN_OF_SHOW).content.decode()
    steps = page.split('<ol class="run-of-show">')[1].split("</ol>")[0].split("<li ")[1:]
    current = [step for step in steps if 'aria-current="step"' in step]
    assert len(current) == 1
    assert f'href="{URL}"' in current[0]  # the Ministry-flag vote the demo leaves open
    assert "Đang bỏ phiếu: 0/21 đại biểu đã bỏ phiếu" in current[0]
    gov = next(step for step in steps if "/polls/co-chinh-phu/" in step)
    assert "step-done" in gov
    assert "chủ trì công bố kết quả trên màn hình chiếu" in gov
    assert 'href="/clusters/cum-2/2020/conference/screen/"' in page
    assert "step-todo" in steps[-1]  # the papers come last
    conference = client_for("hagiang.thuky").get("/clusters/cum-2/2020/conference/")
    assert f'href="{RUN_OF_SHOW}"' in conference.content.decode()


def test_the_run_of_show_follows_the_votes_with_constant_queries(
    client_for, open_poll, conference, get_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.voting import services

    client = client_for("hagiang.thuky")
    client.get(RUN_OF_SHOW)
    with CaptureQueriesContext(connection) as few:
        client.get(RUN_OF_SHOW)
    for number in range(4):
        services.create_poll(
            actor=get_user("hagiang.thuky"),
            conference=conference,
            code=f"bieu-quyet-{number}",
            title=f"Biểu quyết {number}",
            purpose="other",
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(RUN_OF_SHOW).content.decode()
    assert len(many) == len(few)
    assert page.count("Chưa mở: ban kiểm phiếu mở trên trang cuộc bỏ phiếu.") >= 4


def test_the_run_of_show_is_refused_outside_the_cluster(client_for):
    assert client_for("cantho.thuky").get(RUN_OF_SHOW).status_code == 403
