"""Forms on a 360 px phone (issue 19): one field per row, labels above full-width inputs, a
numeric keyboard for counts, a compact header, no sideways scrolling; a refused statistics
submit takes the focus to its summary of errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import _serving
from tests.e2e.journey import follow

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"width": 360, "height": 740}
FORM = "/clusters/cum-2/2020/stats/son-la/"

#: Cụm II's 2020 with its agreement signed and reporting open, no report yet: what a unit's
#: secretary finds on the first day of reporting (the demo loaders, run as the demo does).
REPORTING_OPEN = """
from thidua.core.phases import Phase
from thidua.org import demo
from thidua.org.models import Cycle
from thidua.scoring import demo as scoring_demo

demo.load_organisation(cluster_ii_2020=True)
cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
scoring_demo.load_agreement(cycle)
cycle.refresh_from_db()
demo.advance_to(cycle, Phase.REPORTING)
"""


@pytest.fixture(scope="module")
def reporting_server(tmp_path_factory):
    with _serving(
        tmp_path_factory.mktemp("e2e_phone"), "e2e_phone", "--organisation-only"
    ) as running:
        running.thidua("shell", "-v0", "-c", REPORTING_OPEN)
        yield running


@pytest.fixture
def visit_reporting(browser, reporting_server):
    from tests.e2e.conftest import _visitors

    yield from _visitors(browser, reporting_server)


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= SMALL_PHONE["width"], f"{page.url} scrolls sideways: {width} px"


def test_the_statistics_form_fits_a_360_px_phone(visit_reporting):
    secretary = visit_reporting("sonla.thuky", SMALL_PHONE)
    page = secretary.page
    assert secretary.go(FORM).status == 200
    secretary.shot("19-phone-report-form")
    header = _box(page.locator("header.topbar"))
    assert header["height"] <= 120, f"header {header['height']} px high"
    _no_sideways_scroll(page)
    inputs = page.locator("#report-form input[name^=v_]")
    assert inputs.count() > 10
    for index in range(inputs.count()):
        field = inputs.nth(index)
        box = _box(field)
        assert box["width"] >= 280, (field.get_attribute("name"), box["width"])
        label = _box(page.locator(f"label[for={field.get_attribute('id')}]"))
        assert label["y"] + label["height"] <= box["y"] + 0.5, field.get_attribute("name")
        assert label["width"] >= 200, f"the label wraps word by word: {label['width']} px"
    counts = page.locator("#report-form input[name=v_social_order_cases]")
    assert counts.get_attribute("inputmode") == "numeric"
    rate = page.locator("#report-form input[name=v_clearance_rate]")
    assert rate.get_attribute("inputmode") == "decimal"


#: Who opens which form: the sign-in, a person's keys, the filters of the statistics table,
#: the audit trail and the overview, the Excel import, the admin's forms (web/form.html).
FORMS = {
    None: ["/accounts/login/", "/conference/join/"],
    "sonla.thuky": [
        "/accounts/tokens/",
        "/clusters/cum-2/2020/stats/",
        "/clusters/cum-2/2020/stats/import/",
    ],
    "hagiang.thuky": ["/clusters/cum-2/2020/audit/"],
    "admin": [
        "/dashboard/",
        "/lineage/new/",
        "/clusters/cum-2/cycles/new/",
        "/units/son-la/edit/",
    ],
}

#: Each visible field of the page: its width, and where its label ends and it begins.
FIELDS = """() => [...document.querySelectorAll("main input, main select, main textarea")]
  .filter((field) => !["hidden", "checkbox", "radio", "submit"].includes(field.type))
  .filter((field) => field.getBoundingClientRect().width > 0)
  .map((field) => {
    const box = field.getBoundingClientRect();
    const label = field.id && document.querySelector(`label[for="${field.id}"]`);
    return {
      name: field.name || field.id,
      width: box.width,
      top: box.top,
      labelBottom: label ? label.getBoundingClientRect().bottom : null,
    };
  })"""


def test_every_form_is_one_field_per_row_on_a_phone(visit_reporting):
    for username, paths in FORMS.items():
        person = visit_reporting(username, SMALL_PHONE)
        for path in paths:
            assert person.go(path).status == 200, path
            _no_sideways_scroll(person.page)
            fields = person.page.evaluate(FIELDS)
            assert fields, f"{path}: no field"
            for field in fields:
                where = f"{path} {field['name']}"
                assert field["width"] >= 280, f"{where}: {field['width']} px wide"
                if field["labelBottom"] is not None:
                    assert field["labelBottom"] <= field["top"] + 0.5, f"{where}: label beside"


def test_the_desktop_form_stays_a_table(visit_reporting):
    secretary = visit_reporting("sonla.thuky")
    secretary.go(FORM)
    page = secretary.page
    assert page.locator("table.report thead").is_visible()
    field = _box(page.locator("#f-social_order_cases"))
    label = _box(page.locator("label[for=f-social_order_cases]"))
    assert field["x"] > label["x"] + label["width"]  # the figure beside its label, as before
    assert field["width"] <= 9 * 16 + 1


def test_a_refused_submit_takes_the_focus_to_its_summary(visit_reporting):
    secretary = visit_reporting("sonla.thuky", SMALL_PHONE)
    page = secretary.page
    secretary.go(FORM)
    page.locator("input[name=v_social_order_cases]").fill("2.156")
    page.locator("input[name=v_social_order_solved]").fill("abc")
    page.locator("input[name=v_clearance_rate]").fill("120")
    follow(page.get_by_role("button", name="Nộp báo cáo", exact=True))
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    page.wait_for_function("document.activeElement?.id === 'error-summary'")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("a[href='#f-social_order_solved']").count() == 1
    assert summary.locator("a[href='#f-clearance_rate']").count() == 1
    assert page.locator("input[name=v_social_order_solved]").input_value() == "abc"
    assert page.locator("input[name=v_social_order_cases]").input_value() == "2.156"
    _no_sideways_scroll(page)
    secretary.shot("19-phone-report-refused")
    summary.locator("a[href='#f-social_order_solved']").click()
    assert page.evaluate("document.activeElement.id") == "f-social_order_solved"


def test_a_jump_against_last_year_is_warned_while_typing(visit_reporting):
    secretary = visit_reporting("sonla.thuky", SMALL_PHONE)
    page = secretary.page
    secretary.go(FORM)
    warning = page.locator("#jump-social_order_cases")
    assert warning.inner_text().strip() == ""
    page.locator("input[name=v_social_order_cases]").fill("5.000")
    page.locator("input[name=v_social_order_cases]").blur()
    expect(warning).to_contain_text("%")  # the preview's warning, beside the field
    assert warning.is_visible()
    _no_sideways_scroll(page)
    secretary.shot("19-phone-report-jump")


def test_the_audit_trail_filters_on_a_phone(visit_reporting):
    secretary = visit_reporting("hagiang.thuky", SMALL_PHONE)
    page = secretary.page
    secretary.go("/clusters/cum-2/2020/audit/")
    action = page.locator("select[name=action]")
    wanted = action.locator("option").nth(1)
    value, label = wanted.get_attribute("value"), wanted.inner_text().strip()
    action.select_option(value)
    follow(page.get_by_role("button", name="Lọc", exact=True))
    assert f"action={value}" in page.url
    done = page.locator("main table tbody tr td:nth-child(3)")
    assert done.count() >= 1
    assert {done.nth(i).inner_text().strip() for i in range(done.count())} == {label}
    _no_sideways_scroll(page)
