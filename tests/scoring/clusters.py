"""A made-up cluster in its scoring phase, for the tests that compare a page at two sizes."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from thidua.core.phases import Phase
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cluster, Cycle, Unit
from thidua.scoring import services
from thidua.scoring.models import ScoreSheet
from thidua.scoring.services import CriterionSpec


def in_scoring(prefix: str, size: int, criteria: int) -> tuple[Cycle, list[Unit]]:
    """`size` units (codes `<prefix><size>-<n>`), one section of `criteria` peer criteria of
    10 points, the agreement confirmed and signed, the scoring phase open; no sheet yet."""
    units = Unit.objects.bulk_create(
        [Unit(code=f"{prefix}{size}-{n}", name=f"Thử {n}", short_name=f"T{n}") for n in range(size)]
    )
    cluster = Cluster.objects.create(code=f"{prefix}-{size}-{criteria}", name="Cụm thử")
    cycle = org_services.create_cycle(
        actor=SYSTEM, cluster=cluster, year=2021, members=units, leader=units[0]
    )
    specs = [CriterionSpec("A", "Mục A", "section", Decimal(criteria * 10))]
    specs += [
        CriterionSpec(f"A.{n}", f"Tiêu chí {n}", "peer", Decimal(10), "A", n)
        for n in range(criteria)
    ]
    services.replace_table(actor=SYSTEM, cycle=cycle, criteria=specs)
    services.set_rules(actor=SYSTEM, cycle=cycle, rules={}, declared_total=Decimal(criteria * 10))
    for unit in units:
        services.confirm_agreement(actor=SYSTEM, cycle=cycle, unit=unit)
    services.sign_agreement(actor=SYSTEM, cycle=cycle)
    for phase, following in [(Phase.AGREEMENT, Phase.REPORTING), (Phase.REPORTING, Phase.SCORING)]:
        org_services.close_phase(actor=SYSTEM, cycle=cycle, phase=phase)
        cycle = org_services.open_phase(actor=SYSTEM, cycle=cycle, phase=following)
    return cycle, units


def given_sheets(cycle: Cycle, given: Iterable[tuple[Unit, Unit, str]]) -> None:
    """A sheet for each (scorer, target, status), without scores: a self-assessment where
    scorer and target are one unit; given on the day (a draft not yet)."""
    ScoreSheet.objects.bulk_create(
        ScoreSheet(
            cycle=cycle,
            scorer=scorer,
            target=target,
            kind=ScoreSheet.Kind.SELF if scorer == target else ScoreSheet.Kind.PEER,
            status=status,
            submitted_at=None if status == ScoreSheet.Status.DRAFT else timezone.now(),
        )
        for scorer, target, status in given
    )
