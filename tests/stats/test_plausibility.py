"""Plausibility over HTTP: a figure that jumps against the lineage baseline is warned about,
needs a note to be submitted, and the note reaches reviewers and the year-end report.

Sơn La's 2020 baseline (demo): 518 cases against social order, 404 solved (78,0 %). The
demo catalog warns from +100 % and +10 cases, and from 20 points for a rate: 1.100 cases
(+112,4 %, +582) jumps; 800 solved (+98,0 %) and the clearance rate 72,7 % (−5,3 points) do
not."""

import pytest

from tests.documents.conftest import all_text, read_docx
from thidua.audit.models import AuditEntry
from thidua.core.verify import verify
from thidua.documents import builders
from thidua.record.export import export, export_json
from thidua.stats.models import Indicator, Report

pytestmark = pytest.mark.django_db

FORM = "/clusters/cum-2/2021/stats/son-la/"
JUMP = {"period": "Y", "v_social_order_cases": "1.100", "v_social_order_solved": "800"}
WARNING = "Số vụ phạm tội về trật tự xã hội tăng 112,4% so với cùng kỳ (từ 518 lên 1.100)"
NOTE = "Năm 2021 tính cả các vụ trộm cắp tài sản nhỏ lẻ trước đây xử lý hành chính"


def _report_entries() -> int:
    return AuditEntry.objects.filter(object_type="stats.report", object_id="son-la/2021/Y").count()


def test_a_jump_is_warned_beside_the_field_and_in_the_summary(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    assert client.post(FORM, {**JUMP, "action": "save"}).status_code == 302  # a draft: saved
    page = client.get(FORM).content.decode()
    assert 'id="plausibility-summary"' in page
    assert "Số liệu biến động bất thường so với cùng kỳ" in page
    assert page.count(WARNING) == 2  # beside the field and in the summary
    assert 'name="n_social_order_cases"' in page
    assert 'name="n_social_order_solved"' not in page  # +98 %: below the relative threshold
    assert 'name="n_clearance_rate"' not in page
    # the live preview warns as soon as the figure is typed
    preview = client.post(f"{FORM}preview/", {**JUMP}).content.decode()
    assert WARNING in preview


def test_a_plausible_figure_is_not_warned_about(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    figures = {**JUMP, "v_social_order_cases": "560", "v_social_order_solved": "420"}
    response = client.post(FORM, {**figures, "action": "submit"})
    assert response.status_code == 302
    page = client.get(FORM).content.decode()
    assert "plausibility-summary" not in page
    assert "so với cùng kỳ (từ" not in page


def test_submitting_a_jump_without_a_note_is_refused_and_changes_nothing(
    client_for, reporting_cycle
):
    client = client_for("sonla.canbo")
    entries = _report_entries()
    response = client.post(FORM, {**JUMP, "n_social_order_cases": "  ", "action": "submit"})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Số vụ phạm tội về trật tự xã hội biến động bất thường so với cùng kỳ (tăng 112,4%): "
        "phải ghi giải trình trước khi nộp." in page
    )
    assert 'href="#n-social_order_cases"' in page  # the summary links to the note's field
    assert 'value="1.100"' in page  # what was typed is kept
    assert not Report.objects.filter(unit__code="son-la", year=2021).exists()
    assert _report_entries() == entries


def test_a_refused_submit_leaves_a_saved_draft_as_it_was(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    client.post(FORM, {**JUMP, "n_social_order_cases": "nháp", "action": "save"})
    entries = _report_entries()
    response = client.post(FORM, {**JUMP, "v_social_order_cases": "1.200", "action": "submit"})
    assert response.status_code == 400
    report = Report.objects.get(unit__code="son-la", year=2021)
    assert report.status == "draft"
    assert report.notes == {"social_order_cases": "nháp"}
    assert report.values.get(indicator__code="social_order_cases").value == 1100
    assert _report_entries() == entries


def test_a_jump_with_a_note_is_accepted_stored_and_audited(client_for, reporting_cycle):
    client = client_for("sonla.canbo")
    response = client.post(
        FORM,
        {
            **JUMP,
            "n_social_order_cases": f"  {NOTE}  ",
            "n_social_order_solved": "không cần, không biến động",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get(unit__code="son-la", year=2021)
    assert report.status == "submitted"
    assert report.notes == {"social_order_cases": NOTE}  # only a flagged figure keeps its note
    entry = AuditEntry.objects.filter(object_id="son-la/2021/Y").latest("seq")
    assert entry.action == "stats.report.submit"
    assert entry.after["notes"] == {"social_order_cases": NOTE}


def test_reviewers_see_the_note(client_for, reporting_cycle):
    client_for("sonla.canbo").post(FORM, {**JUMP, "n_social_order_cases": NOTE, "action": "submit"})
    for reviewer in ("laocai.thuky", "dienbien.canbo"):  # the leader secretary, another unit
        client = client_for(reviewer)
        table = client.get("/clusters/cum-2/2021/stats/").content.decode()
        assert WARNING in table
        assert f"Giải trình biến động:</strong> {NOTE}" in table
        report = client.get(FORM).content.decode()
        assert "Chỉ xem" in report
        assert f"Giải trình biến động:</strong> {NOTE}" in report
        assert WARNING in report


def test_the_year_end_report_states_the_note(client_for, reporting_cycle):
    client_for("sonla.canbo").post(FORM, {**JUMP, "n_social_order_cases": NOTE, "action": "submit"})
    text = all_text(read_docx(builders.year_end_report(reporting_cycle).content))
    assert "Một số số liệu biến động lớn so với năm 2020, đã được đơn vị giải trình:" in text
    assert (
        "- Công an tỉnh Sơn La: số vụ phạm tội về trật tự xã hội 1.100 vụ (tăng 582 vụ "
        f"(112,4%)), giải trình: “{NOTE}”." in text
    )


def test_thresholds_are_validated_when_the_catalog_is_saved():
    indicator = Indicator.objects.get(code="social_order_cases")
    assert indicator.plausible_relative == 100
    assert indicator.plausible_absolute == 10
    indicator.plausible_relative = 0
    with pytest.raises(Exception, match="lớn hơn 0%"):
        indicator.save()
    indicator.plausible_relative, indicator.plausible_absolute = None, -1
    with pytest.raises(Exception, match="không thể âm"):
        indicator.full_clean()


def test_the_record_carries_the_note_and_the_thresholds(client_for, reporting_cycle):
    client_for("sonla.canbo").post(FORM, {**JUMP, "n_social_order_cases": NOTE, "action": "submit"})
    record = export(reporting_cycle)
    report = next(r for r in record.reports if (r.unit, r.year) == ("son-la", 2021))
    assert report.notes == {"social_order_cases": NOTE}
    cases = next(i for i in record.indicators if i.code == "social_order_cases")
    assert (cases.plausible_relative, cases.plausible_absolute) == (100, 10)
    assert verify(export_json(reporting_cycle)) == []
