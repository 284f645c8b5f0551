"""A check-in key given again is its own recorded act, and ends the delegate's old sessions."""

import re

import pytest
from django.test import Client

from tests.documents.conftest import all_text, read_docx
from tests.voting import phones
from thidua.audit.models import AuditEntry
from thidua.core.ballots import Ballot
from thidua.errors import DomainError, StateConflict
from thidua.voting import services
from thidua.voting.models import Delegate, Reissue

pytestmark = pytest.mark.django_db

CONFERENCE = "/clusters/cum-2/2020/conference/"


def _joined(key: str) -> Client:
    phone = Client()
    phone.get(f"/conference/join/{key}/")
    assert phone.post(f"/conference/join/{key}/").status_code == 302
    return phone


def test_a_new_key_is_a_recorded_act_that_ends_the_old_session(conference, get_user, client_for):
    delegate = Delegate.objects.get(conference=conference, user__username="laichau.daibieu2")
    secretary = get_user("hagiang.thuky")
    first = services.reissue_key(actor=secretary, delegate=delegate, reason="vào hội nghị")
    old_phone = _joined(first)
    assert old_phone.get(CONFERENCE).status_code == 200
    # the secretary must say why; a re-check-in without a reason changes nothing
    refused = client_for("hagiang.thuky").post(
        f"{CONFERENCE}delegates/{delegate.pk}/check-in/", follow=True
    )
    assert "Ghi lý do cấp lại mã" in refused.content.decode()
    with pytest.raises(StateConflict):
        services.check_in(actor=secretary, delegate=delegate)
    page = client_for("hagiang.thuky").post(
        f"{CONFERENCE}delegates/{delegate.pk}/check-in/", {"reason": "Đại biểu mất điện thoại"}
    )
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    short = re.search(r'<code class="secret">([A-Z0-9]{5})-([A-Z0-9]{5})</code>', page.text)
    assert short, "the short code is shown next to the QR code"
    made = Reissue.objects.filter(delegate=delegate).latest("issued_at")
    assert (made.issued_by, made.reason) == (secretary, "Đại biểu mất điện thoại")
    logged = AuditEntry.objects.filter(action="voting.delegate.reissue").latest("id")
    assert logged.after["reason"] == "Đại biểu mất điện thoại"
    # the old phone (or a copy of its cookie) is refused on its very next request
    after = old_phone.post(
        f"{CONFERENCE}polls/co-bo-cong-an/", {"choice": "lao-cai", "step": "cast"}
    )
    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/")
    # the short code, typed in any case with its dash, signs the new phone in
    typed = Client().post("/conference/join/", {"code": f"{short[1].lower()}-{short[2]}"})
    new_phone = _joined(typed["Location"].split("/")[-2])
    assert new_phone.get(CONFERENCE).status_code == 200


def test_keys_carry_fifty_bits_and_guessing_is_throttled(conference, get_user):
    delegate = Delegate.objects.get(conference=conference, user__username="laichau.daibieu2")
    key = services.reissue_key(actor=get_user("hagiang.thuky"), delegate=delegate, reason="thử")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", key)  # 32 letters, 10 of them: 50 bits
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(10):
        assert guesser.get("/conference/join/AAAAAAAAAA/").status_code == 403
    assert guesser.get(f"/conference/join/{key}/").status_code == 429  # even the right key
    assert "quá nhiều lần" in guesser.post(f"/conference/join/{key}/").content.decode()
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert other.get(f"/conference/join/{key}/").status_code == 200


def test_reissue_needs_a_reason_and_the_minutes_list_it(conference, get_user, open_poll):
    from thidua.documents import builders

    delegate = Delegate.objects.get(conference=conference, user__username="sonla.daibieu3")
    with pytest.raises(DomainError):
        services.reissue_key(actor=get_user("hagiang.thuky"), delegate=delegate, reason=" ")
    services.reissue_key(
        actor=get_user("hagiang.thuky"), delegate=delegate, reason="Đổi sang máy tính bảng"
    )
    services.close_poll(actor=get_user("laocai.daibieu"), poll=open_poll)
    plans = {plan.key: plan for plan in builders.plans(conference.cycle)}
    text = all_text(read_docx(plans["vote-count-co-bo-cong-an"].build().content))
    name = delegate.user.display_name
    assert re.search(
        rf"Cấp lại mã điểm danh trước khi kiểm phiếu: \d\d:\d\d ngày \d\d/\d\d/\d{{4}}, đại "
        rf"biểu {name} \(Sơn La\), do .+ cấp lại, lý do: Đổi sang máy tính bảng\.",
        text,
    )
    earlier = all_text(read_docx(plans["vote-count-co-chinh-phu"].build().content))
    assert "Cấp lại mã điểm danh" not in earlier  # none: nothing to record


def _open_poll_item(page: str) -> str:
    return page.split('href="/clusters/cum-2/2020/conference/polls/co-bo-cong-an/"')[1].split(
        "</li>"
    )[0]


def test_the_delegates_screen_says_when_they_voted(client_for, get_user, open_poll):
    phone = client_for("hagiang.daibieu2")
    assert "Bạn đã bỏ phiếu lúc" not in _open_poll_item(phone.get(CONFERENCE).content.decode())
    phones.cast(actor=get_user("hagiang.daibieu2"), poll=open_poll, ballot=Ballot())
    item = _open_poll_item(phone.get(CONFERENCE).content.decode())
    assert re.search(r"Bạn đã bỏ phiếu lúc \d\d:\d\d", item)
    others = client_for("hagiang.daibieu3").get(CONFERENCE).content.decode()
    assert "Bạn đã bỏ phiếu lúc" not in _open_poll_item(others)  # each sees their own only
    poll_page = phone.get("/clusters/cum-2/2020/conference/polls/co-bo-cong-an/").content.decode()
    assert "Nếu không phải bạn, hãy báo ngay ban kiểm phiếu." in poll_page
