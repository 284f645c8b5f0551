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
        from thidua.stats.selectors import late_midyear_reports, late_reports, unit_usage

        # A lineage event cannot rewrite the years a unit has reported figures for.
        register_unit_usage(unit_usage)
        # Reporting waits for the units whose report is not submitted.
        register_late(Phase.REPORTING, late_reports)
        # The mid-year review waits for the units whose first-half report is not submitted.
        register_late(Milestone.MIDYEAR, late_midyear_reports)
