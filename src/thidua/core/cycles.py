"""Checks on a cluster year's make-up: who is a member, who leads and who deputises."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from thidua.core.lineage import Lineage
from thidua.core.messages import Problem, gettext_noop

FIRST_YEAR = 2000
LAST_YEAR = 2100
MIN_MEMBERS = 2


def check_year(year: int) -> list[Problem]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [
            Problem(
                "year_out_of_range",
                gettext_noop("Năm %(year)s nằm ngoài khoảng %(first)s–%(last)s."),
                {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR},
                "year",
            )
        ]
    return []


def check_members(year: int, members: Sequence[str], lineage: Lineage) -> list[Problem]:
    """Members must exist in `year`, appear once, and not stand for the same territory."""
    problems: list[Problem] = []
    if len(set(members)) != len(members):
        problems.append(
            Problem(
                "repeated_member",
                gettext_noop("Một đơn vị được nêu hai lần trong danh sách thành viên."),
                {},
                "members",
            )
        )
    unique = list(dict.fromkeys(members))
    if len(unique) < MIN_MEMBERS:
        problems.append(
            Problem(
                "too_few_members",
                gettext_noop("Cụm thi đua cần ít nhất %(count)s đơn vị thành viên."),
                {"count": MIN_MEMBERS},
                "members",
            )
        )
    for code in unique:
        span = lineage.units.get(code)
        if span is None:
            problems.append(
                Problem(
                    "unknown_unit",
                    gettext_noop("Không có đơn vị mã %(code)s."),
                    {"code": code},
                    "members",
                )
            )
        elif not span.valid_in_year(year):
            problems.append(
                Problem(
                    "member_not_in_year",
                    gettext_noop("%(unit)s không tồn tại trong năm %(year)s."),
                    {"unit": span.label, "year": year},
                    "members",
                )
            )
    for first, second in combinations(unique, 2):
        if first in lineage.units and second in lineage.units and lineage.related(first, second):
            problems.append(
                Problem(
                    "members_related",
                    gettext_noop(
                        "%(first)s và %(second)s cùng đại diện một địa bàn (đơn vị này hình "
                        "thành từ đơn vị kia), nên không thể cùng là thành viên."
                    ),
                    {
                        "first": lineage.units[first].label,
                        "second": lineage.units[second].label,
                    },
                    "members",
                )
            )
    return problems


def check_leadership(
    *,
    year: int,
    leader: str | None,
    deputy: str | None,
    eligible: Sequence[str],
    lineage: Lineage,
) -> list[Problem]:
    """The leader (required) and deputy (optional) must be distinct units among `eligible`
    that exist in `year`, the year they lead."""
    problems: list[Problem] = []
    if leader is None:
        return [
            Problem(
                "leader_required",
                gettext_noop("Phải chọn đơn vị cụm trưởng."),
                {},
                "leader",
            )
        ]
    roles = [("leader", leader)] + ([("deputy", deputy)] if deputy is not None else [])
    for field_name, code in roles:
        span = lineage.units.get(code)
        name = span.name if span else code
        if code not in eligible:
            problems.append(
                Problem(
                    f"{field_name}_not_member",
                    gettext_noop("Cụm trưởng %(unit)s không phải là thành viên của cụm.")
                    if field_name == "leader"
                    else gettext_noop("Cụm phó %(unit)s không phải là thành viên của cụm."),
                    {"unit": name},
                    field_name,
                )
            )
        elif span is not None and not span.valid_in_year(year):
            problems.append(
                Problem(
                    f"{field_name}_not_in_year",
                    gettext_noop("%(unit)s không tồn tại trong năm %(year)s."),
                    {"unit": name, "year": year},
                    field_name,
                )
            )
    if deputy is not None and deputy == leader:
        problems.append(
            Problem(
                "deputy_is_leader",
                gettext_noop("Cụm phó phải là đơn vị khác cụm trưởng."),
                {},
                "deputy",
            )
        )
    return problems
