"""The encrypted polls' pages over HTTP: the board's key page for each role, the phone's
confirmation and cast of an encrypted ballot, and the counting page of a closed encrypted
poll (docs/ballot-crypto.md; the browser's part is tests/e2e/test_sealed_conference.py)."""

import json
import logging

import pytest

from tests.voting import sealed
from thidua.core import ballot_crypto as crypto
from thidua.voting import selectors, services
from thidua.voting.models import KeyCeremony

pytestmark = pytest.mark.django_db

PAGES = "/clusters/cum-2/2020/conference"
BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")


@pytest.fixture
def key(conference, get_user):
    return sealed.run_ceremony(get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD])


@pytest.fixture
def poll(key, conference, get_user):
    made = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="ma-hoa",
        title="Thử bỏ phiếu mã hóa",
        purpose="other",
        seats=3,
    )
    assert made.ceremony_id is not None  # sealed automatically: the board's key is ready
    opened = services.open_poll(actor=get_user("laocai.daibieu"), poll=made)
    assert opened.sealed
    return opened


def test_the_secretary_starts_the_ceremony_with_the_board(client_for, conference):
    secretary = client_for("hagiang.thuky")
    page = secretary.get(f"{PAGES}/board-key/")
    assert page.status_code == 200
    assert "Bắt đầu lễ tạo khóa" in page.content.decode()
    started = secretary.post(f"{PAGES}/board-key/", {"threshold": "2"})
    assert started.status_code == 302
    ceremony = selectors.live_ceremony(conference)
    assert (ceremony.members, ceremony.threshold) == (3, 2)
    assert [t.delegate for t in selectors.trustees_of(ceremony)] == selectors.board_of(conference)
    # a board member cannot start one; a delegate sees no start button
    assert (
        client_for("laocai.daibieu").post(f"{PAGES}/board-key/", {"threshold": "2"}).status_code
        == 403
    )
    assert (
        "Bắt đầu lễ tạo khóa"
        not in client_for("sonla.daibieu2").get(f"{PAGES}/board-key/").content.decode()
    )


def test_the_key_page_for_each_role(client_for, conference, get_user):
    secretary = get_user("hagiang.thuky")
    from thidua.voting import ceremony as board

    board.start_ceremony(
        actor=secretary,
        conference=conference,
        trustees=selectors.board_of(conference),
        threshold=2,
    )
    member = client_for("sonla.daibieu").get(f"{PAGES}/board-key/").content.decode()
    assert 'id="board-device"' in member
    assert 'id="announce"' in member
    assert "đọc to dấu vân tay" in member
    for reader in ("hagiang.thuky", "sonla.daibieu2", "quansat"):
        page = client_for(reader).get(f"{PAGES}/board-key/")
        assert page.status_code == 200, reader
        assert 'id="board-device"' not in page.content.decode()
    assert client_for("hanoi.canbo").get(f"{PAGES}/board-key/").status_code == 403


def test_the_key_page_once_ready_shows_every_fingerprint(client_for, key):
    ceremony, _members = key
    page = client_for("sonla.daibieu2").get(f"{PAGES}/board-key/").content.decode()
    assert ceremony.key_fingerprint in page
    for trustee in ceremony.trustees.all():
        assert trustee.fingerprint in page
    assert (
        "Khóa của ban kiểm phiếu" in client_for("sonla.daibieu2").get(f"{PAGES}/").content.decode()
    )


def test_the_phone_chooses_and_encrypts_on_the_poll_page(client_for, poll):
    """The ballot page holds the encryption: the delegate confirms on the phone, so no plain
    choice need ever be sent (docs/ballot-crypto.md §4)."""
    text = client_for("sonla.daibieu2").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    assert 'id="sealed-choose"' in text
    assert 'id="sealed-ballot"' in text
    assert "Kiểm tra phiếu (hủy phiếu này)" in text
    assert "phải bật JavaScript" in text  # the <noscript> notice: no cast without it
    assert "sealed-bits" not in text  # the page is the same whatever is chosen
    choose = text.split('id="sealed-choose"')[1].split("</form>")[0]
    assert '<button type="submit" class="primary big" disabled>' in choose  # enabled by JS
    names = json.loads(text.split('id="sealed-names" type="application/json">')[1].split("<")[0])
    assert len(names) == len(poll.form["selections"])
    messages = json.loads(
        text.split('id="sealed-messages" type="application/json">')[1].split("<")[0]
    )
    assert messages["too_many_choices"] == "Phiếu chọn %(count)s, quá số được chọn (%(allowed)s)."
    # a delegate who already voted, an observer: no ballot to encrypt
    assert (
        'id="sealed-ballot"'
        not in client_for("quansat").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    )


def test_a_plain_choice_posted_to_an_encrypted_poll_is_refused_and_not_shown_back(client_for, poll):
    """A tampered page (or one without JavaScript) that posts the choice in the clear: refused,
    nothing stored, the choice not echoed in the answer."""
    for step in ({}, {"step": "change"}, {"step": "cast"}):
        page = client_for("sonla.daibieu2").post(
            f"{PAGES}/polls/{poll.code}/", {"choice": ["lao-cai"], **step}
        )
        text = page.content.decode()
        assert page.status_code == 400
        assert "không gửi lên máy chủ" in text
        assert 'value="lao-cai" checked' not in text
        assert "Xác nhận phiếu</h1>" not in text
    assert selectors.sealed_ballots(poll) == []


def test_the_cast_view_takes_an_encrypted_ballot_and_shows_its_tracker(
    client_for, get_user, poll, caplog
):
    caplog.set_level(logging.DEBUG)
    user = get_user("sonla.daibieu2")
    bits = [int(label == "choice:lao-cai") for label in poll.form["selections"]]
    data, signature = sealed.sealed_for(user, poll, bits)
    client = client_for("sonla.daibieu2")
    cast = client.post(
        f"{PAGES}/polls/{poll.code}/cast/", {"sealed": json.dumps(data), "signature": signature}
    )
    assert cast.status_code == 200, cast.content.decode()
    tracker = crypto.tracker(selectors.poll_context(poll), crypto.Ballot.from_json(data))
    text = cast.content.decode()
    assert tracker in text
    assert " ".join(tracker[i : i + 4] for i in range(0, 16, 4)) in text
    assert selectors.sealed_ballots(poll)[0]["tracker"] == tracker
    # what the server logged while taking it (and refusing a plain ballot) names no candidate
    client.post(f"{PAGES}/polls/{poll.code}/", {"choice": ["lao-cai"]})
    assert caplog.records  # the refusal at least was logged
    assert not any(c.unit.code in caplog.text for c in poll.candidates.select_related("unit"))


def test_a_plain_ballot_or_a_broken_one_is_refused_in_an_encrypted_poll(client_for, get_user, poll):
    user = get_user("sonla.daibieu2")
    from tests.voting import phones
    from thidua.core.ballots import Ballot

    plain = Ballot(choices=("lao-cai",))
    signature = phones.signature(user, poll, plain)
    client = client_for("sonla.daibieu2")
    refused = client.post(
        f"{PAGES}/polls/{poll.code}/cast/", {"choice": "lao-cai", "signature": signature}
    )
    assert refused.status_code == 400
    broken = client.post(
        f"{PAGES}/polls/{poll.code}/cast/", {"sealed": "{not json", "signature": ""}
    )
    assert broken.status_code == 400
    assert selectors.sealed_ballots(poll) == []


def test_a_closed_encrypted_poll_asks_its_trustees_to_decrypt(client_for, get_user, key, poll):
    _ceremony, members = key
    trackers = [
        sealed.cast(
            get_user(u), poll, [int(label == "choice:son-la") for label in poll.form["selections"]]
        )
        for u in ("sonla.daibieu2", "laichau.daibieu")
    ]
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    member = client_for("laocai.daibieu").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    assert 'id="decrypt-button"' in member
    assert 'id="turnout"' in member
    for tracker in trackers:
        assert tracker in member
    delegate = client_for("sonla.daibieu2").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    assert 'id="decrypt-button"' not in delegate
    assert trackers[0] in delegate
    assert "0/2" in delegate
    # what happens when members lose their keys is said before it happens
    assert "Cần 2 trong 3 thành viên giữ khóa" in delegate
    assert "khôi phục từ bản sao lưu" in delegate
    assert 'id="restore-file"' in member  # a member's page offers the restore
    sealed.decrypt(members[0], poll)
    done = client_for("laocai.daibieu").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    assert 'id="decrypt-button"' not in done
    assert "đã gửi phần giải mã" in done
    sealed.decrypt(members[2], poll)
    counted = client_for("sonla.daibieu2").get(f"{PAGES}/polls/{poll.code}/").content.decode()
    assert "Kết quả kiểm phiếu" in counted


def test_no_ceremony_page_without_a_conference(client_for):
    assert client_for("hagiang.thuky").get(
        "/clusters/cum-2/2019/conference/board-key/"
    ).status_code in (403, 404)
    assert KeyCeremony.objects.count() == 0
