from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "thidua.stats"
    label = "stats"
    verbose_name = _("Số liệu thống kê")

    def ready(self):
        from thidua.audit.services import register_catalog
        from thidua.core.deadlines import Milestone
        from thidua.core.phases import Phase
        from thidua.org.selectors import register_late, register_unit_usage
        from thidua.org.services import register_pending_mover
        from thidua.stats.selectors import (
            computing_catalog,
            late_midyear_reports,
            late_reports,
            unit_usage,
        )
        from thidua.stats.services import move_pending_reports

        # A lineage event cannot rewrite the years a unit has reported figures for.
        register_unit_usage(unit_usage)
        # Reporting waits for the units whose report is not submitted.
        register_late(Phase.REPORTING, late_reports)
        # The mid-year review waits for the units whose first-half report is not submitted.
        register_late(Milestone.MIDYEAR, late_midyear_reports)
        # A merger during the year gives the merged units' reports of the year to the new unit.
        register_pending_mover(move_pending_reports)
        # A cycle's chain logs the indicator catalog its statistics are computed with.
        register_catalog(computing_catalog)
        # …and logs it again after a migration changed it (the catalog is seeded by one)
        post_migrate.connect(_log_catalog, sender=self)


def _log_catalog(**kwargs) -> None:
    from thidua.audit.services import log_catalog

    log_catalog()
