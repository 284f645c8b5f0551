"""Reading a rule set's voting rules (titles, quotas, thresholds) and a poll's copied rules.

The rule set is versioned data (`org.RuleSet.data["voting"]`); a poll copies the rules it is
created under into its own `rules`, so that later changes never touch a past vote.
"""

from __future__ import annotations

from thidua.core import ballots as core
from thidua.core import score_ballots
from thidua.core.messages import Problem, gettext_noop
from thidua.errors import DomainError
from thidua.org.models import RuleSet


def voting_data(rule_set: RuleSet) -> dict:
    data = (rule_set.data or {}).get("voting")
    if not data:
        raise DomainError(
            [
                Problem(
                    "no_voting_rules",
                    gettext_noop("Bộ quy tắc “%(name)s” chưa quy định việc bỏ phiếu."),
                    {"name": rule_set.name},
                )
            ]
        )
    return data


def titles(rule_set: RuleSet) -> list[core.Title]:
    return [core.title_from(item) for item in voting_data(rule_set).get("titles", [])]


def poll_rules(rule_set: RuleSet, *, purpose: str, seats: int, kind: str = "choice") -> dict:
    """The rules a new poll copies: the cluster nomination vote for titles, the election rule
    for leader and deputy, the score vote for a score poll."""
    data = voting_data(rule_set)
    if kind == SCORE:
        vote = dict(score_vote(rule_set))
    else:
        vote = dict(data["election"] if purpose in ("leader", "deputy") else data["cluster_vote"])
    vote.update(
        {
            "seats": seats,
            "kind": kind,
            "rule_set": f"{rule_set.code}@{rule_set.version}",
            "legal_basis": rule_set.legal_basis,
        }
    )
    return vote


SCORE = "score"  # a poll kind beside core.ballots.Kind: the score ballot (core.score_ballots)


def score_vote(rule_set: RuleSet) -> dict:
    """The rule set's score vote (scale, partial ballots, rounding, how titles follow)."""
    data = voting_data(rule_set).get("score_vote")
    if not data:
        raise DomainError(
            [
                Problem(
                    "no_score_vote",
                    gettext_noop("Bộ quy tắc “%(name)s” chưa quy định phiếu chấm điểm."),
                    {"name": rule_set.name},
                    "kind",
                )
            ]
        )
    return data


def is_score(rules: dict) -> bool:
    return rules.get("kind") == SCORE


def as_score(rules: dict, candidates: tuple[str, ...]) -> score_ballots.ScoreRules:
    return score_ballots.rules_from(rules, candidates)


def as_core(rules: dict, candidates: tuple[str, ...]) -> core.Rules:
    return core.rules_from(rules, candidates)
