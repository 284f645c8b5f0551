"""Score review with explanations (*giải trình*): which scores need a reason, and the review chain.

A unit assesses itself; peers (or an inspection team) then score it. Wherever a reviewer scores
a criterion *below* the unit's self-assessment the reviewer must give a reason, and the unit may
file an explanation. The reviewer then keeps or changes its score (with a reason), and the
leader unit finalises, accepting or refusing the explanation. The leader unit is itself a
competitor: it cannot finalise its own unit's explanations, the deputy does.

The chain of one review item (a unit's explanation on one criterion):

    open → explained → kept | changed → accepted | refused

Nothing here imports Django; the scoring app stores the items and asks these rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from thidua.core.messages import Label, Problem, format_day, gettext_noop
from thidua.core.scoring import Sheet, Table


class State(StrEnum):
    OPEN = "open"  # a reviewer scored lower than the self-assessment; the unit may explain
    EXPLAINED = "explained"  # the unit filed its explanation; the reviewer answers
    KEPT = "kept"  # the reviewer kept its score, with a reason; the leader finalises
    CHANGED = "changed"  # the reviewer changed its score, with a reason; the leader finalises
    ACCEPTED = "accepted"  # finalised: the explanation is accepted
    REFUSED = "refused"  # finalised: the explanation is refused


class Action(StrEnum):
    FILE = "file"  # the unit files its explanation
    KEEP = "keep"  # the reviewer keeps its score
    CHANGE = "change"  # the reviewer changes its score
    ACCEPT = "accept"  # the finaliser accepts the explanation
    REFUSE = "refuse"  # the finaliser refuses it


class Party(StrEnum):
    """Who an item is pending with."""

    UNIT = "unit"  # the unit that was scored (to explain)
    REVIEWER = "reviewer"  # the scorer(s) who scored lower (to answer)
    FINALISER = "finaliser"  # the leader unit, or the deputy for the leader's own unit


STATE_LABELS: dict[State, str] = {
    State.OPEN: gettext_noop("chờ đơn vị giải trình"),
    State.EXPLAINED: gettext_noop("đã giải trình, chờ đơn vị chấm trả lời"),
    State.KEPT: gettext_noop("giữ nguyên điểm, chờ cụm trưởng kết luận"),
    State.CHANGED: gettext_noop("đã điều chỉnh điểm, chờ cụm trưởng kết luận"),
    State.ACCEPTED: gettext_noop("giải trình được chấp nhận"),
    State.REFUSED: gettext_noop("giải trình không được chấp nhận"),
}

PARTY_LABELS: dict[Party, str] = {
    Party.UNIT: gettext_noop("đơn vị được chấm"),
    Party.REVIEWER: gettext_noop("đơn vị chấm"),
    Party.FINALISER: gettext_noop("cụm trưởng (cụm phó với giải trình của cụm trưởng)"),
}

#: The allowed transitions: (state, action) → next state.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.OPEN, Action.FILE): State.EXPLAINED,
    (State.EXPLAINED, Action.KEEP): State.KEPT,
    (State.EXPLAINED, Action.CHANGE): State.CHANGED,
    (State.KEPT, Action.ACCEPT): State.ACCEPTED,
    (State.KEPT, Action.REFUSE): State.REFUSED,
    (State.CHANGED, Action.ACCEPT): State.ACCEPTED,
    (State.CHANGED, Action.REFUSE): State.REFUSED,
}

FINAL: frozenset[State] = frozenset({State.ACCEPTED, State.REFUSED})

#: Who acts on an item in each state that is not final.
PENDING: dict[State, Party] = {
    State.OPEN: Party.UNIT,
    State.EXPLAINED: Party.REVIEWER,
    State.KEPT: Party.FINALISER,
    State.CHANGED: Party.FINALISER,
}

#: Who may take each action.
ACTOR: dict[Action, Party] = {
    Action.FILE: Party.UNIT,
    Action.KEEP: Party.REVIEWER,
    Action.CHANGE: Party.REVIEWER,
    Action.ACCEPT: Party.FINALISER,
    Action.REFUSE: Party.FINALISER,
}


def pending_with(state: State) -> Party | None:
    """Who the item waits for; None once finalised."""
    return PENDING.get(state)


def check_transition(state: State, action: Action) -> list[Problem]:
    """Whether `action` may be taken on an item in `state`."""
    if (state, action) in TRANSITIONS:
        return []
    return [
        Problem(
            "review_transition",
            gettext_noop(
                "Không thể thực hiện thao tác này: giải trình đang ở trạng thái “%(state)s”."
            ),
            {"state": Label(STATE_LABELS[state])},
        )
    ]


def advance(state: State, action: Action) -> State:
    """The state after `action`; ValueError when the transition is not allowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise ValueError(f"{action} is not allowed in state {state}") from None


@dataclass(frozen=True)
class Below:
    """A reviewer's score below the unit's self-assessment on one criterion: needs a reason."""

    target: str
    criterion: str
    reviewer: str
    self_value: Decimal
    value: Decimal


def below_self(sheets: Sequence[Sheet]) -> list[Below]:
    """Every (target, criterion, reviewer) where a reviewer scored below the target's own sheet.

    Criteria the self-assessment leaves blank are never below it; order is stable
    (target, criterion, reviewer).
    """
    selves = {sheet.target: sheet.scores for sheet in sheets if sheet.is_self}
    found = []
    for sheet in sheets:
        own = selves.get(sheet.target)
        if sheet.is_self or own is None:
            continue
        for code, value in sheet.scores.items():
            mine = own.get(code)
            if mine is not None and value < mine:
                found.append(Below(sheet.target, code, sheet.scorer, mine, value))
    return sorted(found, key=lambda b: (b.target, b.criterion, b.reviewer))


def check_reasons(
    scores: Mapping[str, Decimal],
    self_scores: Mapping[str, Decimal] | None,
    reasons: Mapping[str, str],
    table: Table,
) -> list[Problem]:
    """A reviewer's sheet is submitted only with a reason on every score below the self score."""
    if not self_scores:
        return []
    problems = []
    for code, value in scores.items():
        mine = self_scores.get(code)
        if mine is None or value >= mine or (reasons.get(code) or "").strip():
            continue
        criterion = table.criteria.get(code)
        problems.append(
            Problem(
                "reason_required",
                gettext_noop(
                    "Tiêu chí “%(criterion)s”: điểm chấm (%(value)s) thấp hơn điểm tự chấm của đơn"
                    " vị (%(self)s), phải ghi lý do."
                ),
                {
                    "criterion": criterion.name if criterion else code,
                    "value": str(value),
                    "self": str(mine),
                },
                field=code,
            )
        )
    return problems


def finaliser(target: str, leader: str | None, deputy: str | None) -> str | None:
    """The unit that finalises `target`'s explanations: the leader, or the deputy for the leader."""
    if target == leader:
        return deputy
    return leader


def check_finaliser(
    actor: str, target: str, leader: str | None, deputy: str | None
) -> list[Problem]:
    """Whether `actor` (a unit) may finalise `target`'s explanation."""
    expected = finaliser(target, leader, deputy)
    if expected is not None and actor == expected:
        return []
    if actor == leader and target == leader:
        message = gettext_noop(
            "Cụm trưởng không kết luận giải trình của chính đơn vị mình; cụm phó kết luận."
        )
    elif expected is None:
        message = gettext_noop("Cụm chưa có đơn vị được giao kết luận giải trình này.")
    else:
        message = gettext_noop(
            "Chỉ cụm trưởng (hoặc cụm phó, với giải trình của cụm trưởng) được kết luận."
        )
    return [Problem("review_finaliser", message)]


def check_filing(today: date, due: date | None) -> list[Problem]:
    """An explanation is filed on or before its deadline (no deadline: always open)."""
    if due is None or today <= due:
        return []
    return [
        Problem(
            "review_late",
            gettext_noop("Đã quá hạn giải trình (hạn %(due)s)."),
            {"due": format_day(due)},
        )
    ]


def unassigned(
    table: Table,
    targets: Iterable[str],
    assignments: Iterable[tuple[str, str, str | None]],
) -> list[tuple[str, str]]:
    """(target, criterion) pairs of judged criteria that no unit but the target is to score.

    `assignments` are (scorer, target, criterion) with criterion None for all judged criteria.
    """
    judged = [code for code, criterion in table.criteria.items() if criterion.judged]
    covered: set[tuple[str, str]] = set()
    for scorer, target, code in assignments:
        if scorer == target:
            continue
        for one in judged if code is None else [code]:
            covered.add((target, one))
    return [
        (target, code)
        for target in sorted(set(targets))
        for code in judged
        if (target, code) not in covered
    ]


def check_unassigned(
    pairs: Sequence[tuple[str, str]], names: Mapping[str, str] | None = None
) -> list[Problem]:
    """The phase guard's reason when some judged criterion has no scorer."""
    names = names or {}
    return [
        Problem(
            "criterion_unassigned",
            gettext_noop(
                "Tiêu chí “%(criterion)s” của đơn vị %(unit)s chưa được giao cho đơn vị nào chấm."
            ),
            {"criterion": names.get(code, code), "unit": target},
        )
        for target, code in pairs
    ]


def check_unfinalised(count: int) -> list[Problem]:
    """The phase guard's reason when explanations are still waiting."""
    if count <= 0:
        return []
    return [
        Problem(
            "review_unfinalised",
            gettext_noop("Còn %(count)s giải trình chưa được kết luận."),
            {"count": count},
        )
    ]
