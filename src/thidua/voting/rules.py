"""Reading a rule set's voting rules (titles, quotas, thresholds) and a poll's copied rules.

The rule set is versioned data (`org.RuleSet.data["voting"]`); a poll copies the rules it is
created under into its own `rules`, so that later changes never touch a past vote.
"""

from __future__ import annotations

from thidua.core import ballots as core
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
    for leader and deputy."""
    data = voting_data(rule_set)
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


def as_core(rules: dict, candidates: tuple[str, ...]) -> core.Rules:
    return core.rules_from(rules, candidates)
