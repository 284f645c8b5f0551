"""Demo statistics of Cụm II for 2019 and 2020.

Published (Báo Hà Giang, 16/11/2020, the cluster's 2020 conference): 2.156 cases and 3.066
offenders against social order in the 7 provinces; 1.681 cases solved, "88,7%"; 345 very
serious and especially serious cases, 340 solved, 98,6%; falls against 2019 of 19,6% (Hà
Giang), 26% (Sơn La), 16,5% (Cao Bằng), 12,7% (Lai Châu), 5,3% (Lạng Sơn), 5% (Lào Cai).

Only those totals and falls are published: the split over units, Điện Biên's change and all
2019 figures but the falls are illustrative, chosen so that the totals and falls come out
exactly. The published "88,7%" is stored as published, and the check flags it: 1.681 of
2.156 is 78,0%.
"""

from __future__ import annotations

from decimal import Decimal

from thidua.core.indicators import Period
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle, Unit, User
from thidua.stats import services
from thidua.stats.models import PublishedFigure, Report

# The source of each unit's figures: split from the cluster's published totals and falls
# (the split itself is illustrative: the about page and the README say so).
ILLUSTRATIVE_SPLIT = "Chia theo đơn vị từ tổng của cụm và mức giảm đã công bố (Báo Hà Giang)."
PUBLISHED_SOURCE = "Báo Hà Giang, 16/11/2020: hội nghị tổng kết Cụm thi đua số II năm 2020"

FIELDS = (
    "social_order_cases",
    "social_order_offenders",
    "social_order_solved",
    "serious_cases",
    "serious_solved",
)
FIGURES_2020 = {
    "ha-giang": (353, 502, 276, 57, 56),
    "dien-bien": (247, 351, 193, 40, 40),
    "lai-chau": (192, 273, 150, 31, 30),
    "lang-son": (324, 461, 253, 52, 51),
    "lao-cai": (304, 432, 237, 49, 48),
    "son-la": (518, 737, 404, 83, 82),
    "cao-bang": (218, 310, 168, 33, 33),
}
FIGURES_2019 = {
    "ha-giang": (439, 623, 334, 66, 64),
    "dien-bien": (253, 359, 192, 42, 41),
    "lai-chau": (220, 312, 167, 36, 35),
    "lang-son": (342, 486, 260, 55, 53),
    "lao-cai": (320, 454, 243, 52, 51),
    "son-la": (700, 994, 532, 98, 96),
    "cao-bang": (261, 371, 198, 40, 39),
}
# Each unit's highlights of its 2020 movement, as written with its year report: illustrative
# (the about page says so), in the unit's words but stating only what the newspaper reports
# (the falls, the Party congresses kept safe, the topics discussed at the conference).
HIGHLIGHTS_2020 = {
    "ha-giang": (
        "Số vụ phạm tội về trật tự xã hội trên địa bàn tỉnh giảm 19,6% so với năm 2019.\n"
        "Đại hội Đảng bộ các cấp của tỉnh được bảo vệ an toàn."
    ),
    "dien-bien": (
        "Đại hội Đảng bộ các cấp của tỉnh được bảo vệ an toàn.\n"
        "Đấu tranh với các đạo lạ, hoạt động tôn giáo trái pháp luật trên địa bàn."
    ),
    "lai-chau": "Số vụ phạm tội về trật tự xã hội giảm 12,7% so với năm 2019.",
    "lang-son": (
        "Số vụ phạm tội về trật tự xã hội giảm 5,3% so với năm 2019.\n"
        "Gắn phong trào “Vì an ninh Tổ quốc” với công tác an sinh xã hội, giúp người dân "
        "giảm nghèo."
    ),
    "lao-cai": (
        "Số vụ phạm tội về trật tự xã hội giảm 5,0% so với năm 2019.\n"
        "Tập trung đấu tranh với tội phạm ma túy và tội phạm đánh bạc."
    ),
    "son-la": (
        "Số vụ phạm tội về trật tự xã hội giảm 26,0% so với năm 2019, mức giảm cao nhất trong "
        "7 tỉnh của cụm."
    ),
    "cao-bang": "Số vụ phạm tội về trật tự xã hội giảm 16,5% so với năm 2019.",
}
PUBLISHED_2020 = {
    "social_order_cases": Decimal(2156),
    "social_order_offenders": Decimal(3066),
    "social_order_solved": Decimal(1681),
    "clearance_rate": Decimal("88.7"),
    "serious_cases": Decimal(345),
    "serious_solved": Decimal(340),
    "serious_clearance_rate": Decimal("98.6"),
}


def _figures(row: tuple[int, ...]) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in zip(FIELDS, row, strict=True)}


def load_baseline_2019() -> None:
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=FIGURES_2019)}
    for code, row in FIGURES_2019.items():
        if not Report.objects.filter(unit=units[code], year=2019, period=Period.YEAR).exists():
            services.record_baseline(
                actor=SYSTEM,
                unit=units[code],
                year=2019,
                period=Period.YEAR,
                figures=_figures(row),
                source=ILLUSTRATIVE_SPLIT,
            )


def load_reports_2020(cycle: Cycle) -> None:
    """The units' 2020 reports (the cycle's reporting phase must be open)."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=FIGURES_2020)}
    for code, row in FIGURES_2020.items():
        if not Report.objects.filter(unit=units[code], year=2020, period=Period.YEAR).exists():
            report = services.save_report(
                actor=SYSTEM,
                cycle=cycle,
                unit=units[code],
                period=Period.YEAR,
                figures=_figures(row),
                submit=True,
                highlights=HIGHLIGHTS_2020[code],
            )
            Report.objects.filter(pk=report.pk).update(source=ILLUSTRATIVE_SPLIT)
    if not PublishedFigure.objects.filter(cycle=cycle).exists():
        services.set_published_figures(
            actor=SYSTEM,
            cycle=cycle,
            period=Period.YEAR,
            figures=PUBLISHED_2020,
            source=PUBLISHED_SOURCE,
        )


# Điện Biên's figures for the first half of 2020, entered on its behalf by the leader unit's
# secretary ("nhập thay") and awaiting the unit's confirmation: illustrative (the about page
# says so), like the split above.
ON_BEHALF_UNIT = "dien-bien"
ON_BEHALF_LEADER_SECRETARY = "hagiang.thuky"
ON_BEHALF_H1_2020 = (118, 167, 91, 19, 19)
ON_BEHALF_REASON = (
    "Mưa lũ làm gián đoạn đường truyền của Công an tỉnh Điện Biên; đơn vị gửi số liệu qua "
    "điện thoại, thư ký cụm trưởng nhập thay."
)


def load_on_behalf_2020(cycle: Cycle) -> None:
    """Điện Biên's first-half 2020 report, entered and submitted on its behalf by Hà Giang's
    secretary: it waits for Điện Biên to confirm it and does not count until then (the
    cycle's reporting phase must be open)."""
    _entered_on_behalf(
        cycle, ON_BEHALF_UNIT, ON_BEHALF_H1_2020, ON_BEHALF_REASON, ON_BEHALF_LEADER_SECRETARY
    )


def _entered_on_behalf(cycle: Cycle, code: str, row: tuple, reason: str, secretary: str) -> None:
    """A unit's first-half report of `cycle`'s year, entered and submitted on its behalf
    (once). Written by the demo loader (the log names the demo data), shown as entered by the
    leader unit's `secretary`, as the demo's reports show their illustrative source."""
    unit = Unit.objects.get(code=code)
    if Report.objects.filter(unit=unit, year=cycle.year, period=Period.H1).exists():
        return
    report = services.enter_on_behalf(
        actor=SYSTEM,
        cycle=cycle,
        unit=unit,
        period=Period.H1,
        figures=_figures(row),
        reason=reason,
        submit=True,
    )
    Report.objects.filter(pk=report.pk).update(on_behalf_by=User.objects.get(username=secretary))


# The first half of 2021 (sơ kết 6 tháng, due 15/07/2021 by the rule set's default): four units
# submitted theirs before the deadline; Lạng Sơn's was entered on its behalf by the 2021 leader
# unit's secretary (below); Sơn La and Cao Bằng did not, so the live demo year shows them
# overdue. Illustrative (the about page says so), about half of each unit's 2020 year.
H1_2021 = {
    "ha-giang": (171, 243, 134, 27, 27),
    "dien-bien": (121, 172, 95, 19, 19),
    "lai-chau": (90, 128, 71, 15, 14),
    "lao-cai": (149, 212, 116, 24, 23),
}
# Lạng Sơn's first half of 2021, entered and submitted on its behalf by Lào Cai's secretary
# ("nhập thay"), awaiting Lạng Sơn's confirmation: unlike the 2020 one (its year is history)
# the unit can confirm it in the live year, and only then do its figures count. Illustrative
# (the about page says so), like the figures above.
ON_BEHALF_2021_UNIT = "lang-son"
ON_BEHALF_2021_LEADER_SECRETARY = "laocai.thuky"
ON_BEHALF_H1_2021 = (158, 225, 124, 25, 25)
ON_BEHALF_2021_REASON = (
    "Công an tỉnh Lạng Sơn đang chuyển đổi hệ thống mạng nội bộ, chưa gửi được báo cáo trên "
    "phần mềm; đơn vị gửi số liệu bằng văn bản, thư ký cụm trưởng nhập thay."
)


def load_midyear_2021(cycle: Cycle) -> None:
    """The 2021 first-half reports of the units that submitted them, and Lạng Sơn's entered on
    its behalf, awaiting its confirmation (the mid-year review must be open: 2021 not past its
    reporting phase)."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=H1_2021)}
    for code, row in H1_2021.items():
        if not Report.objects.filter(unit=units[code], year=2021, period=Period.H1).exists():
            services.save_report(
                actor=SYSTEM,
                cycle=cycle,
                unit=units[code],
                period=Period.H1,
                figures=_figures(row),
                submit=True,
            )
    _entered_on_behalf(
        cycle,
        ON_BEHALF_2021_UNIT,
        ON_BEHALF_H1_2021,
        ON_BEHALF_2021_REASON,
        ON_BEHALF_2021_LEADER_SECRETARY,
    )


# Cụm II 2025, across the merger of 1 July 2025: Hà Giang's and Tuyên Quang's 2024 figures (the
# new Tuyên Quang's baseline is their sum), and Hà Giang's 2025 draft, begun in June by its
# secretary and carried to the new Tuyên Quang by the merger. Illustrative (the about page
# says so): no per-unit figures of these years are in our sources.
BASELINE_2024 = {
    "ha-giang": (402, 571, 318, 61, 59),
    "tuyen-quang": (365, 518, 301, 52, 50),
}
BASELINE_2024_SOURCE = "Số liệu cả năm 2024 của đơn vị, nhập để so sánh với năm 2025."
DRAFT_2025 = ("ha-giang", "hagiang25.thuky", (188, 262, 151, 29, 28))
# Hà Giang's first half of 2025, submitted on 30 June, the day before it merged: after the
# merger the H1 table shows it on the new Tuyên Quang's row, labelled as Hà Giang's.
H1_2025 = ("ha-giang", "hagiang25.thuky", (181, 255, 143, 28, 27))


def load_baseline_2024() -> None:
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=BASELINE_2024)}
    for code, row in BASELINE_2024.items():
        if not Report.objects.filter(unit=units[code], year=2024, period=Period.YEAR).exists():
            services.record_baseline(
                actor=SYSTEM,
                unit=units[code],
                year=2024,
                period=Period.YEAR,
                figures=_figures(row),
                source=BASELINE_2024_SOURCE,
            )


def load_draft_2025(cycle: Cycle) -> None:
    """Hà Giang's 2025 draft, saved by its secretary before the merger (reporting open)."""
    code, username, row = DRAFT_2025
    if Report.objects.filter(year=2025, period=Period.YEAR, cycle=cycle).exists():
        return
    services.save_report(
        actor=User.objects.get(username=username),
        cycle=cycle,
        unit=Unit.objects.get(code=code),
        period=Period.YEAR,
        figures=_figures(row),
        submit=False,
    )


def load_h1_2025(cycle: Cycle) -> None:
    """Hà Giang's 2025 first-half report, submitted by its secretary before the merger."""
    code, username, row = H1_2025
    unit = Unit.objects.get(code=code)
    if Report.objects.filter(year=2025, period=Period.H1, unit=unit).exists():
        return
    if not cycle.memberships.filter(unit=unit).exists():  # merged already (an older demo)
        return
    services.save_report(
        actor=User.objects.get(username=username),
        cycle=cycle,
        unit=unit,
        period=Period.H1,
        figures=_figures(row),
        submit=True,
    )
