"""A score poll of Cụm II's 2020 conference on phones (issue 21): the secretary creates it
from the conference page, the chair opens it, delegates of three units score the others on
their phones (their own unit greyed), each ballot signed by the phone's device key in the
browser; the chair closes the box and the ranking is shown, ties marked."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import PHONE
from tests.e2e.journey import CYCLE, click, flash, follow

pytestmark = pytest.mark.e2e

POLL = "cham-diem"
POLL_PAGE = f"{CYCLE}/conference/polls/{POLL}/"
SCORES = {"ha-giang": 90, "lao-cai": 90, "cao-bang": 80, "lai-chau": 70, "lang-son": 60}
SCORES |= {"son-la": 50, "dien-bien": 40}
VOTERS = {
    "sonla.daibieu2": "son-la",
    "caobang.daibieu2": "cao-bang",
    "dienbien.daibieu2": "dien-bien",
}


def test_a_score_poll_on_phones(visit_own_demo):
    secretary = visit_own_demo("hagiang.thuky")
    secretary.go(f"{CYCLE}/conference/")
    form = secretary.page.locator("form[action$='/conference/polls/new/']")
    form.get_by_label("Mã (không dấu, không khoảng trắng)").fill(POLL)
    form.get_by_label("Nội dung").fill("Chấm điểm thi đua các đơn vị")
    form.get_by_label("Cách bỏ phiếu").select_option("score")
    click(secretary.page, "Tạo")
    assert "Đã tạo cuộc bỏ phiếu." in flash(secretary.page)
    chair = visit_own_demo("laocai.daibieu", PHONE)
    chair.go(POLL_PAGE)
    click(chair.page, "Mở bỏ phiếu")

    for username, own in VOTERS.items():
        phone = visit_own_demo(username, PHONE)
        phone.go(POLL_PAGE)
        page = phone.page
        assert page.locator(f"input[name=s_{own}_0]").count() == 0
        assert "đơn vị mình – không chấm" in page.inner_text("main")
        for unit, score in SCORES.items():
            if unit != own:
                page.locator(f"input[name=s_{unit}_0]").fill(str(score))
        click(page, "Tiếp tục")
        assert "Xác nhận phiếu chấm điểm" in page.inner_text("main")
        follow(page.get_by_role("button", name="Bỏ phiếu", exact=True))
        assert "Đã bỏ phiếu" in page.inner_text("main"), page.inner_text("main")
        phone.close()

    chair.go(POLL_PAGE)
    chair.page.get_by_role("link", name="Đóng và kiểm phiếu…").click()
    click(chair.page, "Đóng và kiểm phiếu")
    text = chair.page.inner_text("main")
    assert "Kết quả chấm điểm" in text
    rows = chair.page.locator("table.score-result tbody tr").all_inner_texts()
    assert "(đồng hạng)" in rows[0]
    assert "(đồng hạng)" in rows[1]
    assert "90,00" in rows[0]
