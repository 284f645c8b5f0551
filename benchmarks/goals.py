"""A benchmark's goals: each measured ratio printed beside its goal, and exit status 1 when
one is missed — so `make bench` fails on a miss instead of printing numbers nobody checks.
The goals are the issues' (e.g. issue 18's table); a ratio is measured against a baseline
taken in the same run, never against a time written down."""

from __future__ import annotations


class Goals:
    def __init__(self) -> None:
        self.missed: list[str] = []

    def at_most(self, what: str, ratio: float, goal: float) -> None:
        """`ratio` (cost over its baseline) must not exceed `goal`."""
        self._check(what, ratio, goal, ratio <= goal, "≤")

    def at_least(self, what: str, ratio: float, goal: float) -> None:
        """`ratio` (e.g. a throughput over its baseline's) must reach `goal`."""
        self._check(what, ratio, goal, ratio >= goal, "≥")

    def _check(self, what: str, ratio: float, goal: float, met: bool, sign: str) -> None:
        print(f"GOAL {what}: {ratio:.2f}× (goal {sign} {goal:g}×): {'met' if met else 'MISSED'}")
        if not met:
            self.missed.append(what)

    def status(self) -> int:
        """The exit status: 1 when a goal was missed, saying which."""
        if self.missed:
            print(f"goals missed: {', '.join(self.missed)}")
        return 1 if self.missed else 0
