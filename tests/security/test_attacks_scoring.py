"""A unit never scores itself — attacked through the leader secretary's powers to enter a
sheet on a member's behalf ("nhập thay") and to excuse its confirmation: the leader unit
writing the peers' scores of its own unit, which then count."""

from decimal import Decimal

import pytest

from tests.scoring.test_review import IN_TIME
from thidua.audit import clock
from thidua.errors import DomainError
from thidua.scoring import selectors, services
from thidua.scoring.models import ScoreSheet

pytestmark = pytest.mark.django_db


def _full_marks(cycle) -> dict[str, Decimal]:
    table = selectors.table_of(selectors.criteria_of(selectors.agreement_of(cycle)))
    return {criterion.code: criterion.max_points for criterion in table.judged}


def _enter(secretary, cycle, scorer, target):
    return services.enter_sheet_on_behalf(
        actor=secretary,
        cycle=cycle,
        scorer=scorer,
        target=target,
        scores=_full_marks(cycle),
        reason="Điện Biên mất điện",
        submit=True,
    )


def test_the_leader_cannot_make_the_sheets_others_give_its_own_unit_count(
    scoring_2021, units, get_user
):
    """Lào Cai leads 2021: its secretary enters Điện Biên's sheet of Lào Cai at full marks
    (nhập thay) and then excuses Điện Biên's confirmation — Lào Cai would have scored itself,
    counted. The sheet waits for Điện Biên's own confirmation instead."""
    secretary = get_user("laocai.thuky")
    with clock.dated(IN_TIME):
        sheet = _enter(secretary, scoring_2021, units["dien-bien"], units["lao-cai"])
        assert sheet.status == ScoreSheet.Status.AWAITING  # not counted yet
        with pytest.raises(DomainError) as refused:
            services.excuse_sheet(actor=secretary, sheet=sheet, reason="Không liên lạc được")
    assert refused.value.problems[0].code == "excuse_own_unit"
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.AWAITING
    # Điện Biên itself may still confirm what was entered for it
    with clock.dated(IN_TIME):
        services.confirm_sheet(actor=get_user("dienbien.thuky"), sheet=sheet)
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.SUBMITTED


def test_the_leader_still_enters_a_sheet_between_two_other_units(scoring_2021, units, get_user):
    """What nhập thay is for stays: Điện Biên's sheet of Cao Bằng, excused, counts."""
    secretary = get_user("laocai.thuky")
    with clock.dated(IN_TIME):
        sheet = _enter(secretary, scoring_2021, units["dien-bien"], units["cao-bang"])
        services.excuse_sheet(actor=secretary, sheet=sheet, reason="Không liên lạc được")
    assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.SUBMITTED
