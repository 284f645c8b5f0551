"""docs/permissions.md, rendered from the policy table and the HTTP matrix.

.venv/bin/python -m tests.security.render > docs/permissions.md   (make permissions)
"""

from __future__ import annotations

from tests.security.matrix import EXEMPT, NOT_OVER_HTTP, PEOPLE, PROBES
from thidua.core.policy import ACTION_LABELS, POLICY, Role

ROLES = [
    Role.ADMIN,
    Role.OBSERVER,
    Role.LEADER_SECRETARY,
    Role.OFFICER,
    Role.DELEGATE,
    Role.BOARD,
    Role.DIRECTOR,
    Role.MEMBER,
    Role.USER,
]


def render() -> str:
    lines = [
        "# Permissions",
        "",
        "Generated from `thidua/core/policy.py` (the table the app enforces) and",
        "`tests/security/matrix.py` (every route tried over HTTP); do not edit by hand:",
        "`make permissions` writes it, and a test fails when it is out of date.",
        "",
        "## Who may do what, in which phase",
        "",
        "✓: allowed in every state; a list: allowed only in those states (phases of the",
        "cycle, or a unit's `active` state). *leader_secretary* is the secretary of the",
        "cycle's leader unit; *officer* acts for their own unit; *director* is the head",
        "of their own member unit (confirms the agreement for it); *member* is anyone of a",
        "member unit; *user* anyone signed in. Nobody, admins included, can see who cast",
        "which ballot: no route shows it.",
        "",
        "| action | " + " | ".join(role.value for role in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for action, rule in POLICY.items():
        states = ", ".join(sorted(rule.states)) if rule.states is not None else "✓"
        cells = [states if role in rule.roles else "" for role in ROLES]
        lines.append(f"| `{action.value}` ({ACTION_LABELS[action]}) | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Routes and the actions they check",
        "",
        f"Tried as each of {len(PEOPLE)} people ("
        + ", ".join(f"`{name}` {what}" for name, what in PEOPLE.items())
        + ") and, for phase-bound routes, in every phase.",
        "",
        "| route | method | path | actions | on |",
        "|---|---|---|---|---|",
    ]
    for probe in PROBES:
        actions = ", ".join(f"`{action.value}`" for action in probe.actions)
        lines.append(
            f"| `{probe.route}` | {probe.method} | `{probe.path}` | {actions} | {probe.on} |"
        )
    lines += ["", "Routes outside the matrix:", ""]
    lines += [f"- `{route}`: {why}" for route, why in EXEMPT.items()]
    lines += ["", "Actions no route performs:", ""]
    lines += [f"- `{action.value}`: {why}" for action, why in NOT_OVER_HTTP.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
