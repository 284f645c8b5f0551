"""The whole year 2020 of Cụm thi đua số II in the browser, from the Ministry opening it to
Lào Cai's secretary leading 2021 (the steps are in `journey.py`)."""

import pytest
from tests.e2e import journey as step

pytestmark = pytest.mark.e2e

STEPS = [
    step.admin_creates_the_year,
    step.secretary_signs_the_agreement,
    step.secretary_opens_reporting,
    step.son_la_reports_by_form,
    step.lao_cai_reports_by_excel,
    step.other_units_report_through_the_api,
    step.secretary_sees_the_cluster_table_and_opens_scoring,
    step.son_la_scores_by_form,
    step.son_la_cannot_fill_another_units_sheet,
    step.other_sheets_through_the_api,
    step.secretary_closes_scoring,
    step.delegates_sign_in_on_their_phones,
    step.secretary_prepares_the_conference,
    step.secretary_checks_delegates_in,
    step.the_government_flag_first,
    step.the_ministry_flag_goes_to_a_runoff,
    step.the_other_polls,
    step.results_on_the_screen,
    step.the_dashboard,
    step.documents_download,
    step.leadership_passes_to_lao_cai,
]


def test_the_year_2020_of_cum_ii(visit, server):
    journey = step.Journey(visit, server)
    for do in STEPS:
        do(journey)
