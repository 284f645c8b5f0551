"""Device keys: a ballot counts only when the delegate's phone signed it.

The hall's Wi-Fi is plain HTTP: whoever sits on it can copy a delegate's session cookie.
These tests play that attacker with a second client holding the copied cookie.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.voting import phones
from thidua.core.ballots import Ballot
from thidua.voting import devices, services
from thidua.voting import selectors as voting_selectors
from thidua.voting.models import Delegate, Elector, Poll
from thidua.web.demo import load_demo

pytestmark = pytest.mark.django_db

CAST = "/clusters/cum-2/2020/conference/polls/co-bo-cong-an/cast/"
DEVICE_KEY = "/clusters/cum-2/2020/conference/device-key/"


def _copy_of(client: Client) -> Client:
    """Another device holding the same session cookie (sniffed off the hall's network)."""
    thief = Client()
    thief.cookies.update(client.cookies)
    return thief


@pytest.fixture
def forged(devices_report):
    """Post a cast that must be refused (403), counted for docs/reliability.md."""
    devices_report.setdefault("tried", 0)
    devices_report.setdefault("counted", 0)

    def attempt(client: Client, data: dict, poll) -> None:
        before = Elector.objects.voted().filter(poll=poll).count()
        response = client.post(CAST, data)
        devices_report["tried"] += 1
        devices_report["counted"] += Elector.objects.voted().filter(poll=poll).count() - before
        assert response.status_code == 403, data

    return attempt


def _voted(poll) -> list[str]:
    return list(
        Elector.objects.voted().filter(poll=poll).values_list("delegate__user__username", flat=True)
    )


def test_a_copied_cookie_cannot_vote(client_for, open_poll, forged):
    phone = client_for("hagiang.daibieu2")
    phones.phone_of(
        Delegate.objects.get(conference=open_poll.conference, user__username="hagiang.daibieu2")
    )
    thief = _copy_of(phone)
    assert thief.get("/clusters/cum-2/2020/conference/").status_code == 200  # the cookie works
    unsigned = thief.post(CAST, {"choice": "lang-son"})
    forged(thief, {"choice": "lang-son"}, open_poll)
    assert unsigned.status_code == 403
    assert "không mang chữ ký của điện thoại đã đăng ký" in unsigned.content.decode()
    stranger = devices.Phone().sign(
        "cum-2", 2020, "co-bo-cong-an", "hagiang.daibieu2", Ballot(choices=("lang-son",))
    )
    forged(thief, {"choice": "lang-son", "signature": stranger}, open_poll)
    # a signature the thief saw go by is good for that ballot only: not for other choices
    seen = phones.form("hagiang.daibieu2", "co-bo-cong-an", {"choice": "son-la"})["signature"]
    forged(thief, {"choice": "lang-son", "signature": seen}, open_poll)
    assert _voted(open_poll) == []
    mine = phone.post(CAST, phones.form("hagiang.daibieu2", "co-bo-cong-an", {"choice": "son-la"}))
    assert mine.status_code == 200
    assert "Mã biên nhận của bạn" in mine.content.decode()
    assert _voted(open_poll) == ["hagiang.daibieu2"]


def test_a_signature_is_good_for_its_poll_and_delegate_only(client_for, open_poll, forged):
    ballot = Ballot(choices=("lang-son",))
    key = phones.phone_of(
        Delegate.objects.get(conference=open_poll.conference, user__username="sonla.daibieu2")
    )
    other_poll = key.sign("cum-2", 2020, "co-chinh-phu", "sonla.daibieu2", ballot)
    other_person = key.sign("cum-2", 2020, "co-bo-cong-an", "sonla.daibieu", ballot)
    other_year = key.sign("cum-2", 2021, "co-bo-cong-an", "sonla.daibieu2", ballot)
    phone = client_for("sonla.daibieu2")
    for signature in (other_poll, other_person, other_year, "", "zz" * 64, other_poll[:-2]):
        forged(phone, {"choice": "lang-son", "signature": signature}, open_poll)
    assert _voted(open_poll) == []
    right = key.sign("cum-2", 2020, "co-bo-cong-an", "sonla.daibieu2", ballot)
    assert phone.post(CAST, {"choice": "lang-son", "signature": right}).status_code == 200


def test_without_a_registered_key_the_phone_is_told_what_to_do(client_for, open_poll):
    refused = client_for("laichau.daibieu").post(CAST, {"choice": "lang-son"})
    assert refused.status_code == 403
    assert "chưa có khóa ký phiếu" in refused.content.decode()
    assert _voted(open_poll) == []


def test_a_disabled_delegate_is_signed_out_not_counted(client_for, get_user, open_poll):
    phone = client_for("laichau.daibieu2")
    signed = phones.form("laichau.daibieu2", "co-bo-cong-an", {"choice": "lang-son"})
    assert phone.get(CAST).status_code == 405  # signed in: only a POST casts
    user = get_user("laichau.daibieu2")
    user.is_active = False
    user.save(update_fields=["is_active"])
    refused = phone.post(CAST, signed)
    assert (refused.status_code, refused["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert _voted(open_poll) == []


def test_the_first_phone_registers_its_key_another_is_refused(client_for, conference):
    first, second = devices.Phone(), devices.Phone()
    phone = client_for("caobang.daibieu2")
    assert phone.post(DEVICE_KEY, {"public_key": first.public_key}).status_code == 204
    assert phone.post(DEVICE_KEY, {"public_key": first.public_key}).status_code == 204  # again
    thief = _copy_of(phone)
    taken = thief.post(DEVICE_KEY, {"public_key": second.public_key})
    assert taken.status_code == 409
    assert "Một điện thoại khác đã đăng ký bỏ phiếu cho bạn" in taken.content.decode()
    assert phone.post(DEVICE_KEY, {"public_key": "not hex"}).status_code == 400
    delegate = Delegate.objects.get(conference=conference, user__username="caobang.daibieu2")
    assert delegate.device_key == first.public_key
    # not a delegate of this conference: refused
    assert (
        client_for("hagiang.canbo").post(DEVICE_KEY, {"public_key": second.public_key}).status_code
        == 403
    )


def test_the_same_key_sent_twice_at_once_is_taken_both_times(client_for, conference, monkeypatch):
    """The phone's next page registers again when it left the first before the reply: the
    second request read the delegate before the first stored the key, and must not be told
    that another phone registered (the key it sends is the one stored)."""
    from thidua.voting import selectors

    key, other = devices.Phone(), devices.Phone()
    user = client_for("caobang.daibieu2")
    stale = Delegate.objects.get(conference=conference, user__username="caobang.daibieu2")
    assert stale.device_key == ""
    assert user.post(DEVICE_KEY, {"public_key": key.public_key}).status_code == 204
    monkeypatch.setattr(selectors, "delegate_for", lambda *args: stale)  # read before it
    assert stale.device_key == ""
    assert user.post(DEVICE_KEY, {"public_key": key.public_key}).status_code == 204
    assert user.post(DEVICE_KEY, {"public_key": other.public_key}).status_code == 409
    stale.refresh_from_db()
    assert stale.device_key == key.public_key


def test_a_reissue_forgets_the_old_phone(client_for, conference, get_user, open_poll, forged):
    old = devices.Phone()
    old_phone = client_for("dienbien.daibieu2")
    old_phone.post(DEVICE_KEY, {"public_key": old.public_key})
    delegate = Delegate.objects.get(conference=conference, user__username="dienbien.daibieu2")
    key = services.reissue_key(actor=get_user("hagiang.thuky"), delegate=delegate, reason="đổi máy")
    new = devices.Phone()
    joined = Client()
    assert (
        joined.post(f"/conference/join/{key}/", {"device_key": new.public_key}).status_code == 302
    )
    delegate.refresh_from_db()
    assert delegate.device_key == new.public_key  # the QR sign-in registered the new phone
    ballot = Ballot(choices=("lang-son",))
    stale = old.sign("cum-2", 2020, "co-bo-cong-an", "dienbien.daibieu2", ballot)
    forged(joined, {"choice": "lang-son", "signature": stale}, open_poll)
    # the old phone's session ended with the re-issue: even its own signature is not taken
    own = old.sign("cum-2", 2020, "co-bo-cong-an", "dienbien.daibieu2", ballot)
    ended = old_phone.post(CAST, {"choice": "lang-son", "signature": own})
    assert (ended.status_code, ended["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert "_auth_user_id" not in old_phone.session  # Django's own check ended it
    assert _voted(open_poll) == []
    fresh = new.sign("cum-2", 2020, "co-bo-cong-an", "dienbien.daibieu2", ballot)
    assert joined.post(CAST, {"choice": "lang-son", "signature": fresh}).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["choices", "approval"])
def test_a_cast_is_at_most_six_statements(client_for, kind):
    """The whole request as the server runs it, outside any test transaction: the session,
    the user, the elector's read, the two writes, and on SQLite the BEGIN (PostgreSQL starts
    its transaction without a statement) — whatever the number of delegates and candidates."""
    load_demo()  # a transactional test may run after a flush: the demo loads idempotently
    open_poll = Poll.objects.get(conference__cycle__year=2020, code="co-bo-cong-an")
    if kind == "approval":
        open_poll.rules = {**open_poll.rules, "kind": "approval"}
        open_poll.save(update_fields=["rules"])
    codes = list(open_poll.candidates.values_list("unit__code", flat=True))
    data = (
        {f"a_{code}": "yes" if index == 0 else "no" for index, code in enumerate(codes)}
        if kind == "approval"
        else {"choice": "lang-son"}
    )
    phone = client_for("hagiang.daibieu3")
    signed = phones.form("hagiang.daibieu3", "co-bo-cong-an", data)
    with CaptureQueriesContext(connection) as queries:
        response = phone.post(CAST, signed)
    assert response.status_code == 200, response.content.decode()
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) <= 6, "\n".join(statements)
    # as measured: the elector's read with the user's row, then the write (one statement on
    # PostgreSQL; BEGIN, two UPDATEs and COMMIT on SQLite); no separate read of the user
    assert len(statements) == (2 if connection.vendor == "postgresql" else 5), statements
    # (psycopg keeps no text of a statement it runs prepared: Django logs it as None)
    assert not any((s or "").startswith("SELECT * FROM org_user") for s in statements)
    assert _voted(open_poll) == ["hagiang.daibieu3"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_casts_read_is_prepared_after_a_few_runs_and_gives_the_same_row():
    """Planning the cast's read costs several times running it: psycopg prepares it on the
    server after five runs on a connection (settings' `prepare_threshold`), and the prepared
    statement reads the same row."""
    load_demo()
    elector = Elector.objects.select_related("delegate", "poll__conference__cycle__cluster")
    elector = elector.filter(poll__conference__cycle__year=2020).first()
    poll, cycle = elector.poll, elector.poll.conference.cycle
    args = (elector.delegate.user_id, cycle.cluster.code, cycle.year, poll.code)
    reads = [voting_selectors.cast_target(*args) for _ in range(7)]
    assert reads[0] is not None
    assert all(read == reads[0] for read in reads)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("JOIN voting_elector e" in statement for statement in prepared), prepared
