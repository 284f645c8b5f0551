"""The phones' cast path kept lean: its route tried first, its receipt page rendered without
the request, its session checked against the row its own read returns, its read planned by
unique keys. Each shortcut keeps what it replaced: the language, the refusals, the row."""

import uuid

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore
from django.core.cache import caches
from django.db import connection, transaction
from django.urls import resolve, reverse

from tests.voting import phones
from thidua import urls
from thidua.org.models import session_auth_hash
from thidua.voting import selectors as voting_selectors
from thidua.voting import services as voting_services
from thidua.voting import views
from thidua.voting.models import Ballot, Elector

pytestmark = pytest.mark.django_db

CAST = "/clusters/cum-2/2020/conference/polls/co-bo-cong-an/cast/"


def _voted(poll) -> list[str]:
    return list(
        Elector.objects.voted().filter(poll=poll).values_list("delegate__user__username", flat=True)
    )


def test_the_cast_route_is_the_first_one_tried_and_keeps_its_address():
    assert urls.urlpatterns[0].resolve(CAST.lstrip("/")).func is views.cast
    assert resolve(CAST).url_name == "cast"
    assert reverse("cast", args=["cum-2", 2020, "co-bo-cong-an"]) == CAST
    # the page next to it is still found by its own route
    assert resolve(CAST.replace("/cast/", "/")).url_name == "poll"


@pytest.mark.parametrize(
    ("language", "voted", "again"),
    [(None, "Đã bỏ phiếu", "Đã có phiếu"), ("en", "Voted", "Already voted")],
)
def test_the_receipt_page_speaks_the_language_the_delegate_chose(
    client_for, open_poll, language, voted, again
):
    """Rendered without the request's context processors, the page still takes the language
    the request activated (its `lang` attribute and its text), after a cast and a refusal."""
    phone = client_for("hagiang.daibieu3")
    if language:
        phone.cookies["django_language"] = language
    signed = phones.form("hagiang.daibieu3", "co-bo-cong-an", {"choice": "lang-son"})
    response = phone.post(CAST, signed)
    page = response.content.decode()
    assert response.status_code == 200, page
    assert f'<html lang="{language or "vi"}">' in page
    assert f"<h1>{voted}</h1>" in page
    receipt = open_poll.ballots.get(filled=True).receipt
    assert f"<code>{receipt}</code>" in page
    assert 'href="/static/' in page  # the stylesheet, named by the static files' storage
    twice = phone.post(CAST, signed)
    assert twice.status_code == 409
    assert f"<h1>{again}</h1>" in twice.content.decode()
    assert f'<html lang="{language or "vi"}">' in twice.content.decode()
    assert _voted(open_poll) == ["hagiang.daibieu3"]


def test_the_receipt_page_escapes_what_it_shows_and_links_back(client_for, open_poll):
    """The page is cut once per language at its fields and each cast fills them in: what it
    fills in is escaped as the template would, and its links are the conference's own."""
    open_poll.title = 'Cờ "A" <script>alert(1)</script>'
    open_poll.save(update_fields=["title"])
    phone = client_for("hagiang.daibieu3")
    signed = phones.form("hagiang.daibieu3", "co-bo-cong-an", {"choice": "lang-son"})
    page = phone.post(CAST, signed).content.decode()
    assert "<p>Cờ &quot;A&quot; &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page
    assert "<script>" not in page
    home = reverse("conference", args=["cum-2", 2020])
    receipt = open_poll.ballots.get(filled=True).receipt
    assert f'href="{home}polls/co-bo-cong-an/receipt.txt?code={receipt}"' in page
    assert f'href="{home}"' in page


def test_a_session_from_before_a_password_change_cannot_cast(client_for, get_user, open_poll):
    """The session's hash is checked against the password and epoch the cast's own read
    returns (no User built for it): changed, the session is over and nothing is counted."""
    phone = client_for("hagiang.daibieu3")
    user = get_user("hagiang.daibieu3")
    assert phone.session["_auth_user_hash"] == session_auth_hash(user.password, user.session_epoch)
    user.set_password("một mật khẩu mới 2020")
    user.save(update_fields=["password"])
    signed = phones.form("hagiang.daibieu3", "co-bo-cong-an", {"choice": "lang-son"})
    refused = phone.post(CAST, signed)
    assert (refused.status_code, refused["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert _voted(open_poll) == []


def test_a_session_from_before_an_epoch_raise_cannot_cast(client_for, get_user, open_poll):
    phone = client_for("hagiang.daibieu3")
    user = get_user("hagiang.daibieu3")
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    signed = phones.form("hagiang.daibieu3", "co-bo-cong-an", {"choice": "lang-son"})
    refused = phone.post(CAST, signed)
    assert (refused.status_code, refused["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert _voted(open_poll) == []


def test_another_conferences_poll_is_not_reached_by_a_delegate_of_this_one(open_poll):
    """The read joins the delegate by the poll's conference: a user who is a delegate here
    finds no elector row under another cycle's address for the same poll code."""
    elector = Elector.objects.select_related("delegate").filter(poll=open_poll).first()
    user_id = elector.delegate.user_id
    assert voting_selectors.cast_target(user_id, "cum-2", 2020, open_poll.code) is not None
    assert voting_selectors.cast_target(user_id, "cum-2", 2019, open_poll.code) is None
    assert voting_selectors.cast_target(user_id, "cum-1", 2020, open_poll.code) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's generic plans")
def test_the_casts_prepared_read_finds_the_elector_by_its_unique_key(open_poll):
    """A prepared statement keeps one generic plan per connection, made with whatever
    statistics the tables had then: the read must reach the elector through (poll, delegate)
    and the delegate by its user, never by reading every elector of the poll or every
    delegate of the conference."""
    elector = Elector.objects.select_related("delegate").filter(poll=open_poll).first()
    sql = voting_selectors._CAST_TARGET.format(
        codes=voting_selectors._CANDIDATE_CODES["postgresql"]
    ).replace("%s", "$%d")
    sql = sql % (1, 2, 3, 4)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE cast_read_plan (bigint, text, int, text) AS {sql}")
        cursor.execute(
            "EXPLAIN EXECUTE cast_read_plan (%s, %s, %s, %s)",
            [elector.delegate.user_id, "cum-2", 2020, open_poll.code],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE cast_read_plan")
    assert "elector_once" in plan, plan
    assert "voting_rollentry_poll_id" not in plan, plan
    # the delegate by its user (an index condition), not among every delegate of the conference
    delegate_lookup = plan.split(" on voting_delegate d ", 1)[1].splitlines()[1]
    assert "Index Cond" in delegate_lookup, plan
    assert "user_id = $1" in delegate_lookup, plan


@pytest.mark.parametrize("after", [1, -1])
def test_a_ballot_takes_the_first_free_slot_from_a_random_id_on(open_poll, monkeypatch, after):
    """The slot is the first free one at or after a random id, or the first one when none is:
    no slot is favoured but by the random id (the box keeps no order a voter could be found by)."""
    free = sorted(open_poll.ballots.filter(filled=False).values_list("id", flat=True))
    assert len(free) >= 3
    if after == 1:  # a random id just past the second slot: the third is taken
        pivot, expected = uuid.UUID(int=free[1].int + 1), free[2]
    else:  # past the last one: the search starts again from the first
        pivot, expected = uuid.UUID(int=free[-1].int + 1), free[0]
    monkeypatch.setattr(voting_services.uuid, "uuid4", lambda: pivot)
    with transaction.atomic():
        assert voting_services._fill_slot(open_poll.id, {"choices": []}, "paper", "")
    assert list(open_poll.ballots.filter(filled=True).values_list("id", flat=True)) == [expected]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_free_slot_is_found_by_the_index_of_free_slots_without_sorting_them(open_poll):
    """Each cast looked at every free slot of the poll and sorted them (hundreds in a hall);
    it now takes the first one from the random id on in the index of free slots. Planned as
    for a hall: 500 free slots, the table's statistics up to date, too big to read whole."""
    Ballot.objects.bulk_create(Ballot(poll=open_poll) for _ in range(500))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE voting_ballot")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT {voting_services._FREE_SLOT_SKIP_LOCKED}",
            {"poll": open_poll.id, "pivot": uuid.uuid4()},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ballot_free_slot" in plan, plan
    assert "Sort" not in plan, plan


def test_the_server_keeps_a_whole_halls_sessions_in_memory():
    """Sessions are read from the process's memory and written through to the database: a
    hall of 500 phones with its staff must fit, or the cache evicts sessions by thirds and
    every evicted phone's cast reads its session from the database again."""
    hall = []
    for number in range(600):
        session = SessionStore()
        session["hall_seat"] = number
        session.create()
        hall.append(KEY_PREFIX + session.session_key)
    assert len(caches["default"].get_many(hall)) == len(hall)
