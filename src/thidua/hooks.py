"""Every hook registry and every hook in it, by dotted name, with the app that fills it.

The organisation sits below the later stages (`thidua.layers`), yet some of its rules depend
on them: a lineage event must not rewrite a year in which a unit reported or scored, opening
a phase may need the agreement signed. So the organisation keeps registries that the later
stages fill from their `AppConfig.ready()`. That inversion keeps the imports one-way; this
list keeps it visible. `tests/test_hooks.py` checks, once Django has started, that each
registry holds exactly these hooks in this order, and that every `register_…` call in a
`ready()` is listed here. Data only: this module imports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hook:
    hook: str  # the registered function
    by: str  # the app whose ready() registers it
    phase: str = ""  # for registries kept per phase


@dataclass(frozen=True)
class Registry:
    store: str  # the module-level list or dict the hooks are kept in
    register: str  # the function a ready() calls
    why: str
    hooks: tuple[Hook, ...]


REGISTRIES: tuple[Registry, ...] = (
    Registry(
        "thidua.audit.services._CATALOG",
        "thidua.audit.services.register_catalog",
        "a cycle's chain logs the indicator catalog its statistics are computed with",
        (Hook("thidua.stats.selectors.computing_catalog", "thidua.stats"),),
    ),
    Registry(
        "thidua.org.selectors._USAGE_PROVIDERS",
        "thidua.org.selectors.register_unit_usage",
        "a lineage event cannot rewrite the years a unit reported figures for or scored in",
        (
            Hook("thidua.stats.selectors.unit_usage", "thidua.stats"),
            Hook("thidua.scoring.selectors.unit_usage", "thidua.scoring"),
        ),
    ),
    Registry(
        "thidua.org.selectors._LATE",
        "thidua.org.selectors.register_late",
        "the cycle page and closing a phase name the member units the open phase waits for",
        (
            Hook("thidua.stats.selectors.late_reports", "thidua.stats", "reporting"),
            Hook("thidua.stats.selectors.late_midyear_reports", "thidua.stats", "midyear"),
            Hook("thidua.scoring.selectors.unconfirmed", "thidua.scoring", "planning"),
            Hook("thidua.scoring.selectors.late_scorers", "thidua.scoring", "scoring"),
        ),
    ),
    Registry(
        "thidua.org.selectors._UNSETTLED",
        "thidua.org.selectors.register_unsettled",
        "closing a phase first says what it leaves contrary to the rules",
        (Hook("thidua.voting.selectors.unsettled", "thidua.voting", "conference"),),
    ),
    Registry(
        "thidua.org.services._PHASE_GUARDS",
        "thidua.org.services.register_phase_guard",
        "opening a phase can need a later stage's work done (the agreement signed)",
        (
            Hook("thidua.scoring.services.agreement_signed", "thidua.scoring", "agreement"),
            Hook("thidua.scoring.services.review_settled", "thidua.scoring", "conference"),
        ),
    ),
    Registry(
        "thidua.org.services._PENDING_MOVERS",
        "thidua.org.services.register_pending_mover",
        "a merger during the year gives the merged units' pending work to the new unit",
        (
            Hook("thidua.stats.services.move_pending_reports", "thidua.stats"),
            Hook("thidua.scoring.services.settle_explanations_first", "thidua.scoring"),
            Hook("thidua.scoring.services.move_pending_sheets", "thidua.scoring"),
            Hook("thidua.scoring.services.describe_inherited_targets", "thidua.scoring"),
            Hook("thidua.scoring.services.describe_inherited_teams", "thidua.scoring"),
        ),
    ),
    Registry(
        "thidua.org.authz._ROLE_PROVIDERS",
        "thidua.org.authz.register_role_provider",
        "delegates and the counting board are appointed per conference, not derived",
        (Hook("thidua.voting.selectors.conference_roles", "thidua.voting"),),
    ),
    Registry(
        "thidua.org.services._ELECTION_CHECKS",
        "thidua.org.services.register_election_check",
        "a hand-over recorded as elected must follow the counted polls",
        (Hook("thidua.voting.services.handover_vote_problems", "thidua.voting"),),
    ),
)
