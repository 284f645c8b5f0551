"""Encrypted polls end to end through the services: the board's key ceremony, phones casting
encrypted ballots, a challenged ballot, the close, k of n members decrypting, and the
transcript anyone verifies (docs/ballot-crypto.md). The refusals are tried as an attacker
would: the server's operator, a member cheating, a delegate replaying another's ballot."""

import random
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.voting import sealed
from thidua.core import ballot_crypto as crypto
from thidua.core.ballot_verify import verify_transcript
from thidua.core.ballots import Ballot as Plain
from thidua.core.ballots import sealed_bits
from thidua.errors import DomainError, Refused, StateConflict
from thidua.voting import ceremony as board
from thidua.voting import devices, selectors, services
from thidua.voting.models import Ballot, Delegate, Elector, KeyCeremony, Poll

BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


@pytest.fixture
def key(conference, get_user):
    """The board's 2-of-3 key, made by its three members' devices."""
    return sealed.run_ceremony(get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD])


def _poll(conference, get_user, code="thu-ma-hoa", **kwargs):
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code=code,
        title="Thử bỏ phiếu mã hóa",
        purpose="other",
        seats=kwargs.pop("seats", 3),
        **kwargs,
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


@contextmanager
def _refused(kind, code):
    """The service refuses with this kind of error, naming this rule."""
    with pytest.raises(kind) as refused:
        yield
    found = [p.code for p in refused.value.problems] + [
        str(p.params.get("code")) for p in refused.value.problems
    ]
    assert code in found, found


def _delegates(conference):
    return [
        d.user for d in Delegate.objects.filter(conference=conference).order_by("user__username")
    ]


def _ticks(poll, chosen):
    """A choice ballot's bits: the chosen candidates, or the blank bit."""
    return sealed_bits(crypto.Form.from_json(poll.form), Plain(choices=tuple(chosen)))


def test_the_whole_encrypted_conference(conference, get_user, key):
    ceremony, members = key
    assert ceremony.status == KeyCeremony.Status.READY
    assert len(ceremony.key_fingerprint.split()) == 8
    poll = _poll(conference, get_user)
    assert poll.sealed
    assert poll.public_key == ceremony.public_key
    rng = random.Random(2020)
    voters = _delegates(conference)
    assert len(voters) == 21
    chosen_by = {}
    for user in voters:
        chosen = rng.sample(UNITS, rng.randint(0, 3))
        chosen_by[user.username] = chosen
        tracker = sealed.cast(user, poll, _ticks(poll, chosen))
        assert len(tracker) == 64
    # a delegate challenges a ballot before casting: it is opened, published, never counted
    ballot, nonces = sealed.encrypt(poll, _ticks(poll, ["son-la"]))
    services.spoil(
        actor=voters[0],
        poll=poll,
        data={**ballot.to_json(), "randomness": [crypto.scalar_bytes(r).hex() for r in nonces]},
    )
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.COUNTING
    assert poll.result is None  # nothing is known before the board decrypts
    sealed.decrypt(members[0], poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.COUNTING  # one member of two needed
    sealed.decrypt(members[2], poll)  # member 2 is absent: compensated by Lagrange
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    # the plaintext recount, done here from the delegates' known choices
    expected = {unit: sum(unit in c for c in chosen_by.values()) for unit in UNITS}
    assert poll.result["votes"] == expected
    assert poll.result["returned"] == poll.result["valid"] == 21
    assert poll.result["blank"] == sum(not c for c in chosen_by.values())
    ranked = sorted(UNITS, key=lambda u: (-expected[u], u))
    assert poll.result["winners"] == [u for u in ranked if expected[u] >= 11][:3]
    # anyone verifies the whole transcript
    transcript = selectors.transcript(conference)
    assert verify_transcript(transcript) is None
    section = transcript["polls"][0]
    assert len(section["ballots"]) == 21
    assert section["spoiled"][0]["plaintext"] == _ticks(poll, ["son-la"])
    assert {p["member"] for p in section["partials"]} == {1, 3}


def test_the_database_holds_no_choice_of_an_encrypted_poll(conference, get_user, key):
    """What the operator reads: ballot rows with ciphertexts only; the roll says who voted,
    never what; nothing that decodes to a candidate without k members' secrets."""
    poll = _poll(conference, get_user)
    for user in _delegates(conference)[:5]:
        sealed.cast(user, poll, _ticks(poll, ["lang-son"]))
    rows = list(Ballot.objects.filter(poll=poll, filled=True).values("content", "source"))
    assert len(rows) == 5
    for row in rows:
        assert set(row["content"]) == {"ciphertexts", "selection_proofs", "constraint_proofs"}
        text = str(row["content"])
        assert not any(unit in text for unit in UNITS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voting_ballot WHERE poll_id = %s", [poll.pk])
        raw = " ".join(str(value) for row in cursor.fetchall() for value in row)
        cursor.execute("SELECT * FROM voting_elector WHERE poll_id = %s", [poll.pk])
        roll = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert not any(unit in raw or unit in roll for unit in UNITS)
    assert "choices" not in raw
    assert "answers" not in raw


def test_plain_and_broken_ballots_are_refused_in_an_encrypted_poll(conference, get_user, key):
    poll = _poll(conference, get_user)
    user = _delegates(conference)[0]
    from tests.voting import phones

    with _refused(DomainError, "sealed_expected"):
        phones.cast(actor=user, poll=poll, ballot=Plain(choices=("son-la",)))
    data, signature = sealed.sealed_for(user, poll, _ticks(poll, ["son-la"]))
    forged = {**data, "ciphertexts": [data["ciphertexts"][1], *data["ciphertexts"][1:]]}
    with pytest.raises(DomainError) as refused:
        services.cast(actor=user, poll=poll, ballot=devices.Sealed(forged), signature=signature)
    assert refused.value.problems[0].params["code"] == "bad_proof"
    # the signature is over the tracker: a valid ballot with another's signature is refused
    other, _ = sealed.sealed_for(user, poll, _ticks(poll, ["ha-giang"]))
    with pytest.raises(Refused):
        services.cast(actor=user, poll=poll, ballot=devices.Sealed(other), signature=signature)
    assert not Elector.objects.filter(poll=poll).voted().exists()


def test_a_copied_ballot_is_refused(conference, get_user, key):
    """Another delegate replaying a cast ballot (to learn its choices from the totals)."""
    poll = _poll(conference, get_user)
    first, second = _delegates(conference)[:2]
    data, signature = sealed.sealed_for(first, poll, _ticks(poll, ["son-la"]))
    services.cast(actor=first, poll=poll, ballot=devices.Sealed(data), signature=signature)
    from tests.voting import phones

    tracker = crypto.tracker(selectors.poll_context(poll), crypto.Ballot.from_json(data))
    copy = devices.Sealed(data, tracker)
    with _refused(DomainError, "ballot_replayed"):
        services.cast(
            actor=second,
            poll=poll,
            ballot=devices.Sealed(data),
            signature=phones.signature(second, poll, copy),
        )
    assert not Elector.objects.get(poll=poll, delegate__user=second).voted


def test_the_ceremony_refuses_what_breaks_it(conference, get_user):
    secretary = get_user("hagiang.thuky")
    users = [get_user(u) for u in BOARD]
    delegates = [selectors.delegate_for(u, conference) for u in users]
    with pytest.raises(Refused):
        board.start_ceremony(actor=users[0], conference=conference, trustees=delegates, threshold=2)
    outsider = selectors.delegate_for(get_user("hagiang.daibieu2"), conference)
    with _refused(DomainError, "not_on_board"):
        board.start_ceremony(
            actor=secretary, conference=conference, trustees=[*delegates[:2], outsider], threshold=2
        )
    with _refused(DomainError, "bad_threshold"):
        board.start_ceremony(
            actor=secretary, conference=conference, trustees=delegates, threshold=4
        )
    ceremony = board.start_ceremony(
        actor=secretary, conference=conference, trustees=delegates, threshold=2
    )
    context = board.context_of(ceremony)
    _, announcement = crypto.new_member(context, 1, 2)
    # the secretary (or anyone not on the board) cannot speak for a member
    with pytest.raises(Refused):
        board.announce(actor=secretary, ceremony=ceremony, announcement=announcement.to_json())
    # member 2 cannot publish as member 1
    with _refused(DomainError, "wrong_index"):
        board.announce(actor=users[1], ceremony=ceremony, announcement=announcement.to_json())
    # proofs made for another ceremony do not hold here
    elsewhere = crypto.ceremony_context("cum-2", 2020, "khac", 3, 2)
    _, foreign = crypto.new_member(elsewhere, 1, 2)
    with _refused(DomainError, "bad_key_proof"):
        board.announce(actor=users[0], ceremony=ceremony, announcement=foreign.to_json())
    board.announce(actor=users[0], ceremony=ceremony, announcement=announcement.to_json())
    with pytest.raises(StateConflict):  # once only
        board.announce(actor=users[0], ceremony=ceremony, announcement=announcement.to_json())
    with pytest.raises(StateConflict):  # shares wait for every announcement
        board.send_shares(actor=users[0], ceremony=ceremony, messages=[])
    with _refused(DomainError, "no_board_key"):
        services.create_poll(
            actor=secretary,
            conference=conference,
            code="x",
            title="x",
            purpose="other",
            sealed=True,
        )


def _announced(conference, get_user):
    """A 2-of-3 ceremony whose members have announced, with their secrets."""
    users = [get_user(u) for u in BOARD]
    ceremony = board.start_ceremony(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        trustees=[selectors.delegate_for(u, conference) for u in users],
        threshold=2,
    )
    context = board.context_of(ceremony)
    secrets = {}
    for index, user in enumerate(users, start=1):
        secrets[index], announcement = crypto.new_member(context, index, 2)
        board.announce(actor=user, ceremony=ceremony, announcement=announcement.to_json())
    return users, ceremony, context, secrets, selectors.announcements(ceremony)


def test_a_wrong_share_fails_the_ceremony_for_everyone_to_see(conference, get_user):
    secretary = get_user("hagiang.thuky")
    users, ceremony, context, secrets, published = _announced(conference, get_user)
    cheat = crypto.MemberSecret(1, secrets[1].communication, (1, 2))  # off its commitments
    for index, user in enumerate(users, start=1):
        sender = cheat if index == 1 else secrets[index]
        messages = [
            crypto.share_for(context, sender, published[j]).to_json()
            for j in (1, 2, 3)
            if j != index
        ]
        board.send_shares(actor=user, ceremony=ceremony, messages=messages)
    member = sealed.Member(users[1], 2, secrets[2])
    with pytest.raises(AssertionError, match="1→2 does not check"):
        sealed.receive(ceremony, member)
    # an unfounded complaint (about a good share) is kept and changes nothing
    good = crypto.ShareMessage.from_json(ceremony.messages.get(sender=3, recipient=2).body)
    filed = board.file_complaint(
        actor=users[1],
        ceremony=ceremony,
        complaint=crypto.complain(context, secrets[2], good).to_json(),
    )
    assert filed.upheld is False
    bad = crypto.ShareMessage.from_json(ceremony.messages.get(sender=1, recipient=2).body)
    filed = board.file_complaint(
        actor=users[1],
        ceremony=ceremony,
        complaint=crypto.complain(context, secrets[2], bad).to_json(),
    )
    assert filed.upheld is True
    ceremony.refresh_from_db()
    assert ceremony.status == KeyCeremony.Status.FAILED
    # a new ceremony can start, under a new label
    again = board.start_ceremony(
        actor=secretary,
        conference=conference,
        trustees=[selectors.delegate_for(u, conference) for u in users],
        threshold=2,
    )
    assert again.label != ceremony.label


def test_decryption_refuses_a_wrong_turnout_a_bad_proof_and_an_outsider(conference, get_user, key):
    _, members = key
    poll = _poll(conference, get_user)
    for user in _delegates(conference)[:4]:
        sealed.cast(user, poll, _ticks(poll, ["lao-cai"]))
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    with _refused(DomainError, "turnout_mismatch"):
        sealed.decrypt(members[0], poll, turnout=5)
    # a member publishing a decryption made with a wrong share
    liar = sealed.Member(members[1].user, 2, members[1].secret, share=members[1].share + 1)
    with _refused(DomainError, "bad_partial_proof"):
        sealed.decrypt(liar, poll)
    outsider = sealed.Member(get_user("hagiang.daibieu"), 1, share=members[0].share)
    with pytest.raises(Refused):
        sealed.decrypt(outsider, poll)
    sealed.decrypt(members[0], poll)
    with pytest.raises(StateConflict):  # once per member
        sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)
    poll.refresh_from_db()
    assert poll.result["votes"]["lao-cai"] == 4


def test_an_encrypted_poll_without_phone_ballots_is_counted_at_close(conference, get_user, key):
    poll = _poll(conference, get_user)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    assert poll.status in (Poll.Status.CLOSED, Poll.Status.VOID)
    assert poll.sealed_tally["counts"] == [0] * len(poll.form["selections"])


def test_approval_poll_encrypted_counts_yes_no_and_abstentions(conference, get_user, key):
    _, members = key
    poll = _poll(conference, get_user, code="phe-chuan", seats=1, kind="approval")
    form = crypto.Form.from_json(poll.form)
    assert form.selections[:2] == ("yes:cao-bang", "no:cao-bang")  # candidates by name
    voters = _delegates(conference)[:6]
    answers = ["yes", "yes", "no", "abstain", "yes", "no"]  # on Lào Cai, abstaining elsewhere
    for user, answer in zip(voters, answers, strict=True):
        bits = [int(label == f"{answer}:lao-cai") for label in form.selections]
        if answer == "abstain":
            bits[form.selections.index(crypto.BLANK)] = 1
        sealed.cast(user, poll, bits)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    sealed.decrypt(members[1], poll)
    sealed.decrypt(members[2], poll)
    poll.refresh_from_db()
    result = poll.result
    assert (result["votes"]["lao-cai"], result["noes"]["lao-cai"]) == (3, 2)
    assert result["abstentions"]["lao-cai"] == 1
    assert result["abstentions"]["cao-bang"] == 6
    assert result["blank"] == 1


def _raw_ballot_tuples() -> Counter[bytes]:
    """Every tuple of the ballot table as PostgreSQL stores it, dead versions included."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute(
            "SELECT pg_relation_size('voting_ballot') / current_setting('block_size')::int"
        )
        pages = cursor.fetchone()[0]
        cursor.execute(
            "SELECT t_data FROM generate_series(0, %s - 1) AS page, "
            "heap_page_items(get_raw_page('voting_ballot', page::int)) WHERE t_data IS NOT NULL",
            [pages],
        )
        return Counter(bytes(row[0]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pageinspect is PostgreSQL's")
def test_no_page_of_the_ballot_table_holds_a_choice_of_an_encrypted_poll(conference, get_user, key):
    """The attacker with the database files: dead tuples and free slots included, casting and
    closing an encrypted poll adds no candidate's code anywhere in the ballot table, and no
    audit entry. Tuples are compared, not byte counts: PostgreSQL may prune the dead tuples
    earlier tests left on the same pages while this one writes."""
    from thidua.audit.models import AuditEntry

    poll = _poll(conference, get_user)
    before = _raw_ballot_tuples()
    audited = AuditEntry.objects.count()
    trackers = [
        sealed.cast(user, poll, _ticks(poll, ["dien-bien", "lai-chau"]))
        for user in _delegates(conference)[:6]
    ]
    assert AuditEntry.objects.count() == audited  # a cast writes nothing to the log
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    written = b"\n".join((_raw_ballot_tuples() - before).elements())
    for tracker in trackers:  # the tuples read are the ones holding the encrypted ballots
        assert tracker.encode() in written
    for unit in UNITS:
        assert unit.encode() not in written, unit


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file's own bytes")
def test_the_sqlite_file_holds_no_choice_of_an_encrypted_poll(conference, get_user, key):
    """The attacker with the laptop's database file: its every byte (free pages and freed
    cells included, as `serialize` copies them) holds no ballot saying what these delegates
    chose, through casting, closing and decrypting, nor any audit entry of a cast."""
    from thidua.audit.models import AuditEntry

    _, members = key
    chosen = ["cao-bang", "dien-bien", "lai-chau"]
    plain = b'"choices": ["' + '", "'.join(sorted(chosen)).encode() + b'"]'
    assert plain not in connection.connection.serialize()  # the demo has no such ballot
    poll = _poll(conference, get_user)
    audited = AuditEntry.objects.count()
    trackers = [sealed.cast(user, poll, _ticks(poll, chosen)) for user in _delegates(conference)]
    assert AuditEntry.objects.count() == audited
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)
    poll.refresh_from_db()
    assert poll.result["votes"]["dien-bien"] == 21
    raw = connection.connection.serialize()
    assert all(tracker.encode() in raw for tracker in trackers)  # the bytes read hold the box
    assert plain not in raw


def test_the_released_script_hashes_are_the_served_scripts(client):
    """docs/script-hashes.txt names what the server serves: a changed script needs a new
    release file, and the bytes a browser receives have the published hash."""
    import hashlib
    from pathlib import Path

    from django.templatetags.static import static

    from thidua.voting import scripts

    released = Path(__file__).parents[2] / "docs" / "script-hashes.txt"
    assert released.read_text(encoding="utf-8") == scripts.release_file()
    for name, digest in scripts.hashes().items():
        response = client.get(static(name))
        assert response.status_code == 200, name
        served = b"".join(response.streaming_content) if response.streaming else response.content
        assert hashlib.sha256(served).hexdigest() == digest, name


def test_each_step_refuses_what_does_not_fit_it(conference, get_user, key):
    """The refusals not met elsewhere: a second ceremony while one stands, a confirmation once
    the key is ready, a challenge whose randomness does not open it, a decryption while the box
    is open, a challenge once the box is closed."""
    ceremony, members = key
    users = [get_user(u) for u in BOARD]
    with _refused(DomainError, "ceremony_exists"):
        board.start_ceremony(
            actor=get_user("hagiang.thuky"),
            conference=conference,
            trustees=[selectors.delegate_for(u, conference) for u in users],
            threshold=2,
        )
    with _refused(StateConflict, "ceremony_wrong_step"):
        board.confirm(actor=users[0], ceremony=ceremony, verification_key="00" * 32)
    poll = _poll(conference, get_user)
    voter = _delegates(conference)[0]
    ballot, nonces = sealed.encrypt(poll, _ticks(poll, ["son-la"]))
    swapped = [crypto.scalar_bytes(r).hex() for r in (nonces[1], nonces[0], *nonces[2:])]
    with _refused(DomainError, "randomness_mismatch"):
        services.spoil(actor=voter, poll=poll, data={**ballot.to_json(), "randomness": swapped})
    with _refused(StateConflict, "poll_not_counting"):
        sealed.decrypt(members[0], poll, turnout=0)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    opened = [crypto.scalar_bytes(r).hex() for r in nonces]
    with _refused(StateConflict, "poll_not_open"):
        services.spoil(actor=voter, poll=poll, data={**ballot.to_json(), "randomness": opened})
    assert not poll.spoiled.exists()


def test_shares_must_reach_every_other_member_and_the_key_share_must_match(conference, get_user):
    users, ceremony, context, secrets, published = _announced(conference, get_user)
    to_two_only = [crypto.share_for(context, secrets[1], published[2]).to_json()]
    with _refused(DomainError, "shares_incomplete"):
        board.send_shares(actor=users[0], ceremony=ceremony, messages=to_two_only)
    for index, user in enumerate(users, start=1):
        messages = [
            crypto.share_for(context, secrets[index], published[j]).to_json()
            for j in (1, 2, 3)
            if j != index
        ]
        board.send_shares(actor=user, ceremony=ceremony, messages=messages)
    with _refused(DomainError, "wrong_key_share"):
        board.confirm(actor=users[0], ceremony=ceremony, verification_key=crypto.G.hex())
    ceremony.refresh_from_db()
    assert ceremony.status == KeyCeremony.Status.CHECKING
    assert not ceremony.trustees.filter(confirmed=True).exists()
