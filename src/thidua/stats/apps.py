from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "thidua.stats"
    label = "stats"
    verbose_name = _("Số liệu thống kê")

    def ready(self):
        from thidua.core.deadlines import Milestone
        from thidua.core.phases import Phase
        from thidua.org.selectors import register_late, register_unit_usage
        from thidua.org.services import register_pending_mover
        from thidua.stats.selectors import late_midyear_reports, late_reports, unit_usage
        from thidua.stats.services import move_pending_reports

        # A lineage event cannot rewrite the years a unit has reported figures for.
        register_unit_usage(unit_usage)
        # Reporting waits for the units whose report is not submitted.
        register_late(Phase.REPORTING, late_reports)
        # The mid-year review waits for the units whose first-half report is not submitted.
        register_late(Milestone.MIDYEAR, late_midyear_reports)
        # A merger during the year gives the merged units' reports of the year to the new unit.
        register_pending_mover(move_pending_reports)
