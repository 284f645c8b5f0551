"""No ranking, band or ranking chart before the scoring is over (every expected sheet
submitted, or the scoring phase closed): only the progress and provisional, unranked
automatic points."""

import json
import re

import pytest

from tests.documents.conftest import all_text, read_docx
from tests.scoring.test_scoring import _cluster_with
from thidua.core.phases import Phase
from thidua.core.policy import TOKEN_SCOPES
from thidua.documents import builders
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.org.models import Cycle
from thidua.scoring import selectors

pytestmark = pytest.mark.django_db

NOT_READY = "Chưa xếp hạng: mới nộp 0/49 phiếu chấm."


def _chart(page: str) -> dict:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page)
    return json.loads(found.group(1))


def test_no_ranking_while_sheets_are_missing(scoring_2021_with_reports):
    results = selectors.results(scoring_2021_with_reports)
    assert results.progress == (0, 49)
    assert not results.ready
    assert results.ranking == []
    assert [p.code for p in results.why_not_ready] == ["ranking_not_ready"]
    assert len(results.standings) == 7  # still computed, for the record


def test_the_results_page_shows_progress_and_unranked_automatic_points(
    scoring_2021_with_reports, client_for
):
    page = client_for("sonla.canbo").get("/clusters/cum-2/2021/results/").content.decode()
    assert NOT_READY in page
    assert 'id="ranking"' not in page
    assert not re.search(r"<td>(Xuất sắc|Tốt|Khá|Trung bình)</td>", page)  # no band
    assert "Tải bảng tổng hợp điểm" not in page
    provisional = page.split('id="provisional"')[1].split("</table>")[0]
    assert "Điểm tự động tạm tính (chưa xếp hạng)" in page
    # in member order, not by points: Sơn La (with figures) is not put first
    names = re.findall(r'<th scope="rowgroup"[^>]*>([^<]+)</th>', provisional)
    members = org_selectors.member_units(scoring_2021_with_reports)
    assert names == [unit.short_name for unit in members]
    assert "chưa có số liệu báo cáo" in provisional  # units without figures say so
    # a unit's own page gives no points before the ranking either
    unit_page = client_for("sonla.canbo").get("/clusters/cum-2/2021/results/son-la/")
    assert unit_page.status_code == 200
    assert "Chưa xếp hạng" in unit_page.content.decode()
    assert 'id="unit-criteria"' not in unit_page.content.decode()
    export = client_for("sonla.canbo").get("/clusters/cum-2/2021/results/export.xlsx")
    assert export.status_code == 409
    assert "Chưa xếp hạng" in export.content.decode()


def test_the_dashboard_draws_no_ranking(scoring_2021_with_reports, client_for):
    page = client_for("laocai.thuky").get("/clusters/cum-2/2021/dashboard/").content.decode()
    assert _chart(page)["ranking"] == {"units": [], "totals": []}
    assert 'id="ranking-chart"' not in page
    assert NOT_READY in page


def test_the_api_says_the_ranking_is_not_ready(scoring_2021_with_reports, get_user):
    from django.test import Client

    _token, key = org_services.create_api_token(
        actor=get_user("quansat"), name="test", scopes=TOKEN_SCOPES
    )
    body = (
        Client(headers={"Authorization": f"Bearer {key}"})
        .get("/api/cycles/cum-2/2021/results")
        .json()
    )
    assert (body["ready"], body["ranking"], body["submitted"], body["expected"]) == (
        False,
        [],
        0,
        49,
    )
    assert body["not_ready"][0].startswith(NOT_READY)


def test_documents_say_the_ranking_is_not_ready(scoring_2021_with_reports):
    plans = {plan.key: plan for plan in builders.plans(scoring_2021_with_reports)}
    assert not plans["score-table"].ready
    assert plans["score-table"].missing[0].startswith(NOT_READY)
    text = all_text(read_docx(builders.year_end_report(scoring_2021_with_reports).content))
    assert f"Kết quả chấm điểm, xếp hạng thi đua: {NOT_READY}" in text
    assert "Hạng" not in text


def test_closing_the_scoring_phase_publishes_the_ranking(
    scoring_2021_with_reports, get_user, client_for
):
    org_services.close_phase(
        actor=get_user("laocai.thuky"), cycle=scoring_2021_with_reports, phase=Phase.SCORING
    )
    results = selectors.results(Cycle.objects.get(pk=scoring_2021_with_reports.pk))
    assert results.ready
    assert len(results.ranking) == 7
    page = client_for("sonla.canbo").get("/clusters/cum-2/2021/results/").content.decode()
    assert 'id="ranking"' in page
    assert "Chưa xếp hạng" not in page


def test_every_sheet_submitted_publishes_the_ranking_while_the_phase_is_open(client_for):
    code = _cluster_with(3, 2)
    cycle = Cycle.objects.get(cluster__code=code, year=2021)
    assert cycle.phase == Phase.SCORING
    assert cycle.phase_is_open
    results = selectors.results(cycle)
    assert results.progress == (9, 9)
    assert results.ready
    assert [result.rank for _unit, result in results.ranking] == [1, 1, 1]
