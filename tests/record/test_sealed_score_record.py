"""A record with an encrypted score poll (docs/score-ballot-crypto.md §6): `thidua verify`
checks the score form, every ballot's proofs, cast_by_unit, the outputs' partials and counts,
and recounts the result from the decrypted outputs; a tampered count is found; a backup
restores it exactly."""

import copy
import json

import pytest

from tests.record import roundtrip
from tests.voting import sealed
from thidua.core import ballot_crypto as crypto
from thidua.core import score_crypto
from thidua.core.verify import verify
from thidua.record.export import export_json as export
from thidua.voting import selectors, services
from thidua.voting.models import Conference

pytestmark = pytest.mark.django_db

BOARD = sealed.SCORE_BOARD
CASTERS = {  # one delegate of each unit but Điện Biên, and two of Hà Giang
    "hagiang.daibieu": "ha-giang",
    "hagiang.daibieu2": "ha-giang",
    "laocai.daibieu": "lao-cai",
    "sonla.daibieu": "son-la",
    "caobang.daibieu": "cao-bang",
    "laichau.daibieu": "lai-chau",
    "langson.daibieu": "lang-son",
}
BASE = sealed.SCORE_BASE


def _counted_score_poll() -> None:
    """Cụm II 2020 given an encrypted score poll, counted by two of the three members."""
    from thidua.org.models import User

    user = {u.username: u for u in User.objects.filter(username__contains=".")}.__getitem__
    conference = Conference.objects.get(cycle__cluster__code="cum-2", cycle__year=2020)
    _ceremony, members = sealed.run_ceremony(
        user("hagiang.thuky"), conference, [user(u) for u in BOARD]
    )
    poll = services.create_score_poll(
        actor=user("hagiang.thuky"), conference=conference, code="cham-ma-hoa", title="Chấm"
    )
    poll = services.open_poll(actor=user("laocai.daibieu"), poll=poll)
    for username, unit in CASTERS.items():
        sealed.cast_scores(user(username), poll, {u: (v,) for u, v in BASE.items() if u != unit})
    # a challenged ballot: opened, published, never counted
    form = selectors.sealed_form(poll.form)
    scores = {u: (10,) for u in BASE if u != "son-la"}
    ballot, nonces = sealed.encrypt(poll, score_crypto.score_bits(form, scores))
    services.spoil(
        actor=user("sonla.daibieu2"),
        poll=poll,
        data={**ballot.to_json(), "randomness": [crypto.scalar_bytes(r).hex() for r in nonces]},
    )
    services.close_poll(actor=user("laocai.daibieu"), poll=poll)
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)


@pytest.fixture
def record(cycle):
    """The poll counted in this test's database, and the record exported."""
    _counted_score_poll()
    return export(cycle("cum-2", 2020))


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker):
    """The record exported once for the tests that only read it (the casts' proofs are
    most of the module's time); what making it wrote is rolled back, as after a test."""
    from django.db import transaction

    from thidua.org.models import Cycle

    with django_db_blocker.unblock(), transaction.atomic():
        _counted_score_poll()
        found = export(Cycle.objects.get(cluster__code="cum-2", year=2020))
        transaction.set_rollback(True)
    return found


def _poll(record):
    return next(p for p in record["polls"] if p["code"] == "cham-ma-hoa")


def test_a_record_with_an_encrypted_score_poll_verifies(exported):
    assert verify(exported) == []
    poll = _poll(exported)
    assert poll["status"] == "closed"
    assert poll["ballots"] == []  # the phones' ballots are ciphertexts, in `sealed`
    assert len(poll["sealed"]["ballots"]) == 7
    assert poll["sealed"]["cast_by_unit"]["ha-giang"] == 2
    assert "outputs" in poll["sealed"]["form"]
    assert len(poll["sealed"]["spoiled"]) == 1
    text = json.dumps(poll["sealed"])
    assert "own_unit" not in text
    assert "scores" not in text
    rows = {row["unit"]: row for row in poll["result"]["standings"]}
    # every caster scored every unit but its own: Hà Giang by 5 delegates, Điện Biên by 7
    assert (rows["ha-giang"]["total"], rows["ha-giang"]["count"]) == (450, 5)
    assert (rows["dien-bien"]["total"], rows["dien-bien"]["count"]) == (280, 7)


def _findings(record, edit):
    changed = copy.deepcopy(record)
    edit(changed)
    return {finding.where for finding in verify(changed)}


def test_every_change_to_the_encrypted_score_poll_is_found(exported):
    def count(r):
        _poll(r)["sealed"]["counts"][1] += 1

    def result(r):
        _poll(r)["result"]["standings"][0]["total"] += 1

    def cast_by_unit(r):
        _poll(r)["sealed"]["cast_by_unit"]["ha-giang"] = 1
        _poll(r)["sealed"]["cast_by_unit"]["dien-bien"] = 1

    assert "polls[cham-ma-hoa].sealed.counts" in _findings(exported, count)
    assert any(w.startswith("polls[cham-ma-hoa].result") for w in _findings(exported, result))
    # Điện Biên's delegates did not vote: their unit was never skipped, though counted so
    assert "polls[cham-ma-hoa].sealed.counts" in _findings(exported, cast_by_unit)


def test_an_encrypted_score_poll_restores_exactly(record, tmp_path):
    roundtrip.restores_exactly(tmp_path, "sealed-score")


def test_the_vote_count_minutes_of_an_encrypted_score_poll(record, cycle):
    """The board signs the encrypted box's lines under the score poll's ranking."""
    from tests.documents.conftest import all_text, read_docx
    from thidua.documents import builders
    from thidua.voting.models import Poll

    poll = Poll.objects.get(code="cham-ma-hoa", conference__cycle=cycle("cum-2", 2020))
    text = all_text(
        read_docx(
            builders.vote_count_minutes(poll.conference.cycle, poll, builders.Issue(9)).content
        )
    )
    assert "Số phiếu mã hóa trong hòm: 7" in text
    assert "kiểm tra rồi hủy (không tính): 1" in text
    assert "các thành viên số 1, 2 giải mã" in text
    for tracker in _poll(record)["receipts"]:
        assert crypto.shown_tracker(tracker) in text
