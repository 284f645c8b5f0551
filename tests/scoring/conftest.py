"""Cụm II 2021 with figures: Sơn La's report submitted, Lai Châu's left as a draft."""

import pytest


@pytest.fixture
def scoring_2021_with_reports(cycle, get_user):
    """The 2021 agreement copied from 2020 and signed; in the reporting phase Sơn La submits
    its 2020 figures again and Lai Châu saves a draft (Điện Biên reports nothing); then the
    scoring phase opens."""
    from thidua.core.indicators import Period
    from thidua.core.phases import Phase
    from thidua.org import services as org_services
    from thidua.org.authz import SYSTEM
    from thidua.org.models import Unit
    from thidua.scoring import services
    from thidua.stats import services as stats_services
    from thidua.stats.demo import FIGURES_2020, _figures

    secretary = get_user("laocai.thuky")
    current = cycle("cum-2", 2021)
    services.copy_agreement(actor=secretary, cycle=current, source=cycle("cum-2", 2020))
    for unit in current.members.all():
        services.confirm_agreement(actor=SYSTEM, cycle=current, unit=unit)
    services.sign_agreement(actor=secretary, cycle=current)
    current = cycle("cum-2", 2021)
    current = org_services.close_phase(actor=secretary, cycle=current, phase=Phase.AGREEMENT)
    current = org_services.open_phase(actor=secretary, cycle=current, phase=Phase.REPORTING)
    for code, submit in (("son-la", True), ("lai-chau", False)):
        stats_services.save_report(
            actor=SYSTEM,
            cycle=current,
            unit=Unit.objects.get(code=code),
            period=Period.YEAR,
            figures=_figures(FIGURES_2020[code]),
            submit=submit,
        )
    current = org_services.close_phase(actor=secretary, cycle=current, phase=Phase.REPORTING)
    return org_services.open_phase(actor=secretary, cycle=current, phase=Phase.SCORING)
