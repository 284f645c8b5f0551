"""Errors raised by services: a refused input, a wrong state, a refused permission.

They carry the core's `Problem`s and translate them only when shown, so one error reads in
Vietnamese or English depending on who looks at it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from thidua.core.messages import Problem


class DomainError(Exception):
    """Input refused by a rule; nothing was written."""

    status = 400

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__(self.problems)

    def messages(self) -> list[str]:
        return [problem.render(gettext) for problem in self.problems]

    def by_field(self) -> dict[str | None, list[str]]:
        grouped: dict[str | None, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.render(gettext))
        return grouped

    def as_json(self) -> list[dict[str, str | None]]:
        return [
            {"code": problem.code, "field": problem.field, "message": problem.render(gettext)}
            for problem in self.problems
        ]

    def __str__(self) -> str:
        return "; ".join(self.messages())


class StateConflict(DomainError):
    """The object is not in a state that allows this (e.g. its phase is closed)."""

    status = 409


class Refused(PermissionDenied):
    """The actor may not do this on this object."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.message)

    def message(self) -> str:
        return self.problem.render(gettext)

    def __str__(self) -> str:
        return self.message()


def refuse_if(problems: list[Problem], error: type[DomainError] = DomainError) -> None:
    """Raise `error` with `problems` when there are any."""
    if problems:
        raise error(problems)
