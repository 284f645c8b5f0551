"""The cycle dashboard and the Ministry's overview: figures, charts' data, refusals, queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _json(page: str, element_id: str) -> dict:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, element_id
    return json.loads(found.group(1))


def test_the_cycle_dashboard_shows_the_year(client_for):
    response = client_for("sonla.canbo").get("/clusters/cum-2/2020/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2.156" in page  # the cluster's cases
    assert "giảm 15,0%" in page
    charts = _json(page, "dashboard-data")
    assert charts["ranking"]["units"][0] == "Hà Giang"
    # II.3 (crime reduction) follows the figures: Hà Giang 7 of 8 points for its 19,6 % fall
    assert charts["ranking"]["totals"][0] == pytest.approx(94.38, abs=0.01)
    assert charts["turnout"]["voted"][0] == 21
    stats = _json(page, "chart-data")
    cases = next(i for i in stats["indicators"] if i["code"] == "social_order_cases")
    assert sum(cases["now"]) == 2156
    assert "<script>" not in page  # data as JSON, drawn by a static script (no inline code)


def test_the_overview_puts_clusters_side_by_side(client_for):
    page = client_for("quansat").get("/dashboard/?year=2020").content.decode()
    assert "Cụm thi đua số II – Bộ Công an" in page
    assert "Cụm thi đua số I – Bộ Công an" in page
    chart = _json(page, "overview-data")
    index = chart["clusters"].index("Cụm thi đua số II – Bộ Công an")
    assert chart["now"][index] == 2156
    assert chart["before"][index] == 2535  # the 2019 figures of the same seven provinces
    assert "7/7" in page


@pytest.mark.parametrize("username", ["sonla.canbo", "hagiang.thuky", "sonla.daibieu"])
def test_the_overview_is_for_the_ministry(client_for, username):
    assert client_for(username).get("/dashboard/").status_code == 403


def test_another_cluster_cannot_see_the_dashboard(client_for):
    assert client_for("hanoi.canbo").get("/clusters/cum-2/2020/dashboard/").status_code == 403


def test_the_overview_queries_do_not_grow_with_clusters(client_for, get_user):
    from thidua.org import services
    from thidua.org.authz import SYSTEM
    from thidua.org.models import Cluster, Unit

    client = client_for("admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/?year=2020").status_code == 200
        return len(queries)

    before = count()
    codes = ["quang-ninh", "bac-giang", "bac-ninh"]
    for number in range(3):
        cluster = Cluster.objects.create(code=f"cum-x{number}", name=f"Cụm thử {number}")
        services.create_cycle(
            actor=SYSTEM,
            cluster=cluster,
            year=2020,
            members=list(Unit.objects.filter(code__in=codes)),
            leader=Unit.objects.get(code="quang-ninh"),
        )
    assert count() == before


def test_the_overview_opens_on_the_latest_year_with_figures(client_for):
    page = client_for("admin").get("/dashboard/").content.decode()
    assert "Tổng quan các cụm thi đua 2020" in page  # 2021 exists but has no figures yet
    empty = client_for("admin").get("/dashboard/?year=2021").content.decode()
    assert 'id="overview-data"' not in empty
    assert client_for("admin").get("/dashboard/?year=x").status_code == 404


def test_chart_labels_come_translated_from_the_page(client_for):
    from pathlib import Path

    import thidua

    page = client_for("quansat").get("/clusters/cum-2/2020/dashboard/").content.decode()
    assert 'data-voted="Đã bỏ phiếu"' in page
    assert 'data-electorate="Triệu tập"' in page
    script = (Path(thidua.__file__).parent / "web/static/thidua/dashboard.js").read_text()
    for text in ("Tổng điểm", "Đã bỏ phiếu", "Triệu tập"):
        assert text not in script
