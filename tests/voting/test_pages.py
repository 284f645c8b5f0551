"""The conference over HTTP: the phone ballot, refusals, counting, the projector."""

import pytest

from thidua.voting.models import RollEntry

pytestmark = pytest.mark.django_db

URL = "/clusters/cum-2/2020/conference/polls/co-chinh-phu/"


def test_phone_ballot_choose_confirm_cast_receipt(client_for, gov_poll):
    phone = client_for("hagiang.daibieu2")
    page = phone.get(URL).content.decode()
    assert 'type="checkbox" name="choice" value="lang-son"' in page
    confirm = phone.post(URL, {"choice": "lang-son"})
    assert "Xác nhận phiếu" in confirm.content.decode()
    assert RollEntry.objects.filter(poll=gov_poll).count() == 0  # nothing cast before confirming
    cast = phone.post(URL, {"choice": "lang-son", "step": "cast"})
    text = cast.content.decode()
    receipt = text.split('<p class="receipt-code"><code>')[1].split("</code>")[0]
    assert len(receipt) == 8
    again = phone.post(URL, {"choice": "son-la", "step": "cast"})
    assert again.status_code == 409
    assert "phiếu đã được ghi nhận một lần" in again.content.decode()
    download = phone.get(URL + f"receipt.txt?code={receipt}")
    assert receipt in download.content.decode()
    assert "Bạn đã bỏ phiếu trong cuộc bỏ phiếu này." in phone.get(URL).content.decode()


def test_a_delegate_cannot_vote_for_another(client_for, gov_poll, get_user):
    client_for("hagiang.daibieu2").post(
        URL,
        {
            "choice": "lang-son",
            "step": "cast",
            "delegate": "sonla.daibieu",
            "user": "sonla.daibieu",
        },
    )
    voters = list(
        RollEntry.objects.filter(poll=gov_poll).values_list("delegate__user__username", flat=True)
    )
    assert voters == ["hagiang.daibieu2"]


def test_too_many_choices_is_explained(client_for, gov_poll):
    response = client_for("hagiang.daibieu2").post(
        URL, {"choice": ["lang-son", "son-la"], "step": "cast"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "quá số được chọn" in page
    # the ticks stay, so the delegate only untick one
    assert 'name="choice" value="lang-son" checked' in page
    assert 'name="choice" value="son-la" checked' in page
    assert 'name="choice" value="cao-bang" checked' not in page
    assert not RollEntry.objects.filter(poll=gov_poll).exists()


def test_choosing_again_from_the_confirmation_keeps_the_choice(client_for, gov_poll):
    phone = client_for("hagiang.daibieu2")
    confirm = phone.post(URL, {"choice": "lang-son"}).content.decode()
    assert 'name="step" value="change"' in confirm
    back = phone.post(URL, {"choice": "lang-son", "step": "change"})
    assert back.status_code == 200
    page = back.content.decode()
    assert 'name="choice" value="lang-son" checked' in page
    assert 'name="choice" value="son-la" checked' not in page
    assert "Xác nhận phiếu" not in page
    assert not RollEntry.objects.filter(poll=gov_poll).exists()


def test_non_delegates_and_closed_polls(client_for, gov_poll):
    assert (
        client_for("hagiang.canbo").post(URL, {"choice": "lang-son", "step": "cast"}).status_code
        == 403
    )
    assert (
        client_for("hanoi.daibieu").post(URL, {"choice": "lang-son", "step": "cast"}).status_code
        == 403
    )
    closed = "/clusters/cum-2/2020/conference/polls/co-bo-cong-an/"
    response = client_for("hagiang.daibieu3").post(closed, {"choice": "lang-son", "step": "cast"})
    assert response.status_code == 409
    assert not RollEntry.objects.filter(poll=gov_poll).exists()


def test_only_the_board_closes(client_for, gov_poll):
    confirmed = {"confirm": "1"}
    assert client_for("hagiang.thuky").post(URL + "close/", confirmed).status_code == 403
    assert client_for("hagiang.daibieu").post(URL + "close/", confirmed).status_code == 403
    assert client_for("hagiang.daibieu").get(URL + "close/").status_code == 403
    assert client_for("caobang.daibieu").post(URL + "close/", confirmed).status_code == 302
    gov_poll.refresh_from_db()
    assert gov_poll.status == "closed"


def test_closing_asks_for_confirmation_with_the_turnout(client_for, gov_poll, get_user):
    for username in ("hagiang.daibieu2", "sonla.daibieu2", "dienbien.daibieu"):
        client_for(username).post(URL, {"choice": "lang-son", "step": "cast"})
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
    gov_poll.refresh_from_db()
    assert gov_poll.status == "open"
    done = board.post(URL + "close/", {"confirm": "1"})
    assert (done.status_code, done["Location"]) == (302, URL)
    gov_poll.refresh_from_db()
    assert gov_poll.status == "closed"
    after = board.get(URL + "close/", follow=True)
    assert "Cuộc bỏ phiếu không đang mở." in after.content.decode()


def test_closing_below_the_quorum_is_warned(client_for, gov_poll):
    gov_poll.rules = {**gov_poll.rules, "quorum": "2/3"}
    gov_poll.save(update_fields=["rules"])
    client_for("hagiang.daibieu2").post(URL, {"choice": "lang-son", "step": "cast"})
    text = client_for("laocai.daibieu").get(URL + "close/").content.decode()
    assert (
        "Chưa đủ số đại biểu theo quy định: cần ít nhất 14 phiếu, mới có 1. Đóng bây giờ thì "
        "không có ai trúng cử." in text
    )


def test_no_partial_results_while_open(client_for, gov_poll, get_user):
    client_for("hagiang.daibieu2").post(URL, {"choice": "lang-son", "step": "cast"})
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


def test_candidates_show_rank_and_history(client_for, gov_poll):
    page = client_for("hagiang.daibieu2").get(URL).content.decode()
    lang_son = page.split('value="lang-son"')[1].split("</label>")[0]
    assert "Cờ thi đua của Chính phủ 2017" in lang_son
    assert "Cờ thi đua của Bộ Công an 2018" in lang_son
    assert "xếp thứ" in lang_son
    assert "chưa dẫn đầu cụm" in lang_son  # Hà Giang leads the 2020 scoring
    ha_giang = page.split('value="ha-giang"')[1].split("</label>")[0]
    assert "xếp thứ 1 khi chấm điểm" in ha_giang
    assert "chưa dẫn đầu cụm" not in ha_giang


def test_delegates_and_board_are_managed_by_the_leader_secretary(client_for, conference, get_user):
    from thidua.voting.models import Delegate

    user = get_user("hagiang.thuky")
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


def test_the_ballot_says_who_was_not_nominated_for_the_required_title(client_for, gov_poll):
    """The Government flag needs a Ministry-flag nomination: the ballot says so beside the
    units the counted Ministry vote did not nominate (Lào Cai, Sơn La, Lạng Sơn were)."""
    page = client_for("hagiang.daibieu2").get(URL).content.decode()
    note = "không được đề nghị “Cờ thi đua của Bộ Công an” (điều kiện bắt buộc)"
    labels = {
        code: page.split(f'value="{code}"')[1].split("</label>")[0]
        for code in ("ha-giang", "lao-cai", "son-la", "lang-son", "cao-bang")
    }
    assert note in labels["ha-giang"]
    assert note in labels["cao-bang"]
    for nominated in ("lao-cai", "son-la", "lang-son"):
        assert note not in labels[nominated]
