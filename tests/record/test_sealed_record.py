"""A record with an encrypted poll: `thidua verify` checks the board's ceremony, every
ballot's proofs, the sums, the partial decryptions and the counts, and the result from them;
a backup restores it exactly."""

import copy
import json
import random

import pytest

from tests.record import roundtrip
from tests.voting import sealed
from thidua.core import ballot_crypto as crypto
from thidua.core.verify import verify
from thidua.record.export import export_json as export
from thidua.voting import services
from thidua.voting.models import Conference, Delegate

pytestmark = pytest.mark.django_db

BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


@pytest.fixture
def record(cycle, get_user):
    """Cụm II 2020 with one more poll, encrypted, counted by two of the three members."""
    conference = Conference.objects.get(cycle=cycle("cum-2", 2020))
    _ceremony, members = sealed.run_ceremony(
        get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD]
    )
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="ma-hoa",
        title="Thử bỏ phiếu mã hóa",
        purpose="other",
        seats=2,
    )
    poll = services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    rng = random.Random(15)
    users = [d.user for d in Delegate.objects.filter(conference=conference).order_by("pk")]
    for user in users:
        chosen = rng.sample(UNITS, rng.randint(0, 2))
        form = poll.form
        bits = [int(label.removeprefix("choice:") in chosen) for label in form["selections"]]
        bits[-1] = int(not chosen)  # the blank bit
        sealed.cast(user, poll, bits)
    ballot, nonces = sealed.encrypt(poll, [0, 0, 0, 0, 0, 0, 1, 0])
    services.spoil(
        actor=users[0],
        poll=poll,
        data={**ballot.to_json(), "randomness": [crypto.scalar_bytes(r).hex() for r in nonces]},
    )
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)
    return export(cycle("cum-2", 2020))


def _poll(record):
    return next(p for p in record["polls"] if p["code"] == "ma-hoa")


def test_a_record_with_an_encrypted_poll_verifies(record):
    assert verify(record) == []
    poll = _poll(record)
    assert poll["status"] == "closed"
    assert poll["ballots"] == []  # the phones' ballots are ciphertexts, in `sealed`
    assert len(poll["sealed"]["ballots"]) == 21
    assert poll["receipts"] == sorted(b["tracker"] for b in poll["sealed"]["ballots"])
    assert record["conference"]["ceremony"]["threshold"] == 2
    assert "choices" not in json.dumps(poll["sealed"])


def _findings(record, edit):
    changed = copy.deepcopy(record)
    edit(changed)
    return {finding.where for finding in verify(changed)}


def test_every_change_to_the_encrypted_poll_is_found(record):
    def count(r):
        _poll(r)["sealed"]["counts"][3] += 1

    def result(r):
        votes = _poll(r)["result"]["votes"]
        votes["son-la"] += 1

    def drop(r):
        _poll(r)["sealed"]["ballots"].pop(0)

    def swap(r):
        ballots = _poll(r)["sealed"]["ballots"]
        ballots[0]["ciphertexts"][0] = ballots[1]["ciphertexts"][0]

    def key(r):
        ceremony = r["conference"]["ceremony"]
        ceremony["public_key"] = ceremony["announcements"][0]["commitments"][0]

    assert "polls[ma-hoa].sealed.counts" in _findings(record, count)
    assert any(w.startswith("polls[ma-hoa].result") for w in _findings(record, result))
    assert "polls[ma-hoa].sealed.turnout" in _findings(record, drop)
    assert "polls[ma-hoa].sealed.ballots[0]" in _findings(record, swap)
    changed = copy.deepcopy(record)
    key(changed)
    found = [(f.where, str(f.message)) for f in verify(changed)]
    # the transcript's rule, and the log's word: the key the board made is not this one
    assert len([w for w, _ in found if w == "conference.ceremony.public_key"]) == 2, found


def test_an_encrypted_poll_restores_exactly(record, tmp_path):
    roundtrip.restores_exactly(tmp_path, "sealed")


def test_the_vote_count_minutes_of_an_encrypted_poll(record, cycle):
    """What the board signs: the key and each member's fingerprint, the ballots in the box and
    the challenged ones, who decrypted, the browsers' code by its hash, the trackers."""
    from tests.documents.conftest import all_text, read_docx
    from thidua.core import signing
    from thidua.documents import builders
    from thidua.voting import scripts
    from thidua.voting.models import Poll

    poll = Poll.objects.get(code="ma-hoa", conference__cycle=cycle("cum-2", 2020))
    text = all_text(
        read_docx(
            builders.vote_count_minutes(poll.conference.cycle, poll, builders.Issue(9)).content
        )
    )
    ceremony = record["conference"]["ceremony"]
    assert ceremony["key_fingerprint"] in text
    for announcement in ceremony["announcements"]:
        assert announcement["fingerprint"] in text
    assert "Số phiếu mã hóa trong hòm: 21" in text
    assert "kiểm tra rồi hủy (không tính): 1" in text
    assert "các thành viên số 1, 2 giải mã" in text
    assert signing.grouped(scripts.hashes()["thidua/ballot-crypto.js"]) in text
    for tracker in _poll(record)["receipts"]:
        assert crypto.shown_tracker(tracker) in text
    assert "Danh sách 21 (hai mươi mốt) mã biên nhận" in text
