from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "thidua.scoring"
    label = "scoring"
    verbose_name = _("Giao ước và chấm điểm")

    def ready(self):
        from thidua.core.phases import Phase
        from thidua.org.selectors import register_late, register_unit_usage
        from thidua.org.services import register_pending_mover, register_phase_guard
        from thidua.scoring.selectors import late_scorers, unconfirmed, unit_usage
        from thidua.scoring.services import (
            agreement_signed,
            describe_inherited_targets,
            describe_inherited_teams,
            move_pending_sheets,
            review_settled,
            settle_explanations_first,
        )

        # Opening "agreement signed" needs the agreement signed, if the cycle has one, and
        # every member's director's confirmation of it (or the reason recorded why not).
        register_phase_guard(Phase.AGREEMENT, agreement_signed)
        # The conference waits until every judged criterion has a scorer and every
        # explanation of a score (giải trình) is concluded.
        register_phase_guard(Phase.CONFERENCE, review_settled)
        # Planning waits for the member units whose directors have not confirmed the agreement.
        register_late(Phase.PLANNING, unconfirmed)
        # A lineage event cannot rewrite the years in which a unit scored or was scored.
        register_unit_usage(unit_usage)
        # Scoring waits for the units whose score sheets are missing.
        register_late(Phase.SCORING, late_scorers)
        # A merger during the year waits for the merged units' pending explanations (they
        # cannot move without their submitted sheets), gives their draft score sheets to the
        # new unit, and records the targets and the inspection-team places the signed
        # agreement gives it.
        register_pending_mover(settle_explanations_first)
        register_pending_mover(move_pending_sheets)
        register_pending_mover(describe_inherited_targets)
        register_pending_mover(describe_inherited_teams)
