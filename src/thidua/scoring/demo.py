"""Demo agreement and score sheets of Cụm II for 2020 — illustrative throughout.

The seed tells that the units "bỏ phiếu chấm điểm" at the conference, not the criteria, the
points or who scored what. The table below follows the usual shape of a "Vì an ninh Tổ quốc"
cluster agreement; its points, the targets and every score are illustrative, and labelled so.
The quantitative criteria are computed from the demo statistics (clearance rates), and the
scores of II.3 (crime reduction) are derived from the cycle's own figures: each unit's fall
in cases against social order against last year, as the cluster table shows it (see
`reduction_points`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal as D

from thidua.core.indicators import Kind, Period, change
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle, Unit, User, UserKind
from thidua.scoring import services
from thidua.scoring.models import Agreement, ScoreSheet
from thidua.scoring.services import CriterionSpec, FactSpec
from thidua.stats import selectors as stats_selectors
from thidua.stats.demo import FIELDS, FIGURES_2019, FIGURES_2020

TABLE = [
    CriterionSpec(
        "I", "Công tác lãnh đạo, chỉ đạo, tổ chức phong trào thi đua", "section", D(20), position=10
    ),
    CriterionSpec(
        "I.1", "Ban hành kế hoạch, hướng dẫn, phát động phong trào kịp thời", "peer", D(6), "I", 11
    ),
    CriterionSpec(
        "I.2",
        "Sơ kết, tổng kết, khen thưởng kịp thời, đúng người, đúng việc",
        "peer",
        D(7),
        "I",
        12,
    ),
    CriterionSpec(
        "I.3", "Tuyên truyền, phát hiện, nhân rộng điển hình tiên tiến", "peer", D(7), "I", 13
    ),
    CriterionSpec("II", "Kết quả thực hiện nhiệm vụ trọng tâm", "section", D(40), position=20),
    CriterionSpec(
        "II.1",
        "Tỷ lệ điều tra, khám phá án về trật tự xã hội",
        "quantitative",
        D(12),
        "II",
        21,
        indicator="clearance_rate",
        guidance="Tính từ số liệu thống kê của đơn vị so với chỉ tiêu được giao.",
    ),
    CriterionSpec(
        "II.2",
        "Tỷ lệ điều tra làm rõ án rất nghiêm trọng, đặc biệt nghiêm trọng",
        "quantitative",
        D(12),
        "II",
        22,
        indicator="serious_clearance_rate",
    ),
    CriterionSpec(
        "II.3",
        "Kéo giảm tội phạm về trật tự xã hội so với cùng kỳ",
        "peer",
        D(8),
        "II",
        23,
        guidance=(
            "Căn cứ mức giảm số vụ so với cùng kỳ trong bảng số liệu của cụm: giảm nhiều nhất "
            "được 8 điểm; giảm ít hơn được 4 điểm cộng 4 điểm nhân tỷ lệ giữa mức giảm của "
            "đơn vị và mức giảm nhiều nhất; không giảm được 4 điểm; tăng: 0 điểm."
        ),
    ),
    CriterionSpec(
        "II.4", "Đấu tranh với tội phạm ma tuý, cờ bạc, tệ nạn xã hội", "peer", D(8), "II", 24
    ),
    CriterionSpec("III", "Xây dựng lực lượng Công an nhân dân", "section", D(20), position=30),
    CriterionSpec(
        "III.1", "Xây dựng Đảng, xây dựng đơn vị trong sạch, vững mạnh", "peer", D(10), "III", 31
    ),
    CriterionSpec(
        "III.2",
        "Không có cán bộ, chiến sĩ vi phạm kỷ luật phải xử lý hình thức cao",
        "qualitative",
        D(10),
        "III",
        32,
    ),
    CriterionSpec("IV", "Tham gia hoạt động chung của cụm", "section", D(20), position=40),
    CriterionSpec(
        "IV.1", "Tham gia đầy đủ, có chất lượng các hoạt động của cụm", "peer", D(10), "IV", 41
    ),
    CriterionSpec(
        "IV.2",
        "Trao đổi kinh nghiệm, phối hợp đấu tranh tội phạm với các đơn vị trong cụm",
        "peer",
        D(10),
        "IV",
        42,
    ),
    CriterionSpec(
        "V",
        "Điểm thưởng, điểm trừ",
        "bonus_penalty",
        D(5),
        position=50,
        min_points=D(-5),
        points_each=D(1),
        penalty_each=D(1),
        guidance=(
            "Thưởng 1 điểm mỗi chuyên án, chiến công được Bộ khen; trừ 1 điểm mỗi lần chậm báo cáo."
        ),
    ),
]

UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]
TARGETS = {"II.1": D(75), "II.2": D(90)}  # the same for every unit, illustrative
# How well each unit did on the judged criteria (0–1), and how generous each scorer is.
QUALITY = {
    "ha-giang": D("0.90"),
    "dien-bien": D("0.82"),
    "lai-chau": D("0.80"),
    "lang-son": D("0.86"),
    "lao-cai": D("0.88"),
    "son-la": D("0.85"),
    "cao-bang": D("0.83"),
}
GENEROSITY = {
    "ha-giang": D("0.00"),
    "dien-bien": D("0.03"),
    "lai-chau": D("-0.02"),
    "lang-son": D("0.01"),
    "lao-cai": D("-0.01"),
    "son-la": D("0.02"),
    "cao-bang": D("0.00"),
}
BONUSES = {"ha-giang": D(2), "son-la": D(1), "lao-cai": D(1)}
PENALTIES = {"lai-chau": D(1)}


def _on_step(value: D, step: D = D("0.25")) -> D:
    return (value / step).quantize(D(1)) * step


def load_agreement(cycle: Cycle) -> None:
    """The 2020 agreement, its targets, and its signing (the cycle must be in planning)."""
    if Agreement.objects.filter(cycle=cycle, signed_at__isnull=False).exists():
        return
    services.replace_table(actor=SYSTEM, cycle=cycle, criteria=TABLE)
    services.set_rules(
        actor=SYSTEM,
        cycle=cycle,
        declared_total=D(100),
        rules={
            "aggregation": "trimmed_mean",
            "step": "0.25",
            "tie_breaks": ["section:II", "first_places"],
            "bands": [
                {"minimum": "90", "label": "Xuất sắc"},
                {"minimum": "80", "label": "Tốt"},
                {"minimum": "65", "label": "Khá"},
                {"minimum": "0", "label": "Trung bình"},
            ],
            "gap_threshold": "8",
        },
    )
    services.set_targets(
        actor=SYSTEM,
        cycle=cycle,
        targets={(unit, code): value for unit in UNITS for code, value in TARGETS.items()},
    )
    # Each member unit's director confirms the agreement for that unit (the system where the
    # demo has no director account), then the leader's secretary signs.
    directors = {
        user.unit_id: user
        for user in User.objects.filter(
            kind=UserKind.DIRECTOR, unit__code__in=UNITS, is_active=True
        )
    }
    for unit in Unit.objects.filter(code__in=UNITS):
        services.confirm_agreement(actor=directors.get(unit.pk, SYSTEM), cycle=cycle, unit=unit)
    services.sign_agreement(actor=SYSTEM, cycle=cycle)


REDUCTION = "II.3"  # judged from the statistics, not from the unit's general quality
REDUCTION_INDICATOR = "social_order_cases"


def reduction_points(changes: Mapping[str, D | None], maximum: D) -> dict[str, D]:
    """II.3 for each unit from its change in cases against last year (%, negative: a fall),
    by the police scoring formula with "no rise" as the target: the largest fall gets the
    maximum; a smaller fall half of it plus the other half in proportion to the largest
    fall; no change half; a rise (or no comparable figure) nothing. On the 0,25 step."""
    falls = {unit: -value for unit, value in changes.items() if value is not None}
    best = max([fall for fall in falls.values() if fall > 0], default=D(0))
    half = maximum / 2
    points = {}
    for unit in changes:
        fall = falls.get(unit)
        if fall is None or fall < 0:
            points[unit] = D(0)
        elif fall == 0:
            points[unit] = _on_step(half)
        else:
            points[unit] = _on_step(half + half * fall / best)
    return points


def _reduction_maximum() -> D:
    return next(spec.max_points for spec in TABLE if spec.code == REDUCTION)


def cycle_reduction_points(cycle: Cycle) -> dict[str, D]:
    """II.3 from the cycle's statistics: each member's change in cases against social order
    against last year, as the cluster table of the year computes and shows it."""
    table = stats_selectors.cluster_table(cycle, Period.YEAR)
    changes = {}
    for row in table.rows:
        cell = next(c for c in row.cells if c.indicator.code == REDUCTION_INDICATOR)
        changes[row.unit.code] = cell.change.percent if cell.change else None
    return reduction_points(changes, _reduction_maximum())


def demo_reduction_points() -> dict[str, D]:
    """II.3 from the demo's 2020 and 2019 figures, for tests that enter those figures in a
    cycle of their own through the pages (the same numbers `cycle_reduction_points` reads)."""
    index = FIELDS.index(REDUCTION_INDICATOR)
    changes = {}
    for unit in UNITS:
        found = change(D(FIGURES_2020[unit][index]), D(FIGURES_2019[unit][index]), Kind.COUNT)
        changes[unit] = found.percent if found else None
    return reduction_points(changes, _reduction_maximum())


def sheet_scores(
    scorer: str, target: str, reduction: Mapping[str, D] | None = None
) -> dict[str, D]:
    """The illustrative scores `scorer` gives `target` on the judged criteria; II.3 is the
    figure every scorer reads from the statistics (`reduction`: by unit; by default the demo's
    own figures)."""
    lift = D("0.08") if scorer == target else GENEROSITY[scorer]  # units rate themselves well
    reduction = demo_reduction_points() if reduction is None else reduction
    return {
        spec.code: reduction[target]
        if spec.code == REDUCTION
        else _on_step(min(spec.max_points, spec.max_points * (QUALITY[target] + lift)))
        for spec in TABLE
        if spec.kind == "peer"
    }


#: The reason a demo scorer gives where it scores a criterion below the self-assessment:
#: illustrative (the about page says so), worded as a scorer would write it on the sheet.
DEMO_REASONS = {
    "I.1": "Kế hoạch thi đua năm ban hành sau thời hạn hướng dẫn.",
    "I.2": "Sơ kết, tổng kết chuyên đề chưa đủ theo kế hoạch đề ra.",
    "I.3": "Số điển hình tiên tiến được phát hiện, nhân rộng còn ít.",
    "II.3": "Mức giảm tội phạm về trật tự xã hội thấp hơn mức đơn vị tự đánh giá.",
    "II.4": "Kết quả đấu tranh với tội phạm ma tuý chưa tương xứng với địa bàn.",
    "III.1": "Còn cán bộ, chiến sĩ bị nhắc nhở về chấp hành điều lệnh.",
    "IV.1": "Chưa tham gia đầy đủ một số hoạt động chung của cụm.",
}
DEMO_REASON = "Kết quả đạt được chưa tương xứng với mức đơn vị tự chấm."


def load_sheets(cycle: Cycle) -> None:
    """Every member's self-assessment and its six peers' sheets, submitted; the facts."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=UNITS)}
    reduction = cycle_reduction_points(cycle)
    for target in UNITS:
        for scorer in UNITS:
            if ScoreSheet.objects.filter(
                cycle=cycle, scorer=units[scorer], target=units[target]
            ).exists():
                continue
            scores = sheet_scores(scorer, target, reduction)
            own = sheet_scores(target, target, reduction)
            services.save_sheet(
                actor=SYSTEM,
                cycle=cycle,
                scorer=units[scorer],
                target=units[target],
                scores=scores,
                submit=True,
                reasons={
                    code: DEMO_REASONS.get(code, DEMO_REASON)
                    for code, value in scores.items()
                    if value < own[code]
                },
            )
    services.record_facts(
        actor=SYSTEM,
        cycle=cycle,
        facts=[FactSpec(unit, "III.2", achieved=True) for unit in UNITS]
        + [
            FactSpec(unit, "V", count=BONUSES.get(unit, D(0)), penalties=PENALTIES.get(unit, D(0)))
            for unit in UNITS
        ],
    )


#: The demo's two explanations (giải trình), illustrative: (unit, criterion, accepted).
#: Lạng Sơn's is accepted and the reviewer raises its score by one step; Hà Giang's (the
#: leader's own unit, so concluded by the deputy, Lào Cai) is refused and the score kept.
EXPLANATIONS = (("lang-son", "I.2", True), ("ha-giang", "I.3", False))


def _secretary(unit: Unit) -> User:
    return User.objects.get(unit=unit, kind=UserKind.SECRETARY, username__endswith=".thuky")


def load_explanations(cycle: Cycle) -> None:
    """During scoring: one explanation accepted (score changed), one refused (score kept)."""
    from thidua.core import review as core_review
    from thidua.scoring import selectors

    leader = cycle.leader.code if cycle.leader_id else None
    deputy = cycle.deputy.code if cycle.deputy_id else None
    for code, criterion_code, accepted in EXPLANATIONS:
        unit = Unit.objects.get(code=code)
        row = next(
            r for r in selectors.review_of(cycle, unit) if r.criterion.code == criterion_code
        )
        # the lowest score below the self-assessment, from a unit that does not conclude
        lines = sorted(
            (
                line
                for line in row.lines
                if line.explanation is None and line.reviewer.code not in (leader, deputy)
            ),
            key=lambda line: (line.value, line.reviewer.code),
        )
        if not lines:
            continue
        line = lines[0]
        explanation = services.file_explanation(
            actor=_secretary(unit),
            cycle=cycle,
            unit=unit,
            criterion=row.criterion,
            reviewer=line.reviewer,
            text="Đơn vị đã ban hành đủ văn bản theo kế hoạch; đề nghị xem xét lại.",
        )
        answered = services.answer_explanation(
            actor=_secretary(line.reviewer),
            explanation=explanation,
            keep=not accepted,
            reason="Đã đối chiếu hồ sơ đơn vị gửi kèm."
            if accepted
            else "Hồ sơ chưa chứng minh được kết quả.",
            value=line.value + selectors.rules_of(selectors.agreement_of(cycle)).step
            if accepted
            else None,
        )
        finaliser = Unit.objects.get(code=core_review.finaliser(code, leader, deputy))
        services.finalise_explanation(
            actor=_secretary(finaliser),
            explanation=answered,
            accept=accepted,
            note="Chấp nhận giải trình." if accepted else "Giữ kết quả chấm.",
        )
