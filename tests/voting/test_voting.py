"""Voting: one ballot per delegate, secrecy of the stored rows, counting, paper, hand-over."""

import pytest
from django.db import connection
from django.test import Client

from tests.voting import phones
from thidua.core.ballots import Ballot
from thidua.errors import DomainError, Refused, StateConflict
from thidua.org.models import Cycle, Handover, Unit
from thidua.voting import services
from thidua.voting.models import Ballot as StoredBallot
from thidua.voting.models import Delegate, Elector, Poll

pytestmark = pytest.mark.django_db


def test_demo_conference_handed_the_leadership_to_lao_cai(conference):
    leader = Poll.objects.get(conference=conference, code="cum-truong-2021")
    assert leader.result["winners"] == ["lao-cai"]
    assert leader.result["electorate"] == 21
    assert leader.result["required"] == 11
    handover = Handover.objects.filter(from_cycle=conference.cycle).latest("recorded_at")
    assert (handover.leader.code, handover.method) == ("lao-cai", "elected")
    assert "Báo Hà Giang" in handover.note  # its source; what is illustrative: the about page
    assert handover.recorded_by.username == "hagiang.thuky"  # the leader secretary records it
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).leader.code == "lao-cai"


def test_government_flag_first_then_the_ministry_flag_among_the_others(gov_poll, open_poll):
    assert gov_poll.result["winners"] == ["ha-giang"]  # leads the 2020 ranking
    assert gov_poll.rules["seats"] == 1
    assert gov_poll.rules["threshold"] == "1/2"
    assert gov_poll.rules["rule_set"] == "thi-dua-cand@1"
    assert gov_poll.pk < open_poll.pk
    assert open_poll.rules["seats"] == 3
    assert "ha-giang" not in [c.unit.code for c in open_poll.candidates.all()]


def test_a_delegate_votes_once(open_poll, get_user):
    delegate = get_user("hagiang.daibieu")
    receipt = phones.cast(actor=delegate, poll=open_poll, ballot=Ballot(choices=("lang-son",)))
    assert len(receipt) == 8
    with pytest.raises(services.AlreadyVoted):
        phones.cast(actor=delegate, poll=open_poll, ballot=Ballot(choices=("son-la",)))
    assert Elector.objects.voted().filter(poll=open_poll).count() == 1
    assert StoredBallot.objects.filter(poll=open_poll, filled=True).count() == 1


def test_who_may_not_vote(open_poll, conference, get_user):
    with pytest.raises(Refused):  # a non-delegate
        phones.cast(
            actor=get_user("hagiang.canbo"), poll=open_poll, ballot=Ballot(choices=("lang-son",))
        )
    with pytest.raises(Refused):  # a delegate of another cluster
        phones.cast(
            actor=get_user("hanoi.daibieu"), poll=open_poll, ballot=Ballot(choices=("lang-son",))
        )
    closed = Poll.objects.get(conference=conference, code="co-chinh-phu")
    with pytest.raises(StateConflict):  # a poll that is not open
        phones.cast(
            actor=get_user("hagiang.daibieu"), poll=closed, ballot=Ballot(choices=("lang-son",))
        )
    with pytest.raises(DomainError):  # an invalid ballot is refused, nothing stored
        phones.cast(
            actor=get_user("hagiang.daibieu"),
            poll=open_poll,
            ballot=Ballot(choices=("lang-son", "son-la", "lao-cai", "cao-bang")),
        )
    assert Elector.objects.voted().filter(poll=open_poll).count() == 0


def test_only_the_board_opens_and_closes(open_poll, get_user):
    for username in ("hagiang.daibieu", "hagiang.thuky", "admin", "laocai.canbo"):
        with pytest.raises(Refused):
            services.close_poll(actor=get_user(username), poll=open_poll)
    services.close_poll(actor=get_user("sonla.daibieu"), poll=open_poll)  # a board member
    assert Poll.objects.get(pk=open_poll.pk).status == "closed"


def test_stored_rows_cannot_be_joined(open_poll, get_user):
    """From the database alone nobody can tell which delegate cast which ballot."""
    voters = [
        "hagiang.daibieu",
        "dienbien.daibieu",
        "laichau.daibieu",
        "langson.daibieu",
        "laocai.daibieu2",
    ]
    choices = ["lang-son", "son-la", "dien-bien", "lao-cai", "cao-bang"]
    for username, unit in zip(voters, choices, strict=True):
        phones.cast(actor=get_user(username), poll=open_poll, ballot=Ballot(choices=(unit,)))
    ballot_columns = {field.column for field in StoredBallot._meta.concrete_fields}
    assert ballot_columns == {"id", "poll_id", "filled", "content", "source", "receipt"}
    roll_columns = {field.column for field in Elector._meta.concrete_fields}
    assert roll_columns == {"id", "poll_id", "delegate_id", "method", "voted_at"}
    # the order rows come back in does not follow the order of casting
    stored = [
        b.content["choices"][0]
        for b in StoredBallot.objects.filter(poll=open_poll, filled=True).order_by("id")
    ]
    assert sorted(stored) == sorted(choices)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content FROM voting_ballot WHERE poll_id = %s AND filled", [open_poll.pk]
        )
        physical = [row[0] for row in cursor.fetchall()]
    assert len(physical) == 5
    services.close_poll(actor=get_user("laocai.daibieu"), poll=open_poll)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM voting_ballot WHERE poll_id = %s", [open_poll.pk]
            )
            assert (
                len(cursor.fetchall()) == 1
            )  # rewritten together: no trace of each vote's transaction
    assert StoredBallot.objects.filter(poll=open_poll, filled=False).count() == 0


def test_slots_are_filled_in_random_order(open_poll, get_user):
    """Casting in a known order, the slots filled are spread over the table, not in order."""
    users = [
        d.user
        for d in Delegate.objects.filter(conference=open_poll.conference).order_by("user__username")
    ][:12]
    slot_ids = list(
        StoredBallot.objects.filter(poll=open_poll).order_by("id").values_list("id", flat=True)
    )
    positions = []
    for user in users:
        phones.cast(actor=user, poll=open_poll, ballot=Ballot(choices=()))
        filled = set(
            StoredBallot.objects.filter(poll=open_poll, filled=True).values_list("id", flat=True)
        )
        new = [
            index
            for index, slot in enumerate(slot_ids)
            if slot in filled and index not in positions
        ]
        positions.extend(new)
    assert positions != sorted(positions)  # 1 chance in 12! of a false failure


def test_closing_counts_and_publishes(open_poll, get_user):
    for username in ("hagiang.daibieu", "dienbien.daibieu", "laichau.daibieu"):
        phones.cast(actor=get_user(username), poll=open_poll, ballot=Ballot(choices=("lang-son",)))
    phones.cast(actor=get_user("langson.daibieu"), poll=open_poll, ballot=Ballot(choices=()))
    closed = services.close_poll(actor=get_user("laocai.daibieu"), poll=open_poll)
    assert closed.result["returned"] == 4
    assert closed.result["blank"] == 1
    assert closed.result["votes"]["lang-son"] == 3
    assert closed.result["winners"] == []  # 11 of 21 needed
    assert closed.result["issued"] == 21


def test_written_opinion_of_an_absent_delegate(open_poll, get_user, conference):
    absent = Delegate.objects.get(conference=conference, user__username="caobang.daibieu3")
    Delegate.objects.filter(pk=absent.pk).update(checked_in_at=None)
    services.record_written(
        actor=get_user("laocai.daibieu"),
        poll=open_poll,
        delegate=absent,
        ballot=Ballot(choices=("lang-son",)),
    )
    assert Elector.objects.get(poll=open_poll, delegate=absent).method == "written"
    present = Delegate.objects.get(conference=conference, user__username="sonla.daibieu2")
    with pytest.raises(DomainError):
        services.record_written(
            actor=get_user("laocai.daibieu"), poll=open_poll, delegate=present, ballot=Ballot()
        )


def _paper_poll(conference, get_user):
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="giay",
        title="Phiếu giấy thử",
        purpose="other",
        seats=1,
        mode="paper",
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


def test_paper_entries_must_match_before_counting(conference, get_user):
    poll = _paper_poll(conference, get_user)
    pile = [Ballot(choices=("lang-son",))] * 12 + [Ballot(choices=("son-la",))] * 8
    services.save_paper_entry(
        actor=get_user("laocai.daibieu"), poll=poll, entry=1, ballots=pile, issued=21
    )
    with pytest.raises(Refused):  # the same person cannot enter twice
        services.save_paper_entry(
            actor=get_user("laocai.daibieu"), poll=poll, entry=2, ballots=pile, issued=21
        )
    wrong = list(pile)
    wrong[3] = Ballot(choices=("son-la",))
    services.save_paper_entry(
        actor=get_user("sonla.daibieu"), poll=poll, entry=2, ballots=wrong, issued=21
    )
    assert [m[0] for m in services.paper_mismatches(poll)] == [4]
    with pytest.raises(StateConflict):
        services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    services.save_paper_entry(
        actor=get_user("sonla.daibieu"), poll=poll, entry=2, ballots=pile, issued=21
    )
    closed = services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    assert closed.result["winners"] == ["lang-son"]
    assert closed.result["issued"] == 21


def test_runoff_is_one_action(conference, get_user):
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="hoa",
        title="Thử bằng phiếu",
        purpose="other",
        seats=2,
    )
    poll = services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    delegates = [
        d.user for d in Delegate.objects.filter(conference=conference).order_by("user__username")
    ]
    pairs = [("lang-son", "son-la"), ("lang-son", "lao-cai"), ("son-la", "lao-cai")]
    for index, user in enumerate(delegates):  # 21: each pair 7 times → 14 votes each
        phones.cast(actor=user, poll=poll, ballot=Ballot(choices=pairs[index % 3]))
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    assert poll.result["winners"] == []
    assert poll.result["runoff"] == {"candidates": ["lang-son", "lao-cai", "son-la"], "seats": 2}
    with pytest.raises(Refused):
        services.create_runoff(actor=get_user("laocai.daibieu"), poll=poll)
    second = services.create_runoff(actor=get_user("hagiang.thuky"), poll=poll)
    assert [c.unit.code for c in second.candidates.all()] == ["lang-son", "lao-cai", "son-la"]
    assert (second.runoff_of, second.rules["seats"]) == (poll, 2)


def test_check_in_login_is_scoped_to_the_conference(conference, get_user):
    delegate = Delegate.objects.get(conference=conference, user__username="laichau.daibieu2")
    key = services.reissue_key(
        actor=get_user("hagiang.thuky"), delegate=delegate, reason="thử đăng nhập"
    )
    phone = Client()
    assert phone.get("/conference/join/not-a-key/").status_code == 403
    assert phone.post("/conference/join/not-a-key/").status_code == 403
    confirm = phone.get(f"/conference/join/{key}/")
    assert confirm.status_code == 200
    assert "_auth_user_id" not in phone.session  # opening the link signs nobody in
    response = phone.post(f"/conference/join/{key}/")
    assert response.status_code == 302
    assert response["Location"] == "/clusters/cum-2/2020/conference/"
    assert phone.get("/clusters/cum-2/2020/conference/").status_code == 200
    # the key is spent: a photo of the QR code signs nobody else in
    thief = Client()
    assert thief.get(f"/conference/join/{key}/").status_code == 403
    refused = thief.post(f"/conference/join/{key}/")
    assert refused.status_code == 403
    assert "chỉ dùng được một lần" in refused.content.decode()
    assert "_auth_user_id" not in thief.session
    elsewhere = phone.get("/clusters/cum-2/2020/stats/")
    assert (elsewhere.status_code, elsewhere["Location"]) == (
        302,
        "/clusters/cum-2/2020/conference/",
    )
    again = services.reissue_key(
        actor=get_user("hagiang.thuky"), delegate=delegate, reason="đổi điện thoại"
    )
    assert again != key
    assert Client().get(f"/conference/join/{key}/").status_code == 403  # the old key is gone
    assert Client().post(f"/conference/join/{key}/").status_code == 403
    with pytest.raises(Refused):
        services.reissue_key(actor=get_user("laichau.canbo"), delegate=delegate, reason="x")


def test_unit_not_in_cluster_cannot_be_a_candidate(conference, get_user):
    with pytest.raises(DomainError):
        services.create_poll(
            actor=get_user("hagiang.thuky"),
            conference=conference,
            code="x",
            title="x",
            candidates=[Unit.objects.get(code="ha-noi")],
            seats=1,
        )


def test_a_title_its_rule_set_does_not_list_cannot_be_voted_on(conference, get_user):
    with pytest.raises(DomainError) as refused:
        services.create_poll(
            actor=get_user("hagiang.thuky"),
            conference=conference,
            code="co-la",
            title="Cờ lạ",
            title_code="co_la",
        )
    assert [p.code for p in refused.value.problems] == ["unknown_title"]
    assert not Poll.objects.filter(code="co-la").exists()


def test_the_qr_link_signs_in_only_through_its_confirmation_form(conference, get_user):
    """A cross-site GET (an image, a redirect) cannot sign anyone in or replace a session;
    the page's button posts with the CSRF token, and works without JavaScript."""
    delegate = Delegate.objects.get(conference=conference, user__username="laichau.daibieu2")
    key = services.reissue_key(actor=get_user("hagiang.thuky"), delegate=delegate, reason="thử")
    url = f"/conference/join/{key}/"
    someone = Client(enforce_csrf_checks=True)
    someone.force_login(get_user("sonla.canbo"))
    page = someone.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    assert int(someone.session["_auth_user_id"]) == get_user("sonla.canbo").pk
    html = page.content.decode()
    assert '<form method="post" data-device-join="laichau.daibieu2">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert delegate.user.display_name in html
    assert get_user("sonla.canbo").display_name in html  # who would be signed out
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    # A forged POST without the page's token is refused and changes nothing.
    assert someone.post(url).status_code == 403
    assert int(someone.session["_auth_user_id"]) == get_user("sonla.canbo").pk
    # The button: the same form, with its token.
    token = page.context["csrf_token"]
    response = someone.post(url, {"csrfmiddlewaretoken": str(token)})
    assert (response.status_code, response["Location"]) == (302, "/clusters/cum-2/2020/conference/")
    assert int(someone.session["_auth_user_id"]) == delegate.user.pk
    assert someone.session["conference_scope"] == "/clusters/cum-2/2020/conference/"
