"""API of the conference: polls, casting (one ballot per delegate), counting, results."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status

from thidua.core import ballots as core
from thidua.core.policy import Action
from thidua.errors import DomainError
from thidua.org import selectors as org_selectors
from thidua.org.authz import require
from thidua.org.models import Cycle
from thidua.voting import selectors, services
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


class ReceiptOut(Schema):
    receipt: str


class PublishedOut(Schema):
    receipts: list[str]
    ballots: list[tuple[str, int]]


def _conference(cluster: str, year: int) -> tuple[Cycle, Conference]:
    cycle = org_selectors.get_cycle(cluster, year)
    conference = selectors.conference_of(cycle) if cycle else None
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


@router.get("/cycles/{cluster}/{year}/polls/{code}", response=PollOut)
def get_poll(request, cluster: str, year: int, code: str):
    cycle, conference = _conference(cluster, year)
    require(request.auth, Action.VIEW_CONFERENCE, cycle)
    return _out(_poll(conference, code))


@router.post("/cycles/{cluster}/{year}/polls/{code}/ballot", response={201: ReceiptOut})
def cast(request, cluster: str, year: int, code: str, payload: BallotIn):
    """Cast the signed-in delegate's ballot; a second one is refused (409, already voted)."""
    _cycle, conference = _conference(cluster, year)
    poll = _poll(conference, code)
    ballot = core.Ballot(
        choices=tuple(payload.choices),
        answers={unit: core.Answer(answer) for unit, answer in payload.answers.items()},
    )
    receipt = services.cast(actor=request.auth, poll=poll, ballot=ballot)
    return Status(201, {"receipt": receipt})


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
