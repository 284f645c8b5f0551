"""Issued means frozen: the register numbers documents when they are issued (never a draft),
one sequence for the cluster's year; an issued document is served as issued; changing it is a
correction that names the number it replaces."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tests.documents.conftest import all_text, read_docx
from thidua.audit.models import AuditEntry
from thidua.core import signing
from thidua.core.paperwork import date_line
from thidua.core.record import AuditAction, document_digest
from thidua.documents import builders
from thidua.documents.models import IssuedDocument
from thidua.org.models import Unit
from thidua.voting.models import Conference

pytestmark = pytest.mark.django_db

ISSUE = "/clusters/cum-2/2020/documents/{}/issue/"
FILE = "/clusters/cum-2/2020/documents/{}/{}/"


def _number_line(content: bytes) -> str:
    return read_docx(content).tables[0].rows[1].cells[0].text


def test_drafts_have_no_number_and_issuing_takes_the_next_one(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    draft = secretary.get(FILE.format("conference-minutes", "file")).content
    assert _number_line(draft) == "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BB-CTĐ"
    # one register for every kind: a proposal, then minutes, then a report
    for key in ("proposal-co-chinh-phu", "conference-minutes", "year-end-report"):
        assert secretary.post(ISSUE.format(key)).status_code == 302
    lines = [
        _number_line(secretary.get(FILE.format(key, "file")).content)
        for key in ("proposal-co-chinh-phu", "conference-minutes", "year-end-report")
    ]
    assert lines == ["Số: 01/TTr-CTĐ", "Số: 02/BB-CTĐ", "Số: 03/BC-CTĐ"]
    references = list(IssuedDocument.objects.order_by("number").values_list("reference", flat=True))
    assert references == ["01/TTr-CTĐ", "02/BB-CTĐ", "03/BC-CTĐ"]
    # the score table has no number line, but takes its place in the register
    assert secretary.post(ISSUE.format("score-table")).status_code == 302
    assert IssuedDocument.objects.get(key="score-table").reference == "04"


def test_the_issued_bytes_are_frozen_logged_and_served_as_issued(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    secretary.post(ISSUE.format("conference-minutes"))
    issued = IssuedDocument.objects.get(key="conference-minutes")
    served = secretary.get(FILE.format("conference-minutes", "file")).content
    assert served == bytes(issued.content)
    assert document_digest(served) == issued.digest
    entry = AuditEntry.objects.filter(action=AuditAction.DOCUMENT_ISSUE).latest("seq")
    assert entry.after == {
        "key": "conference-minutes",
        "number": "01/BB-CTĐ",
        "filename": "bien-ban-hoi-nghi-2020.docx",
        "digest": issued.digest,
        "replaces": None,
        "reason": "",
    }
    checkpoint = AuditEntry.objects.get(chain=entry.chain, seq=entry.seq + 1)
    assert checkpoint.action == AuditAction.CHECKPOINT
    # the data changes after issuing: the issued file does not, the draft does
    Unit.objects.filter(code="lao-cai").update(name="Công an tỉnh Lào Cai (đổi tên)")
    assert secretary.get(FILE.format("conference-minutes", "file")).content == served
    draft = secretary.get(FILE.format("conference-minutes", "draft")).content
    assert "đổi tên" in all_text(read_docx(draft))
    assert "đổi tên" not in all_text(read_docx(served))
    panel = secretary.get("/clusters/cum-2/2020/documents/").content.decode()
    assert "Đã phát hành số 01/BB-CTĐ" in panel
    assert f"mã tệp {signing.grouped(issued.digest)}" in panel


def test_issuing_again_is_a_correction_with_a_reason(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    secretary.post(ISSUE.format("conference-minutes"))
    first = IssuedDocument.objects.get(key="conference-minutes")
    entries = AuditEntry.objects.count()
    # without a reason: refused, nothing changes
    assert secretary.post(ISSUE.format("conference-minutes")).status_code == 409
    assert secretary.post(ISSUE.format("conference-minutes"), {"reason": "  "}).status_code == 409
    assert (IssuedDocument.objects.count(), AuditEntry.objects.count()) == (1, entries)
    response = secretary.post(ISSUE.format("conference-minutes"), {"reason": "Sai tên khách mời"})
    assert response.status_code == 302
    correction = IssuedDocument.objects.get(key="conference-minutes", replaces=first)
    assert correction.reference == "02/BB-CTĐ"
    text = all_text(read_docx(bytes(correction.content)))
    day = f"{first.issued_at.astimezone().date():%d/%m/%Y}"
    assert (
        f"(Thay thế văn bản số 01/BB-CTĐ phát hành ngày {day}; lý do: Sai tên khách mời)"
    ) in text
    # the correction is what is served now; the first stays in the register
    served = secretary.get(FILE.format("conference-minutes", "file")).content
    assert served == bytes(correction.content)
    assert IssuedDocument.objects.filter(pk=first.pk).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.DOCUMENT_ISSUE).latest("seq")
    assert (entry.after["replaces"], entry.after["reason"]) == ("01/BB-CTĐ", "Sai tên khách mời")


def test_only_the_leader_secretary_issues_and_only_what_is_ready(demo_cycle, client_for):
    entries = AuditEntry.objects.count()
    assert (
        client_for("sonla.canbo").post(ISSUE.format("vote-count-co-chinh-phu")).status_code == 403
    )
    assert (
        client_for("sonla.thuky").post(ISSUE.format("vote-count-co-chinh-phu")).status_code == 403
    )
    assert (
        client_for("hagiang.thuky").get(ISSUE.format("vote-count-co-chinh-phu")).status_code == 405
    )
    assert client_for("hagiang.thuky").post(ISSUE.format("khong-co")).status_code == 404
    assert (
        client_for("hagiang.thuky").post(ISSUE.format("vote-count-co-bo-cong-an")).status_code
        == 409
    )
    assert AuditEntry.objects.count() == entries
    assert not IssuedDocument.objects.exists()


def test_a_document_issued_before_its_data_went_missing_is_still_served(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    secretary.post(ISSUE.format("conference-minutes"))
    from thidua.voting.models import Conference

    Conference.objects.filter(cycle=demo_cycle).update(chair_name="")
    plan = {p.key: p for p in builders.plans(demo_cycle)}["conference-minutes"]
    assert not plan.ready
    response = secretary.get(FILE.format("conference-minutes", "file"))
    assert response.status_code == 200
    assert _number_line(response.content) == "Số: 01/BB-CTĐ"
    assert secretary.get(FILE.format("conference-minutes", "draft")).status_code == 409


def test_an_issued_file_edited_in_the_database_is_never_served(demo_cycle, client_for):
    """An attacker with the database rewrites the frozen file and its digest column: the log
    (chained, signed) still holds the digest of what was issued, so the download refuses."""
    secretary = client_for("hagiang.thuky")
    secretary.post(ISSUE.format("conference-minutes"))
    issued = IssuedDocument.objects.get(key="conference-minutes")
    forged = builders.ready_plan(demo_cycle, "year-end-report").build(None).content
    IssuedDocument.objects.filter(pk=issued.pk).update(
        content=forged, digest=document_digest(forged)
    )
    response = secretary.get(FILE.format("conference-minutes", "file"))
    assert response.status_code == 409
    assert "không khớp với nhật ký" in response.content.decode()
    assert forged not in response.content


def test_issuing_dates_a_paper_dated_by_hand(demo_cycle, client_for):
    """The invitation's draft leaves the day blank; the issued bytes carry the issue date."""
    secretary = client_for("hagiang.thuky")
    draft = read_docx(secretary.get(FILE.format("invitation", "file")).content)
    assert "ngày\u00a0\u00a0\u00a0\u00a0\u00a0tháng" in draft.tables[0].rows[1].cells[1].text
    assert secretary.post(ISSUE.format("invitation")).status_code == 302
    issued = IssuedDocument.objects.get(key="invitation")
    day = timezone.localtime(issued.issued_at).date()
    date_cell = read_docx(bytes(issued.content)).tables[0].rows[1].cells[1].text
    assert date_cell == date_line("Hà Giang", day)


def test_the_register_runs_per_cluster_and_year_of_issue_across_cycles(demo_cycle, client_for):
    """A document of 2020 issued in the same calendar year as one of another cycle of the
    cluster takes the next number of that year's one sequence; another year starts at 01."""
    from thidua.org.models import Cycle

    year = timezone.localdate().year
    other = Cycle.objects.exclude(pk=demo_cycle.pk).filter(cluster=demo_cycle.cluster).first()
    IssuedDocument.objects.create(
        cycle=other, cluster=other.cluster, year=year, key="x", number=7, reference="07/BB-CTĐ"
    )
    IssuedDocument.objects.create(
        cycle=demo_cycle,
        cluster=demo_cycle.cluster,
        year=year - 1,
        key="y",
        number=30,
        reference="30/BB-CTĐ",
    )
    secretary = client_for("hagiang.thuky")
    assert secretary.post(ISSUE.format("conference-minutes")).status_code == 302
    issued = IssuedDocument.objects.get(key="conference-minutes")
    assert (issued.cluster, issued.year, issued.number) == (demo_cycle.cluster, year, 8)
    assert issued.reference == "08/BB-CTĐ"
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedDocument.objects.create(
            cycle=other, cluster=other.cluster, year=year, key="z", number=8, reference="08"
        )


def _panel_item(panel: str, label: str) -> str:
    """The panel's list item of the document labelled `label`."""
    start = panel.index(f"<li>\n      <strong>{label}</strong>")
    return panel[start : panel.index("</li>", start)]


def test_the_panel_says_each_documents_state_and_offers_issuing_to_who_may(demo_cycle, client_for):
    secretary = client_for("hagiang.thuky")
    secretary.post(ISSUE.format("conference-minutes"))
    secretary.post(ISSUE.format("conference-minutes"), {"reason": "Sai tên <khách> & giờ"})
    secretary.post(ISSUE.format("year-end-report"))
    panel = secretary.get("/clusters/cum-2/2020/documents/").content.decode()
    corrected = _panel_item(panel, "Biên bản hội nghị")
    assert "Đã phát hành số 02/BB-CTĐ lúc " in corrected
    assert "Thay thế số 01/BB-CTĐ." in corrected
    assert 'href="/clusters/cum-2/2020/documents/conference-minutes/draft/"' in corrected
    assert 'name="csrfmiddlewaretoken"' in corrected
    assert "Phát hành bản đính chính" in corrected
    assert "Phát hành (lấy số)" in _panel_item(panel, "Giấy mời và chương trình hội nghị")
    # a member's officer reads the same states, with no form to issue
    member = client_for("sonla.canbo").get("/clusters/cum-2/2020/documents/").content.decode()
    assert "Thay thế số 01/BB-CTĐ." in _panel_item(member, "Biên bản hội nghị")
    assert "<form" not in member[member.index('<ul class="plain documents">') :]
    # issued, then the data no longer makes it: the issued file stays, with what is missing
    Conference.objects.filter(cycle=demo_cycle).update(chair_name="")
    panel = secretary.get("/clusters/cum-2/2020/documents/").content.decode()
    stale = _panel_item(panel, "Biên bản hội nghị")
    assert 'href="/clusters/cum-2/2020/documents/conference-minutes/file/">DOCX</a>' in stale
    assert "Đã phát hành số 02/BB-CTĐ lúc " in stale
    assert (
        "Số liệu hiện tại chưa tạo lại được: Chưa ghi họ tên người chủ trì hội nghị "
        "(trang hội nghị)."
    ) in stale
    assert "<form" not in stale


def test_the_panels_issue_form_carries_a_token_the_csrf_check_takes(demo_cycle, get_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user("hagiang.thuky"))
    panel = browser.get("/clusters/cum-2/2020/documents/").content.decode()
    form = _panel_item(panel, "Giấy mời và chương trình hội nghị")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert browser.post(ISSUE.format("invitation")).status_code == 403  # no token: refused
    assert (
        browser.post(ISSUE.format("invitation"), {"csrfmiddlewaretoken": token}).status_code == 302
    )
    assert IssuedDocument.objects.filter(key="invitation").count() == 1
