"""An encrypted poll of Cụm II's 2020 conference in the browser (docs/ballot-crypto.md): the
counting board makes its key on the board's key page, each member's browser running its own
steps (a first attempt fails on a wrong share, which the recipient's device complains about
by itself, and is run again); the secretary creates a poll, sealed by itself, that the chair
opens; the 21 delegates vote on their phones, one of them challenging a ballot first; the
chair closes the box and two of the three members decrypt on the poll page, one of them from
the backup after their browser lost the key. The result shown is a plaintext recount of what
the delegates chose. Then an encrypted score poll (docs/score-ballot-crypto.md): the three
members score on their phones (one challenges its ballot first, shown back as scores), two
decrypt the outputs, and the ranking is the plaintext recount."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from tests.e2e.conftest import PHONE
from tests.e2e.journey import CYCLE, click, delegates, flash, follow

pytestmark = pytest.mark.e2e

BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
POLL = "ma-hoa"
PASSPHRASE = "mat khau sao luu 2020"
KEY_PAGE = f"{CYCLE}/conference/board-key/"
POLL_PAGE = f"{CYCLE}/conference/polls/{POLL}/"
SCORE_PAGE = f"{CYCLE}/conference/polls/cham-ma-hoa/"


def _step(member, button: str) -> None:
    """One ceremony step on the member's device: the page reloads once the API took it. The
    button is waited for first; a step that does not reload the page fails saying what the
    device showed (`#board-status`) and any script error, not with a bare timeout (CI once
    timed out on Sơn La's announcement in the second ceremony, the server having received
    nothing)."""
    page = member.page
    member.go(KEY_PAGE)
    target = page.get_by_role("button", name=button)
    expect(target).to_be_enabled(timeout=20000)
    errors: list[str] = []

    def record(error) -> None:
        errors.append(str(error))

    page.on("pageerror", record)
    try:
        follow(target, timeout=60000)
    except PlaywrightTimeout:
        said = page.locator("#board-status").inner_text()
        raise AssertionError(
            f"{member.username}: «{button}» did not reload the page within 60 s; the device "
            f"says {said!r}; script errors: {errors!r}"
        ) from None
    finally:
        page.remove_listener("pageerror", record)
    expect(page.locator("#board-status")).to_have_text("")


def _seal(page) -> None:
    """ "Tiếp tục" on an encrypted poll: the phone encrypts the ballot itself (no page loads)."""
    page.get_by_role("button", name="Tiếp tục", exact=True).click()


def _start(secretary) -> None:
    secretary.go(f"{CYCLE}/conference/")
    secretary.page.get_by_role("link", name="Khóa của ban kiểm phiếu").click()
    expect(secretary.page.locator("main")).to_contain_text("Chưa có lễ tạo khóa.")
    secretary.page.get_by_label("Số thành viên cần có mặt để giải mã").select_option("2")
    click(secretary.page, "Bắt đầu lễ tạo khóa")
    assert "Đã bắt đầu lễ tạo khóa của ban kiểm phiếu." in flash(secretary.page)


def _a_wrong_share_fails_the_first_attempt(secretary, members) -> None:
    """Sơn La's device sends shares from another polynomial than the one it committed to:
    the first member to check them files the complaint by itself, which is upheld, and the
    ceremony is run again."""
    _start(secretary)
    for member in members.values():
        _step(member, "Công bố khóa của tôi")
    members["sonla.daibieu"].page.evaluate(
        "() => { const slot = Object.keys(localStorage).find(k => k.startsWith('thidua.board.'));"
        " const secret = JSON.parse(localStorage.getItem(slot));"
        " secret.coefficients[0] = '01' + '00'.repeat(31);"
        " localStorage.setItem(slot, JSON.stringify(secret)); }"
    )
    for member in members.values():
        _step(member, "Gửi phần khóa cho các thành viên")
    checker = members["laocai.daibieu"]
    checker.go(KEY_PAGE)
    checker.page.get_by_label("Tôi đã đối chiếu dấu vân tay", exact=False).check()
    checker.page.get_by_role("button", name="Kiểm tra phần khóa nhận được và xác nhận").click()
    expect(checker.page.locator("#complaint-upheld")).to_be_visible()
    assert '"against"' in checker.page.locator("#complaint-json").inner_text()
    checker.shot("sealed-complaint")


def _the_board_makes_its_key(visit, tmp_path) -> dict:
    secretary = visit("hagiang.thuky")
    members = {username: visit(username, PHONE) for username in BOARD}
    _a_wrong_share_fails_the_first_attempt(secretary, members)
    _start(secretary)
    for member in members.values():
        _step(member, "Công bố khóa của tôi")
    for member in members.values():
        _step(member, "Gửi phần khóa cho các thành viên")
    for member in members.values():
        member.go(KEY_PAGE)
        page = member.page
        assert "đọc to dấu vân tay của mình tại hội trường" in page.inner_text("main")
        # every fingerprint this device computed is the one the server shows (read aloud)
        rows = page.locator("table.fingerprints tbody tr")
        expect(rows).to_have_count(3)
        for row in rows.all():
            cells = row.locator("code.fingerprint")
            expect(cells.nth(1)).to_have_text(cells.nth(0).inner_text())
        page.get_by_label("Tôi đã đối chiếu dấu vân tay", exact=False).check()
        follow(
            page.get_by_role("button", name="Kiểm tra phần khóa nhận được và xác nhận"),
            timeout=20000,
        )
    index = {}
    for username, member in members.items():
        member.go(KEY_PAGE)
        page = member.page
        assert "Khóa sẵn sàng" in page.inner_text("main")
        expect(page.locator("#key-fingerprint-here")).to_have_text(
            page.locator("#key-fingerprint").inner_text()
        )
        index[username] = int(page.locator("#board-device").get_attribute("data-index"))
    # the chair keeps a backup of their key share
    chair = members["laocai.daibieu"].page
    chair.get_by_label("Mật khẩu cho bản sao lưu", exact=False).fill(PASSPHRASE)
    with chair.expect_download() as download:
        chair.get_by_role("button", name="Lưu bản sao lưu").click()
    backup = tmp_path / "backup.json"
    download.value.save_as(backup)
    return {"members": members, "index": index, "backup": backup, "secretary": secretary}


def _vote(phone, choices: list[str], challenge: bool = False) -> str:
    """The delegate ticks, confirms, (challenges,) casts: the tracker of the cast ballot."""
    page = phone.page
    phone.go(POLL_PAGE)
    sent: list[str] = []  # every body the phone posts from here on
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    if challenge:  # one tick too many: refused on the phone, with the server's words
        boxes = page.locator("input[name=choice]")
        for i in range(4):
            boxes.nth(i).check()
        _seal(page)
        expect(page.locator("#sealed-problem")).to_have_text("Phiếu chọn 4, quá số được chọn (3).")
        for i in range(4):
            boxes.nth(i).uncheck()
    for code in choices:
        page.locator(f"input[name=choice][value={code}]").check()
    _seal(page)
    tracker = page.locator("#tracker")
    expect(tracker).to_have_text(re.compile(r"^[0-9a-f]{4}( [0-9a-f]{4}){3}$"))
    if challenge:  # choosing again goes back to the ticks, still on the phone
        page.get_by_role("button", name="Chọn lại", exact=True).click()
        expect(page.locator("#sealed-choose")).to_be_visible()
        _seal(page)
        expect(tracker).to_have_text(re.compile(r"^[0-9a-f]{4}( [0-9a-f]{4}){3}$"))
    if challenge:
        first = tracker.inner_text()
        chosen = page.locator(".big-list li").all_inner_texts()
        page.get_by_role("button", name="Kiểm tra phiếu (hủy phiếu này)").click()
        expect(page.locator("#challenged")).to_be_visible()
        assert page.locator("#opened li").all_inner_texts() == chosen
        assert page.locator("#chosen li").all_inner_texts() == chosen
        expect(page.locator("#challenge-same")).to_be_visible()
        expect(tracker).not_to_have_text(first)
        phone.shot("sealed-challenge-phone")
    shown = tracker.inner_text()
    follow(page.get_by_role("button", name="Bỏ phiếu", exact=True))
    assert "Đã bỏ phiếu" in page.inner_text("main")
    assert page.locator("#tracker").inner_text() == shown
    # the choices never left the phone in the clear: only the encrypted cast (and a
    # challenged ballot's randomness) was posted
    assert sent
    assert not any(code in body for body in sent for code in choices)
    assert not any("choice=" in body for body in sent)
    return page.locator(".receipt-code + p code").inner_text()


def _decrypt(member, turnout: int) -> None:
    page = member.page
    page.get_by_label("Số đại biểu đã bỏ phiếu bằng điện thoại", exact=False).fill(str(turnout))
    follow(page.get_by_role("button", name="Giải mã phần của tôi"), timeout=20000)


def test_an_encrypted_poll_in_the_browser(visit_own_demo, tmp_path):
    """On a demo of its own: the chair's phone is new here, and a phone key registered for
    the chair by another test's browser would rightly refuse its ballot."""
    board = _the_board_makes_its_key(visit_own_demo, tmp_path)
    members, index = board["members"], board["index"]
    secretary = board["secretary"]
    secretary.go(f"{CYCLE}/conference/")
    form = secretary.page.locator("form[action$='/conference/polls/new/']")
    form.get_by_label("Mã (không dấu, không khoảng trắng)").fill(POLL)
    form.get_by_label("Nội dung").fill("Biểu quyết thử bằng phiếu mã hóa")
    form.get_by_label("Mục đích").select_option(label="Biểu quyết khác")
    form.get_by_label("Số suất", exact=False).fill("3")
    click(secretary.page, "Tạo")
    assert "Đã tạo cuộc bỏ phiếu." in flash(secretary.page)
    chair = members["laocai.daibieu"]
    chair.go(POLL_PAGE)
    click(chair.page, "Mở bỏ phiếu")
    assert "Phiếu mã hóa trên điện thoại" in chair.page.inner_text("main")
    names = dict(
        chair.page.locator("label.choice").evaluate_all(
            "(all) => all.map(l => [l.querySelector('input').value,"
            " l.querySelector('span').firstChild.textContent.trim()])"
        )
    )
    codes = list(names)
    assert len(codes) == 7

    rng = random.Random(2020)
    chosen, trackers = {}, {}
    for position, username in enumerate(delegates()):
        chosen[username] = rng.sample(codes, rng.randint(1, 3))
        phone = members.get(username) or visit_own_demo(username, PHONE)
        trackers[username] = _vote(phone, chosen[username], challenge=position == 0)
        if username not in members:
            phone.close()

    chair.go(POLL_PAGE)
    chair.page.get_by_role("link", name="Đóng và kiểm phiếu…").click()
    click(chair.page, "Đóng và kiểm phiếu")
    text = chair.page.inner_text("main")
    assert "Chờ ban kiểm phiếu giải mã tổng số phiếu: 0/2" in text
    chair.page.get_by_text("Danh sách mã phiếu", exact=False).click()
    listed = chair.page.locator("ul.trackers li span").all_inner_texts()
    assert sorted(listed) == sorted(trackers.values())  # every delegate finds theirs

    # member 2 is absent; the other two decrypt, the chair after losing the key share
    present = [u for u in BOARD if index[u] != 2]
    first = members[present[1]]
    first.go(POLL_PAGE)
    # a turnout other than the hall's count: the device stops before computing anything
    first.page.get_by_label("Số đại biểu", exact=False).fill("20")
    first.page.get_by_role("button", name="Giải mã phần của tôi").click()
    expect(first.page.locator("#board-status")).to_contain_text("khác số đại biểu bạn nhập (20)")
    _decrypt(first, 21)
    assert "Bạn đã gửi phần giải mã của mình" in first.page.inner_text("main")

    chair.page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('thidua.board.'))"
        ".forEach(k => localStorage.removeItem(k))"
    )
    chair.go(POLL_PAGE)
    lost = chair.page.locator("#key-lost")
    expect(lost).to_be_visible()
    assert "không còn giữ phần khóa của bạn" in lost.inner_text()
    chair.shot("sealed-key-lost")
    chair.page.get_by_label("Tệp sao lưu").set_input_files(board["backup"])
    chair.page.get_by_label("Mật khẩu của bản sao lưu").fill(PASSPHRASE)
    follow(chair.page.get_by_role("button", name="Khôi phục từ bản sao lưu"), timeout=30000)
    expect(chair.page.locator("#key-lost")).to_be_hidden()
    _decrypt(chair, 21)

    text = chair.page.inner_text("main")
    assert "Kết quả kiểm phiếu" in text
    recount = Counter(code for picks in chosen.values() for code in picks)
    shown = {}
    for row in chair.page.locator("section.card table tbody tr").all():
        cells = row.locator("td")
        shown[cells.nth(0).inner_text().split("\n")[0].strip()] = int(cells.nth(1).inner_text())
    assert shown == {names[code]: recount[code] for code in codes}
    chair.shot("sealed-result")

    _an_encrypted_score_poll(secretary, members, present, chair)


def _score(phone, scores: dict[str, int], challenge: bool = False) -> str:
    """The member types a score per unit (their own has no field), confirms, (challenges,)
    casts: the tracker shown."""
    page = phone.page
    phone.go(SCORE_PAGE)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.method == "POST" else None)
    for code, value in scores.items():
        field = page.locator(f"input[name=s_{code}_0]")
        if field.count():
            field.fill(str(value))
    _seal(page)
    tracker = page.locator("#tracker")
    expect(tracker).to_have_text(re.compile(r"^[0-9a-f]{4}( [0-9a-f]{4}){3}$"), timeout=30000)
    if challenge:
        first = tracker.inner_text()
        page.get_by_role("button", name="Kiểm tra phiếu (hủy phiếu này)").click()
        expect(page.locator("#challenged")).to_be_visible(timeout=30000)
        assert (
            page.locator("#opened li").all_inner_texts()
            == page.locator("#chosen li").all_inner_texts()
        )
        assert len(page.locator("#opened li").all_inner_texts()) == 7  # 6 scores, own skipped
        expect(page.locator("#challenge-same")).to_be_visible()
        expect(tracker).not_to_have_text(first, timeout=30000)
    shown = tracker.inner_text()
    follow(page.get_by_role("button", name="Bỏ phiếu", exact=True))
    assert "Đã bỏ phiếu" in page.inner_text("main")
    assert sent  # the scores stayed on the phone: no box's name in anything it posted
    assert not any(f"s_{code}_0=" in body for body in sent for code in scores)
    return shown


def _an_encrypted_score_poll(secretary, members, present, chair) -> None:
    secretary.go(f"{CYCLE}/conference/")
    form = secretary.page.locator("form[action$='/conference/polls/new/']")
    form.get_by_label("Mã (không dấu, không khoảng trắng)").fill("cham-ma-hoa")
    form.get_by_label("Nội dung").fill("Chấm điểm bằng phiếu mã hóa")
    form.get_by_label("Cách bỏ phiếu").select_option("score")
    click(secretary.page, "Tạo")
    assert "Đã tạo cuộc bỏ phiếu." in flash(secretary.page)
    chair.go(SCORE_PAGE)
    click(chair.page, "Mở bỏ phiếu")
    assert "Phiếu mã hóa trên điện thoại" in chair.page.inner_text("main")
    codes = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]
    rng = random.Random(21)
    given = {}
    for position, username in enumerate(BOARD):
        given[username] = {code: rng.randint(0, 100) for code in codes}
        _score(members[username], given[username], challenge=position == 0)
    chair.go(SCORE_PAGE)
    chair.page.get_by_role("link", name="Đóng và kiểm phiếu…").click()
    click(chair.page, "Đóng và kiểm phiếu")
    assert "0/2" in chair.page.inner_text("main")
    for username in present:
        member = members[username]
        member.go(SCORE_PAGE)
        _decrypt(member, 3)
    text = members[present[-1]].page.inner_text("main")
    assert "Kết quả chấm điểm" in text
    own = {"laocai.daibieu": "lao-cai", "sonla.daibieu": "son-la", "caobang.daibieu": "cao-bang"}
    totals = Counter()
    for username, scores in given.items():
        totals.update({c: v for c, v in scores.items() if c != own[username]})
    page = members[present[-1]].page
    shown = [
        int(row.locator("td").nth(2).inner_text().replace(".", ""))
        for row in page.locator("table.score-result tbody tr").all()
    ]
    assert sorted(shown) == sorted(totals.values())
    members[present[-1]].shot("sealed-score-result")
