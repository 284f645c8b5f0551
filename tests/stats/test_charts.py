"""The statistics chart: its data as the tables show it, and a page without indicators."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import thidua

pytestmark = pytest.mark.django_db

STATIC = Path(thidua.__file__).parent / "web" / "static" / "thidua"


def _chart(page: str) -> dict:
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


def rate_units(chart: dict) -> list[str]:
    return chart["units"]


def _indicator(chart: dict, code: str) -> dict:
    return next(i for i in chart["indicators"] if i["code"] == code)


def test_a_cluster_without_figures_has_no_chart_but_a_line_of_text(client_for):
    page = client_for("quansat").get("/clusters/cum-1/2020/stats/").content.decode()
    assert 'id="stats-chart"' not in page
    assert 'id="chart-data"' not in page
    assert 'id="no-chart"' in page
    assert "Chưa có số liệu: biểu đồ hiện khi có đơn vị nộp báo cáo số liệu." in page


HARNESS = """
const drawn = [];
const nodes = {
  "chart-data": { textContent: process.argv[2] },
  "stats-chart": {},
  "chart-indicator": { value: "0", addEventListener() {} },
};
global.document = { readyState: "complete", getElementById: (id) => nodes[id] || null };
global.window = { Chart: function (canvas, config) { drawn.push(config); } };
require(process.argv[1]);
const config = drawn[0];
const context = { dataset: { label: "2020" }, parsed: { y: 77.06 } };
const tip = config ? config.options.plugins.tooltip.callbacks.label(context) : null;
const title = config ? config.options.plugins.title.text : null;
console.log(JSON.stringify({ drawn: drawn.length, title, tip }));
"""


def _run_script(data: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run(
        [node, "-e", HARNESS, str(STATIC / "stats-chart.js"), json.dumps(data)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_script_draws_nothing_without_indicators():
    assert _run_script({"units": [], "year": 2020, "indicators": []}) == {
        "drawn": 0,
        "title": None,
        "tip": None,
    }


def test_tooltips_show_figures_as_the_tables_do():
    rate = {"code": "r", "label": "Tỷ lệ", "decimals": 1, "percent": True, "now": [], "before": []}
    assert _run_script({"units": [], "year": 2021, "indicators": [rate]})["tip"] == ("2020: 77,1%")
    count = {**rate, "decimals": 0, "percent": False}
    assert _run_script({"units": [], "year": 2021, "indicators": [count]})["tip"] == "2020: 77"


def test_chart_values_are_rounded_and_described_as_in_the_table(client_for):
    chart = _chart(client_for("quansat").get("/clusters/cum-2/2020/stats/").content.decode())
    rate = _indicator(chart, "clearance_rate")
    assert (rate["decimals"], rate["percent"]) == (1, True)
    assert all(value == round(value, 1) for value in rate["now"] if value is not None)
    assert rate["now"][rate_units(chart).index("Hà Giang")] == 78.2  # 276/353 = 78,187%
    cases = _indicator(chart, "social_order_cases")
    assert (cases["decimals"], cases["percent"]) == (0, False)


def test_the_chart_title_names_the_measure_once(client_for):
    client = client_for("quansat")
    chart = _chart(client.get("/clusters/cum-2/2020/stats/").content.decode())
    assert _indicator(chart, "social_order_cases")["label"] == (
        "Số vụ phạm tội về trật tự xã hội (vụ)"
    )
    client.post("/i18n/setlang/", {"language": "en"})
    chart = _chart(client.get("/clusters/cum-2/2020/stats/").content.decode())
    assert _indicator(chart, "social_order_cases")["label"] == (
        "Crimes against social order (cases)"
    )


def test_the_javascript_note_is_shown_only_without_javascript(client_for):
    page = client_for("quansat").get("/clusters/cum-2/2020/stats/").content.decode()
    assert re.search(r"<noscript>\s*<p[^>]*>Biểu đồ cần JavaScript", page)
