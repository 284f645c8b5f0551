"""Hostile input: generated Excel files for the statistics import and generated calls to every
API operation (schemathesis, from /api/openapi.json). Nothing may answer with a server error,
and a refused file writes nothing."""

import io
import os

import openpyxl
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from schemathesis.specs.openapi.checks import response_schema_conformance

from thidua.stats.models import Report

pytestmark = pytest.mark.django_db

# `make fuzz` multiplies the generated inputs for a longer run than the suite can afford.
SCALE = int(os.environ.get("THIDUA_FUZZ_SCALE", "1"))

IMPORT = "/clusters/cum-2/2021/stats/import/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, content: bytes, name: str = "bao-cao.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(IMPORT, {"file": upload, "submit": "1"})


LETTERS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(LETTERS, max_size=40),
    st.sampled_from(["=1+1", "=SUM(A1:A9)", "1.234,5", "1,5", "2.156", "-0", "1e309", "١٢٣"]),
    st.booleans(),
    st.dates(),
)


@st.composite
def workbooks(draw):
    """A template-like workbook with anything in its cells, sheets and merges."""
    workbook = openpyxl.Workbook()
    sheets = draw(
        st.lists(
            st.text(LETTERS, min_size=1, max_size=31).filter(
                lambda name: not set(name) & set("[]:*?/\\'")
            ),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    for index, title in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        for row in range(1, draw(st.integers(min_value=0, max_value=30)) + 1):
            for column in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
                sheet.cell(row, column, draw(values))
        if draw(st.booleans()) and sheet.max_row > 2:
            sheet.merge_cells(f"A1:{get_column_letter(3)}2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_generated_workbooks_never_break_the_import(reporting_cycle, client_for, fuzz_report):
    client = client_for("sonla.canbo")
    before = Report.objects.filter(year=2021).count()
    counts = {"inputs": 0, "5xx": 0, "writes": 0}

    @settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
    @given(workbooks())
    def run(content):
        response = _post(client, content)
        counts["inputs"] += 1
        counts["5xx"] += response.status_code >= 500
        if response.status_code != 302:  # refused: nothing written
            counts["writes"] += Report.objects.filter(year=2021).count() != before
        assert response.status_code in (302, 400, 403, 409), response.status_code

    run()
    fuzz_report.update(xlsx_inputs=counts["inputs"], xlsx_5xx=counts["5xx"])
    fuzz_report["xlsx_writes"] = counts["writes"]
    assert counts["5xx"] == 0
    assert counts["writes"] == 0


def _bomb() -> bytes:
    """A zip whose one member unpacks to 200 MB of zeros."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"0" * 200 * 1024 * 1024)
    return out.getvalue()


def _long_template() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sơn La"
    for row in range(1, 10_001):
        sheet.cell(row, 1, "social_order_cases")
        sheet.cell(row, 4, row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "says"),
    [
        (lambda: b"", "rong.xlsx", "không phải là bảng tính"),
        (lambda: b"PK\x03\x04 not really", "hong.xlsx", "không phải là bảng tính"),
        (lambda: "bảng tính".encode("cp1258", "replace"), "b\xe1ng.xlsx", "không phải"),
        (_bomb, "bom.xlsx", "lớn quá 50 MB"),
        (lambda: b"x" * (6 * 1024 * 1024), "to.xlsx", "lớn quá 5 MB"),
        (_long_template, "dai.xlsx", "quá 500 hàng"),
    ],
)
def test_hostile_files_are_refused_with_a_reason(
    reporting_cycle, client_for, fuzz_report, make, name, says
):
    before = Report.objects.count()
    content = make()
    response = _post(client_for("sonla.canbo"), content, name)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Report.objects.count() == before
    if len(content) > 5 * 1024 * 1024:
        fuzz_report.update(big_upload_mb=len(content) // (1024 * 1024), big_upload_status=400)


# --- every API operation, generated from its own description -------------------------------


def _schema():
    from thidua.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


schema = _schema()
CALLS = {"calls": 0, "5xx": 0}


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus the per-request connection clean-up that would close
    the test's transaction on PostgreSQL (Django's own test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    from thidua.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key(db, get_user):
    from thidua.core.policy import TOKEN_SCOPES
    from thidua.org.services import create_api_token

    return create_api_token(actor=get_user("admin"), name="fuzz", scopes=TOKEN_SCOPES)[1]


@schema.parametrize()
@settings(max_examples=12 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_api_calls_never_break_the_server(case, wsgi_app, admin_key, fuzz_report):
    # the WSGI transport sends requests' "Accept-Encoding: gzip" but does not decode as a
    # browser does: plain answers here (gzip is tested in tests/web/test_compression.py)
    headers = {"Authorization": f"Bearer {admin_key}", "Accept-Encoding": "identity"}
    response = case.call(app=wsgi_app, headers=headers)
    CALLS["calls"] += 1
    CALLS["5xx"] += response.status_code >= 500
    fuzz_report.update(api_calls=CALLS["calls"], api_5xx=CALLS["5xx"])
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    case.validate_response(response, checks=[response_schema_conformance])


# --- NUL characters: PostgreSQL cannot store them; they are refused with a reason ----------


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("post", "/api/lineage-events", {"data": '{"kind": "merge\\u0000"}'}),
        ("put", "/api/cycles/cum-2/2021/reports/1", {"data": '{"values": {"a\\u0000": 1}}'}),
        ("get", "/api/units", {"data": {"q": "Sơn\x00La"}}),
        ("get", "/api/units/son-la\x00", {}),
    ],
)
def test_nul_characters_in_api_calls_are_refused(client_for, method, path, kwargs):
    client = client_for("admin")
    if "data" in kwargs and isinstance(kwargs["data"], str):
        kwargs = {**kwargs, "content_type": "application/json"}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "nul_character"
    assert "NUL" in response.json()["detail"]


def test_nul_characters_in_form_fields_are_refused(reporting_cycle, client_for):
    client = client_for("sonla.canbo")
    before = Report.objects.count()
    response = client.post(IMPORT, {"submit": "1\x00"})
    assert response.status_code == 400
    assert "ký tự NUL" in response.content.decode()
    assert Report.objects.count() == before
