"""API of the conference: polls, casting (one ballot per delegate), counting, results."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Body, Router, Schema, Status

from thidua.core import ballots as core
from thidua.core.policy import Action
from thidua.core.score_ballots import ScoreBallot
from thidua.errors import DomainError
from thidua.org import selectors as org_selectors
from thidua.org.authz import require
from thidua.org.lookups import cycle_or_404
from thidua.org.models import Cycle
from thidua.voting import ceremony as board
from thidua.voting import devices, selectors, services
from thidua.voting.models import Conference, Poll

router = Router(tags=["voting"])


class PollOut(Schema):
    code: str
    title: str
    purpose: str
    status: str
    mode: str
    candidates: list[str]
    rules: dict
    voted: int
    electorate: int
    result: dict | None  # only once counted: never partial results


class BallotIn(Schema):
    choices: list[str] = []
    answers: dict[str, Literal["yes", "no", "abstain"]] = {}
    # a score poll's ballot: unit → a score per criteria group (the own unit left out), and
    # for a paper ballot the unit it was handed to (a phone's is its delegate record's)
    scores: dict[str, list[int]] | None = None
    own_unit: str | None = None


class CastIn(BallotIn):
    signature: str = ""  # hex Ed25519 signature of devices.message by the phone's device key
    # an encrypted poll's ballot (docs/ballot-crypto.md §4) instead of choices or answers
    sealed: dict | None = None


class DeviceKeyIn(Schema):
    public_key: str  # hex Ed25519 public key


class ReceiptOut(Schema):
    receipt: str


class PollIn(Schema):
    code: str
    title: str
    purpose: Literal["title", "leader", "deputy", "other"] = "title"
    title_code: str = ""
    candidates: list[str] | None = None  # unit codes; default: every member not ineligible
    # unit code → why a unit the eligibility rules find not eligible stays on the ballot
    kept: dict[str, str] = {}
    seats: int | None = None
    kind: Literal["choice", "approval", "score"] = "choice"
    mode: Literal["electronic", "paper"] = "electronic"


class CheckInOut(Schema):
    delegate: str
    login_key: str  # shown once: the QR code's link is /conference/join/<login_key>/


class PaperIn(Schema):
    entry: Literal[1, 2]
    issued: int
    ballots: list[BallotIn]


class WrittenIn(Schema):
    delegate: str  # the absent delegate's user name
    ballot: BallotIn


class PublishedOut(Schema):
    receipts: list[str]
    ballots: list[tuple[str, int]]


def _conference(cluster: str, year: int) -> tuple[Cycle, Conference]:
    cycle = cycle_or_404(cluster, year)
    conference = selectors.conference_of(cycle)
    if conference is None:
        raise Http404
    return cycle, conference


def _poll(conference: Conference, code: str) -> Poll:
    poll = selectors.poll_by_code(conference, code)
    if poll is None:
        raise Http404
    return poll


def _out(poll: Poll) -> dict:
    return {
        "code": poll.code,
        "title": poll.title,
        "purpose": poll.purpose,
        "status": poll.status,
        "mode": poll.mode,
        "candidates": [candidate.unit.code for candidate in poll.candidates.all()],
        "rules": poll.rules,
        "voted": poll.voted,
        "electorate": poll.electorate,
        "result": poll.result if poll.status == Poll.Status.CLOSED else None,
    }


@router.get("/cycles/{cluster}/{year}/polls", response=list[PollOut])
def list_polls(request, cluster: str, year: int):
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    return [_out(poll) for poll in selectors.polls_of(conference)]


@router.post("/cycles/{cluster}/{year}/polls", response={201: PollOut})
def create_poll(request, cluster: str, year: int, payload: PollIn):
    _cycle, conference = _conference(cluster, year)
    units = None
    if payload.candidates is not None:
        members = {unit.code: unit for unit in org_selectors.member_units(conference.cycle)}
        units = [members[code] for code in payload.candidates if code in members]
        if len(units) != len(payload.candidates):
            raise DomainError([services.not_member_problem()])
    poll = services.create_poll(
        actor=request.auth,
        conference=conference,
        code=payload.code,
        title=payload.title,
        purpose=payload.purpose,
        title_code=payload.title_code,
        candidates=units,
        seats=payload.seats,
        kind=payload.kind,
        mode=payload.mode,
        kept=payload.kept,
    )
    return Status(201, _out(selectors.poll_by_code(conference, poll.code)))


class CheckInIn(Schema):
    reason: str = ""  # needed to give a delegate already checked in a new key


@router.post("/cycles/{cluster}/{year}/delegates/{username}/check-in", response=CheckInOut)
def check_in(request, cluster: str, year: int, username: str, payload: CheckInIn | None = None):
    """Check a delegate in; for one already checked in, a new key (a recorded act that needs
    the reason, and ends the delegate's earlier sessions)."""
    _cycle, conference = _conference(cluster, year)
    delegate = selectors.delegate_named(conference, username)
    if delegate is None:
        raise Http404
    key = (
        services.reissue_key(
            actor=request.auth, delegate=delegate, reason=payload.reason if payload else ""
        )
        if delegate.checked_in_at is not None
        else services.check_in(actor=request.auth, delegate=delegate)
    )
    return {"delegate": username, "login_key": key}


def _ballot(payload: BallotIn, written: bool = False) -> core.Ballot | ScoreBallot:
    if payload.scores is not None:
        return ScoreBallot(
            {unit: tuple(parts) for unit, parts in payload.scores.items()}, payload.own_unit
        )
    return core.Ballot(
        choices=tuple(payload.choices),
        answers={unit: core.Answer(answer) for unit, answer in payload.answers.items()},
        written=written,
    )


@router.post("/cycles/{cluster}/{year}/polls/{code}/paper", response={201: dict})
def paper(request, cluster: str, year: int, code: str, payload: PaperIn):
    """One board member's entry of the pile; the two entries are reconciled before counting."""
    _cycle, conference = _conference(cluster, year)
    poll = _poll(conference, code)
    services.save_paper_entry(
        actor=request.auth,
        poll=poll,
        entry=payload.entry,
        ballots=[_ballot(item) for item in payload.ballots],
        issued=payload.issued,
    )
    mismatches = services.paper_mismatches(poll)
    return Status(201, {"mismatches": None if mismatches is None else [m[0] for m in mismatches]})


@router.post("/cycles/{cluster}/{year}/polls/{code}/written", response={201: ReceiptOut})
def written(request, cluster: str, year: int, code: str, payload: WrittenIn):
    _cycle, conference = _conference(cluster, year)
    poll = _poll(conference, code)
    delegate = selectors.delegate_named(conference, payload.delegate)
    if delegate is None:
        raise Http404
    receipt = services.record_written(
        actor=request.auth, poll=poll, delegate=delegate, ballot=_ballot(payload.ballot)
    )
    return Status(201, {"receipt": receipt})


@router.get("/cycles/{cluster}/{year}/polls/{code}", response=PollOut)
def get_poll(request, cluster: str, year: int, code: str):
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    return _out(_poll(conference, code))


@router.post("/cycles/{cluster}/{year}/polls/{code}/ballot", response={201: ReceiptOut})
def cast(request, cluster: str, year: int, code: str, payload: CastIn):
    """Cast the signed-in delegate's ballot, signed by their phone's device key (403 without
    it); a second one is refused (409, already voted)."""
    done = services.cast_at(
        actor=request.auth,
        cluster=cluster,
        year=year,
        poll_code=code,
        ballot=devices.Sealed(payload.sealed) if payload.sealed is not None else _ballot(payload),
        signature=payload.signature,
    )
    return Status(201, {"receipt": done.receipt})


@router.put("/cycles/{cluster}/{year}/device-key", response={204: None})
def device_key(request, cluster: str, year: int, payload: DeviceKeyIn):
    """Register the delegate's device key (the first one wins; another is refused, 409)."""
    _cycle, conference = _conference(cluster, year)
    services.register_device_key(
        actor=request.auth, conference=conference, public_key=payload.public_key
    )
    return Status(204, None)


@router.get("/cycles/{cluster}/{year}/polls/{code}/published", response=PublishedOut)
def published(request, cluster: str, year: int, code: str):
    """Receipt codes and the ballot multiset, for anyone to check and recount."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    poll = _poll(conference, code)
    if poll.status != Poll.Status.CLOSED:
        raise DomainError([services.not_counted_problem()])
    names = {candidate.unit.code: candidate.unit.code for candidate in poll.candidates.all()}
    found = selectors.published(poll, names)
    return {"receipts": found.receipts, "ballots": found.multiset}


# --- encrypted polls: the board's key ceremony, challenged ballots, decryption -----------


class CeremonyIn(Schema):
    trustees: list[str]  # the board members' user names, in the order that numbers them
    threshold: int


class SharesIn(Schema):
    messages: list[dict]


class ConfirmationIn(Schema):
    verification_key: str  # hex: x·G of the key share the member's device computed


class DecryptionIn(Schema):
    partial: dict
    turnout: int  # the hall's count of delegates who voted by phone, typed by the member


def _ceremony_out(conference: Conference) -> dict:
    ceremony = selectors.live_ceremony(conference)
    if ceremony is None:
        raise Http404
    cycle = conference.cycle
    return {
        "cluster": cycle.cluster.code,
        "year": cycle.year,
        "status": ceremony.status,
        "trustees": [
            {
                "index": t.index,
                "username": t.delegate.user.username if t.delegate else "",
                "fingerprint": t.fingerprint,
                "confirmed": t.confirmed,
            }
            for t in selectors.trustees_of(ceremony)
        ],
        **selectors.ceremony_section(ceremony),
    }


def _as_trustee(request, cluster: str, year: int):
    """The board's pages and devices: checked before the ceremony is looked up."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.COUNT_BALLOTS, cycle)
    ceremony = selectors.live_ceremony(conference)
    if ceremony is None:
        raise Http404
    return conference, ceremony


@router.post("/cycles/{cluster}/{year}/ceremony", response={201: dict})
def start_ceremony(request, cluster: str, year: int, payload: CeremonyIn):
    """The secretary names the board members who will hold the key, k of n."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.MANAGE_CONFERENCE, cycle)
    delegates = {d.user.username: d for d in selectors.delegates_of(conference)}
    if any(name not in delegates for name in payload.trustees):
        raise Http404
    board.start_ceremony(
        actor=request.auth,
        conference=conference,
        trustees=[delegates[name] for name in payload.trustees],
        threshold=payload.threshold,
    )
    return Status(201, _ceremony_out(conference))


@router.get("/cycles/{cluster}/{year}/ceremony", response=dict)
def get_ceremony(request, cluster: str, year: int):
    """Everything the ceremony published (nothing in it is secret: shares are encrypted)."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    return _ceremony_out(conference)


@router.post("/cycles/{cluster}/{year}/ceremony/announcement", response={201: dict})
def announce(request, cluster: str, year: int, payload: Body[dict]):
    conference, ceremony = _as_trustee(request, cluster, year)
    board.announce(actor=request.auth, ceremony=ceremony, announcement=payload)
    return Status(201, _ceremony_out(conference))


@router.post("/cycles/{cluster}/{year}/ceremony/shares", response={201: dict})
def send_shares(request, cluster: str, year: int, payload: SharesIn):
    conference, ceremony = _as_trustee(request, cluster, year)
    board.send_shares(actor=request.auth, ceremony=ceremony, messages=payload.messages)
    return Status(201, _ceremony_out(conference))


@router.post("/cycles/{cluster}/{year}/ceremony/complaints", response={201: dict})
def complain(request, cluster: str, year: int, payload: Body[dict]):
    conference, ceremony = _as_trustee(request, cluster, year)
    filed = board.file_complaint(actor=request.auth, ceremony=ceremony, complaint=payload)
    if filed.upheld:  # the ceremony failed: history now, with no live state to show
        return Status(201, {"upheld": True})
    return Status(201, {"upheld": False, **_ceremony_out(conference)})


@router.post("/cycles/{cluster}/{year}/ceremony/confirmation", response={201: dict})
def confirm(request, cluster: str, year: int, payload: ConfirmationIn):
    conference, ceremony = _as_trustee(request, cluster, year)
    board.confirm(actor=request.auth, ceremony=ceremony, verification_key=payload.verification_key)
    return Status(201, _ceremony_out(conference))


@router.get("/cycles/{cluster}/{year}/polls/{code}/sealed", response=dict)
def sealed_poll(request, cluster: str, year: int, code: str):
    """What a phone encrypts to (key, form, the context's parts) and, once the box is closed,
    what the board decrypts and anyone checks (ballots, sums, partial decryptions)."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    poll = _poll(conference, code)
    if not poll.sealed:
        raise DomainError([services.not_sealed_problem()])
    return {
        "cluster": cycle.cluster.code,
        "year": cycle.year,
        "code": poll.code,
        "status": poll.status,
        "public_key": poll.public_key,
        "form": poll.form,
        "ceremony": poll.ceremony.label,
        "threshold": poll.ceremony.threshold,
        "box": selectors.sealed_section(poll),
    }


@router.post("/cycles/{cluster}/{year}/polls/{code}/spoiled", response={201: dict})
def spoil(request, cluster: str, year: int, code: str, payload: Body[dict]):
    """A delegate challenges an encrypted ballot (with its randomness) instead of casting it:
    what it says comes back, opened by the server, and is published, never counted."""
    _cycle, conference = _conference(cluster, year)
    spoiled = services.spoil(actor=request.auth, poll=_poll(conference, code), data=payload)
    return Status(201, {"tracker": spoiled.body["tracker"], "plaintext": spoiled.body["plaintext"]})


@router.post("/cycles/{cluster}/{year}/polls/{code}/decryption", response={201: PollOut})
def decrypt(request, cluster: str, year: int, code: str, payload: DecryptionIn):
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.COUNT_BALLOTS, cycle)
    poll = _poll(conference, code)
    if not poll.sealed:
        raise DomainError([services.not_sealed_problem()])
    board.decrypt(actor=request.auth, poll=poll, partial=payload.partial, turnout=payload.turnout)
    return Status(201, _out(selectors.poll_by_code(conference, poll.code)))


@router.get("/cycles/{cluster}/{year}/ballot-transcript", response=dict)
def transcript(request, cluster: str, year: int):
    """The encrypted polls' transcript (docs/ballot-crypto.md §6), as the cycle's record
    carries it (`thidua verify`) and the independent verifier (verifier/verify.mjs) reads it."""
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    found = selectors.transcript(conference)
    if found is None:
        raise Http404
    return found


@router.post("/cycles/{cluster}/{year}/polls/{code}/{action}", response=PollOut)
def count(request, cluster: str, year: int, code: str, action: Literal["open", "close", "runoff"]):
    _cycle, conference = _conference(cluster, year)
    poll = _poll(conference, code)
    if action == "open":
        poll = services.open_poll(actor=request.auth, poll=poll)
    elif action == "close":
        poll = services.close_poll(actor=request.auth, poll=poll)
    else:
        poll = services.create_runoff(actor=request.auth, poll=poll)
    return _out(selectors.poll_by_code(conference, poll.code))
