"""Encrypted score polls end to end through the services (docs/score-ballot-crypto.md): the
score form fixed at opening, phones casting encrypted score ballots with the own-unit proof,
the refusals, 2 of 3 members decrypting the outputs, the result and the transcript."""

from fractions import Fraction

import pytest

from tests.voting import sealed
from thidua.core.ballot_verify import verify_transcript
from thidua.core.score_crypto import ScoreForm
from thidua.errors import DomainError
from thidua.voting import devices, selectors, services
from thidua.voting.models import Ballot, Poll

pytestmark = pytest.mark.django_db

BOARD = sealed.SCORE_BOARD
BASE = sealed.SCORE_BASE


@pytest.fixture
def key(conference, get_user):
    return sealed.run_ceremony(get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD])


def _poll(get_user, conference, code="cham-ma-hoa"):
    poll = services.create_score_poll(
        actor=get_user("hagiang.thuky"), conference=conference, code=code, title="Chấm điểm"
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


def _scores(own, **changed):
    return {u: (changed.get(u.replace("-", "_"), v),) for u, v in BASE.items() if u != own}


def _problem(refused) -> str:
    return refused.value.problems[0].code


def test_a_score_poll_on_phones_is_sealed_with_the_score_form(get_user, conference, key):
    poll = _poll(get_user, conference)
    assert poll.sealed
    form = selectors.sealed_form(poll.form)
    assert isinstance(form, ScoreForm)
    assert len(form.outputs) == 7 * 2  # per candidate: skipped, total of its one group


def test_an_elector_whose_unit_is_no_candidate_is_refused_at_opening(get_user, conference, key):
    poll = services.create_score_poll(
        actor=get_user("hagiang.thuky"), conference=conference, code="cd", title="Chấm"
    )
    poll.candidates.filter(unit__code="dien-bien").delete()
    with pytest.raises(DomainError) as refused:
        services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    assert _problem(refused) == "elector_not_candidate"
    assert "phiếu giấy" in refused.value.problems[0].message
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT


def test_cast_count_and_transcript(get_user, conference, key):
    _, members = key
    poll = _poll(get_user, conference)
    hagiang, laocai, sonla = (
        get_user(u) for u in ("hagiang.daibieu", "laocai.daibieu", "sonla.daibieu")
    )
    sealed.cast_scores(hagiang, poll, _scores("ha-giang", lao_cai=80))
    sealed.cast_scores(laocai, poll, _scores("lao-cai", ha_giang=100))
    sealed.cast_scores(sonla, poll, _scores("son-la"))
    stored = list(Ballot.objects.filter(poll=poll, filled=True).values_list("content", flat=True))
    assert len(stored) == 3
    assert all("own_unit" not in c and "scores" not in c and "ciphertexts" in c for c in stored)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.COUNTING
    assert poll.sealed_tally["cast_by_unit"] == {"ha-giang": 1, "lao-cai": 1, "son-la": 1}
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[2], poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    rows = {row["unit"]: row for row in poll.result["standings"]}
    # ha-giang: 100 (Lào Cai) + 90 (Sơn La); lao-cai: 80 + 90; son-la: 50 + 50; cao-bang 80 ×3
    assert (rows["ha-giang"]["total"], rows["ha-giang"]["count"]) == (190, 2)
    assert Fraction(rows["ha-giang"]["average"]) == 95
    assert (rows["lao-cai"]["total"], rows["lao-cai"]["count"]) == (170, 2)
    assert (rows["son-la"]["total"], rows["son-la"]["count"]) == (100, 2)
    assert (rows["cao-bang"]["total"], rows["cao-bang"]["count"]) == (240, 3)
    assert rows["ha-giang"]["rank"] == 1
    transcript = selectors.transcript(conference)
    assert verify_transcript(transcript) is None
    section = transcript["polls"][0]
    assert section["cast_by_unit"] == {"ha-giang": 1, "lao-cai": 1, "son-la": 1}
    section["counts"][1] += 1  # the first candidate's total one point more
    failure = verify_transcript(transcript)
    assert failure is not None
    assert failure.code == "wrong_count"


def test_own_unit_scored_is_refused(get_user, conference, key):
    poll = _poll(get_user, conference)
    user = get_user("hagiang.daibieu")
    # scores its own unit, skips another: the proof for its own unit cannot hold
    scores = {u: (v,) for u, v in BASE.items() if u != "dien-bien"}
    data, signature = sealed.score_ballot(user, poll, scores, unit="ha-giang")
    with pytest.raises(DomainError) as refused:
        services.cast(actor=user, poll=poll, ballot=devices.Sealed(data), signature=signature)
    assert _problem(refused) == "own_unit_not_skipped"
    # a proof that another unit is skipped is no proof for the caster's own
    data, signature = sealed.score_ballot(user, poll, scores, unit="dien-bien")
    with pytest.raises(DomainError) as refused:
        services.cast(actor=user, poll=poll, ballot=devices.Sealed(data), signature=signature)
    assert _problem(refused) == "own_unit_not_skipped"
    assert not Ballot.objects.filter(poll=poll, filled=True).exists()


def test_a_proof_of_another_ballot_or_none_is_refused(get_user, conference, key):
    poll = _poll(get_user, conference)
    user = get_user("hagiang.daibieu")
    first, _ = sealed.score_ballot(user, poll, _scores("ha-giang"))
    second, _ = sealed.score_ballot(user, poll, _scores("ha-giang", son_la=10))
    for own_unit in (first["own_unit"], None):
        data = {**second, "own_unit": own_unit}
        tracker = services.crypto.tracker(
            selectors.poll_context(poll), services.crypto.Ballot.from_json(data)
        )
        signature = sealed.phones.signature(user, poll, devices.Sealed(data, tracker))
        with pytest.raises(DomainError) as refused:
            services.cast(actor=user, poll=poll, ballot=devices.Sealed(data), signature=signature)
        assert _problem(refused) == "own_unit_not_skipped"
    sealed.cast_scores(user, poll, _scores("ha-giang"))  # its own proof: accepted
    assert Ballot.objects.filter(poll=poll, filled=True).count() == 1


def test_plain_score_ballot_refused_in_a_sealed_poll(get_user, conference, key):
    from thidua.core.score_ballots import ScoreBallot

    poll = _poll(get_user, conference)
    user = get_user("hagiang.daibieu")
    with pytest.raises(DomainError) as refused:
        sealed.phones.cast(actor=user, poll=poll, ballot=ScoreBallot(_scores("ha-giang")))
    assert _problem(refused) == "sealed_expected"


def test_a_closed_box_without_ballots_is_counted_at_once(get_user, conference, key):
    poll = _poll(get_user, conference)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    assert poll.sealed_tally["counts"] == [0] * 14
    assert poll.status == Poll.Status.CLOSED
    assert verify_transcript(selectors.transcript(conference)) is None
