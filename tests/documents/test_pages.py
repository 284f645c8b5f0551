"""The documents panel, downloads, the report's written sections, the API and the CLI."""

import io
import itertools
import shutil

import openpyxl
import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.documents.conftest import all_text, read_docx
from thidua.audit.models import AuditEntry
from thidua.documents import builders, pdf
from thidua.documents.models import ReportSection
from thidua.org.models import Cycle
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

BASE = "/clusters/cum-2/2020/documents/"
# the demo's seven members, as the file names spell them (in that order)
UNITS = ("cao-bang", "dien-bien", "ha-giang", "lai-chau", "lang-son", "lao-cai", "son-la")


def test_the_panel_lists_what_is_ready_and_what_is_missing(client_for):
    response = client_for("sonla.canbo").get(BASE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{BASE}vote-count-co-chinh-phu/file/"' in page
    assert "bien-ban-kiem-phieu-2020-co-chinh-phu.docx" in page
    assert "Chưa tạo được: Cuộc bỏ phiếu chưa kiểm phiếu." in page
    assert ("/pdf/" in page) == pdf.available()


def test_the_panel_speaks_english_too(client_for):
    client = client_for("sonla.canbo")
    client.cookies["django_language"] = "en"
    page = client.get(BASE).content.decode()
    assert "Not available yet: The poll has not been counted yet." in page
    assert "Vote-count minutes: " in page


def test_the_cycle_page_links_to_the_documents(client_for):
    assert BASE in client_for("sonla.canbo").get("/clusters/cum-2/2020/").content.decode()


def test_a_download_is_the_document_with_a_plain_name(client_for):
    response = client_for("sonla.canbo").get(f"{BASE}vote-count-co-chinh-phu/file/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="bien-ban-kiem-phieu-2020-co-chinh-phu.docx"'
    )
    assert "Kiểm phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020" in all_text(
        read_docx(response.content)
    )
    table = client_for("sonla.canbo").get(f"{BASE}score-table/file/")
    assert table["Content-Disposition"] == 'attachment; filename="bang-tong-hop-diem-2020.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(table.content)).sheetnames[0] == "Tổng hợp"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("vote-count-co-bo-cong-an/file/", 409),  # not counted yet
        ("no-such-document/file/", 404),
        ("score-table/pdf/", 404),  # a workbook has no PDF
        ("year-end-report/exe/", 404),
    ],
)
def test_documents_that_cannot_be_made_are_refused(client_for, path, status):
    assert client_for("sonla.canbo").get(BASE + path).status_code == status


@pytest.mark.parametrize("username", ["hanoi.canbo", "hanoi.thuky"])
def test_another_cluster_sees_no_documents(client_for, username):
    client = client_for(username)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}year-end-report/file/").status_code == 403
    assert client.get(f"{BASE}report-text/").status_code == 403
    assert client.get("/api/cycles/cum-2/2020/documents").status_code == 403
    assert client.get("/api/cycles/cum-2/2020/documents/year-end-report").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(f"{BASE}year-end-report/file/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/api/cycles/cum-2/2020/documents").status_code == 401


def test_the_leader_secretary_writes_the_report_sections(client_for, demo_cycle):
    client = client_for("hagiang.thuky")
    page = client.get(f"{BASE}report-text/").content.decode()
    assert 'name="situation"' in page
    assert "<textarea" in page
    response = client.post(
        f"{BASE}report-text/",
        {"situation": "  Địa bàn 7 tỉnh biên giới phía Bắc.  ", "next_year": "Giữ vững ANTT."},
    )
    assert response.status_code == 302
    stored = dict(ReportSection.objects.filter(cycle=demo_cycle).values_list("key", "text"))
    assert stored["situation"] == "Địa bàn 7 tỉnh biên giới phía Bắc."
    assert stored["next_year"] == "Giữ vững ANTT."
    entry = AuditEntry.objects.filter(action="documents.report_text.save").latest("id")
    assert entry.actor == "hagiang.thuky"
    report = client.get(f"{BASE}year-end-report/file/")
    assert "Địa bàn 7 tỉnh biên giới phía Bắc." in all_text(read_docx(report.content))


@pytest.mark.parametrize("username", ["sonla.thuky", "sonla.canbo", "quansat"])
def test_only_the_leader_secretary_writes_the_report(client_for, demo_cycle, username):
    client = client_for(username)
    page = client.get(f"{BASE}report-text/")
    assert page.status_code == 200
    assert b"<textarea" in page.content
    assert b"disabled" in page.content or b"readonly" in page.content
    response = client.post(f"{BASE}report-text/", {"situation": "Viết đè."})
    assert response.status_code == 403
    assert not ReportSection.objects.filter(cycle=demo_cycle, text="Viết đè.").exists()


def test_the_api_lists_and_serves_the_documents(client_for):
    client = client_for("sonla.canbo")
    listed = {d["key"]: d for d in client.get("/api/cycles/cum-2/2020/documents").json()}
    ready = listed["vote-count-cum-truong-2021"]
    assert ready["ready"]
    assert ready["url"] == ("/api/cycles/cum-2/2020/documents/vote-count-cum-truong-2021")
    assert ready["filename"] == "bien-ban-kiem-phieu-2020-cum-truong-2021.docx"
    waiting = listed["proposal-co-bo-cong-an"]
    assert not waiting["ready"]
    assert waiting["url"] is None
    assert waiting["missing"] == ["Chưa có đơn vị được bình xét."]
    response = client.get(ready["url"])
    assert response.status_code == 200
    assert "Kết luận: Công an tỉnh Lào Cai trúng cử." in all_text(  # an election elects
        read_docx(response.content)
    )
    refused = client.get("/api/cycles/cum-2/2020/documents/vote-count-co-bo-cong-an")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "document_not_ready"
    assert client.get("/api/cycles/cum-2/2020/documents/nothing").status_code == 404
    assert client.get("/api/cycles/cum-9/2020/documents").status_code == 404


def test_the_panel_queries_stay_few(client_for, django_assert_max_num_queries):
    client = client_for("sonla.canbo")
    with django_assert_max_num_queries(60):
        assert client.get(BASE).status_code == 200


def test_the_panel_reads_no_score(client_for):
    """The panel shows which documents are ready, never a point: it reads the sheets'
    states, not their n² × criteria scores (issue 18: the first request after a write).
    Without polls: a nomination reads the ranking."""
    Poll.objects.filter(
        conference__cycle__cluster__code="cum-2", conference__cycle__year=2020
    ).delete()
    client = client_for("sonla.canbo")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(BASE)
    assert page.status_code == 200
    assert "phieu-tong-hop-diem-" in page.content.decode()  # the units' score sheets listed
    assert not [q["sql"] for q in queries if 'scoring_score"' in q["sql"]]


def test_the_cli_builds_every_ready_document(tmp_path, capsys):
    call_command("documents", "--cycle", "cum-2/2020", "--out", str(tmp_path / "out"))
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == [
        "bang-tong-hop-diem-2020.xlsx",
        "bao-cao-thanh-tich-ha-giang-co-chinh-phu-2020.docx",
        "bao-cao-tong-ket-2020.docx",
        "bien-ban-ban-giao-cum-truong-2021.docx",
        "bien-ban-hoi-nghi-2020.docx",
        "bien-ban-kiem-phieu-2020-co-chinh-phu.docx",
        "bien-ban-kiem-phieu-2020-cum-pho-2021.docx",
        "bien-ban-kiem-phieu-2020-cum-truong-2021.docx",
        "cong-van-gui-ho-so-de-nghi-2020.docx",
        "giao-uoc-thi-dua-2020.docx",
        "giay-moi-hoi-nghi-2020.docx",
        *(f"phieu-cham-diem-{unit}-2020.docx" for unit in UNITS),  # each scorer's sheet
        *(f"phieu-tong-hop-diem-{unit}-2020.docx" for unit in UNITS),  # each unit's sheet
        "quy-che-hoat-dong-2020.docx",
        "to-trinh-co-chinh-phu-2020.docx",
    ]
    output = capsys.readouterr()
    assert f"Đã ghi 27 văn bản vào {tmp_path / 'out'}." in output.out
    assert "Cuộc bỏ phiếu chưa kiểm phiếu." in output.out  # what could not be made, and why
    assert "27/27" in output.err  # the progress bar


@pytest.mark.parametrize("value", ["cum-2", "cum-2/20x0", "cum-9/2020"])
def test_the_cli_refuses_an_unknown_cycle(tmp_path, value):
    with pytest.raises(CommandError, match="no cycle"):
        call_command("documents", "--cycle", value, "--out", str(tmp_path))


def _pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def _without_page_numbers(pages: list[str]) -> list[str]:
    """Each page's text without its number (read back first or last, from page 2 on), so a
    paragraph running onto the next page reads on."""
    found = []
    for number, page in enumerate(pages, start=1):
        lines = page.strip().splitlines()
        if number > 1 and lines and lines[-1].strip() == str(number):
            lines = lines[:-1]
        elif number > 1 and lines and lines[0].strip() == str(number):
            lines = lines[1:]
        found.append("\n".join(lines))
    return found


def _reads_like_the_docx(pages: list[str], docx: bytes) -> None:
    # every Vietnamese letter came through the font: the text reads back intact
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0]
    assert "Độc lập - Tự do - Hạnh phúc" in pages[0]
    # lines break anywhere, paragraphs across pages: compare without spaces or page numbers
    text = "".join("".join(_without_page_numbers(pages)).split())
    for paragraph in read_docx(docx).paragraphs:
        assert "".join(paragraph.text.split()) in text


@pytest.mark.parametrize(
    "key",
    [
        "conference-minutes",
        "year-end-report",
        "vote-count-co-chinh-phu",
        "proposal-co-chinh-phu",
        "covering-letter",
        "invitation",
        "score-sheet-ha-giang",
        "scorer-sheet-son-la",
        "quy-che",
    ],
)
def test_weasyprint_prints_each_docx_as_an_a4_pdf(plans, key):
    built = plans[key].build()
    content = pdf.to_pdf(built.content, built.filename, using="weasyprint")
    reader = pypdf.PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (595, 842)  # A4 in points
    pages = _pdf_pages(content)
    _reads_like_the_docx(pages, built.content)

    # page numbers from page 2 on, none on page 1 (as the DOCX header says); the text of the
    # top margin comes first or last when the page is read back
    def ends(page: str) -> set[str]:
        lines = page.strip().splitlines()
        return {lines[0].strip(), lines[-1].strip()}

    assert "1" not in ends(pages[0])
    for number, page in enumerate(pages[1:], start=2):
        assert str(number) in ends(page)


PROVINCES = {"HÀ GIANG", "ĐIỆN BIÊN", "LAI CHÂU", "LẠNG SƠN", "LÀO CAI", "SƠN LA", "CAO BẰNG"}


@pytest.mark.parametrize("key", ["quy-che", "proposal-co-chinh-phu", "scorer-sheet-dien-bien"])
def test_the_signers_post_is_printed_on_one_line(plans, key):
    """ "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG" as signed, never split before "GIANG" (the signature
    column is wide enough for a province's director at 14 pt bold)."""
    built = plans[key].build()
    lines = [
        " ".join(line.split())  # the post's spaces are non-breaking ones (layout.unbroken)
        for page in _pdf_pages(pdf.to_pdf(built.content, built.filename, using="weasyprint"))
        for line in page.splitlines()
    ]
    posts = [line for line in lines if line.startswith("GIÁM ĐỐC CÔNG AN TỈNH")]
    assert posts, lines[-12:]
    assert all(line.split("TỈNH ", 1)[1] in PROVINCES for line in posts), posts


# --- where the printed lines and pages break (item 2 and 3 of issue 16's review) ----------

#: Words a printed line never parts: the provinces' names (as in a sentence and in capitals),
#: posts, bodies, a verdict.
KEPT_WHOLE = (
    *(name.title() for name in PROVINCES),
    *PROVINCES,
    "CÔNG AN TỈNH",
    "GIÁM ĐỐC",
    "CỤM TRƯỞNG",
    "CỤM PHÓ",
    "Bộ Công an",
    "BỘ CÔNG AN",
    "Chính phủ",
    "Không trúng cử",
)
CLOSING_STYLES = {"Recipients Heading", "Recipient", "Signature Authority", "Signature Note"}


def _split_names(pages: list[str]) -> list[tuple[str, str]]:
    """Each pair of printed lines that parts a name of `KEPT_WHOLE`, or leaves a year alone
    on its line (a title's last word)."""
    found = []
    for page in pages:
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        for first, second in itertools.pairwise(lines):
            if second.isdigit() and len(second) == 4:
                found.append((first, second))
            for name in KEPT_WHOLE:
                words = name.split()
                for cut in range(1, len(words)):
                    head, tail = " ".join(words[:cut]), " ".join(words[cut:])
                    if (first == head or first.endswith(f" {head}")) and (
                        second == tail or second.startswith(f"{tail} ")
                    ):
                        found.append((first, second))
    return found


def _closing_alone(pages: list[str], docx: bytes) -> list[int]:
    """The pages that hold nothing but a closing block (Nơi nhận, signatures): NĐ 30/2020
    wants some of the body's text on the page that is signed."""
    document = read_docx(docx)
    closing = {
        "".join(p.text.split())
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        if p.style.name in CLOSING_STYLES | {"Signer"} and p.text.strip()
    }
    alone = []
    for number, page in enumerate(_without_page_numbers(pages), start=1):
        lines = page.strip().splitlines()
        if number > 1 and lines and lines[0].strip() == str(number):
            lines = lines[1:]  # the number read back first
        left = "".join("".join(lines).split())
        for text in sorted(closing, key=len, reverse=True):
            left = left.replace(text, "")
        if number > 1 and not left:
            alone.append(number)
    return alone


def _layout_faults(ministry_counted, plans, engine: str) -> dict[str, object]:
    """Every DOCX of the demo cycle (its open poll counted), printed by `engine`: the names
    parted across lines and the pages holding only a closing block, by document."""
    faults = {}
    docx = [plan for plan in plans.values() if plan.ready and plan.filename.endswith(".docx")]
    assert len(docx) == 11 + 1 + 2 * 7 + 6  # with the 4th vote count and its 3 reports
    for plan in docx:
        built = plan.build()
        pages = _pdf_pages(pdf.to_pdf(built.content, built.filename, using=engine))
        split, alone = _split_names(pages), _closing_alone(pages, built.content)
        if split or alone:
            faults[plan.key] = (split, alone)
    return faults


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_names_whole_and_signs_beside_the_text(ministry_counted, plans):
    """As Word and LibreOffice print them: "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG", "CÔNG AN TỈNH
    LẠNG SƠN", "Không trúng cử", "Bộ Công an" never parted, a title's year never alone, and
    no page with a signature block and no body text."""
    assert _layout_faults(ministry_counted, plans, "libreoffice") == {}


def test_weasyprint_prints_names_whole_and_signs_beside_the_text(ministry_counted, plans):
    """The same of the app's own PDF (WeasyPrint: what CI can print)."""
    assert _layout_faults(ministry_counted, plans, "weasyprint") == {}


def test_weasyprint_keeps_the_layout_of_the_docx(plans):
    from thidua.documents.html import docx_to_html

    page = docx_to_html(plans["vote-count-co-chinh-phu"].build().content)
    assert "size: 21.00cm 29.70cm; margin: 2.00cm 1.50cm 2.00cm 3.00cm" in page
    assert "@page :first { @top-center { content: none; } }" in page
    assert "border: 0.5pt solid #000" in page  # the tally table is ruled …
    assert "border: none" in page  # … the header blocks are not
    assert "text-indent: 1.27cm" in page  # body paragraphs
    assert "font-weight: bold" in page
    assert "font-style: italic" in page
    # as Word and LibreOffice lay it out: the appendix on a page of its own, rows kept whole
    # (the signature blocks never split), header rows repeated, headings kept with what follows
    assert page.count("break-before: page") == 1
    assert '<tr style="break-inside: avoid">' in page
    assert "<thead><tr" in page
    assert "break-after: avoid" in page


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_a_docx_to_a_pdf_that_reads_back(plans):
    built = plans["vote-count-co-chinh-phu"].build()
    content = pdf.to_pdf(built.content, built.filename, using="libreoffice")
    _reads_like_the_docx(_pdf_pages(content), built.content)


def test_the_engine_is_libreoffice_when_installed_else_weasyprint():
    assert pdf.engine() == ("libreoffice" if shutil.which("soffice") else "weasyprint")
    assert pdf.available()


def test_the_pdf_download(client_for):
    response = client_for("sonla.canbo").get(f"{BASE}proposal-co-chinh-phu/pdf/")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        'attachment; filename="to-trinh-co-chinh-phu-2020.pdf"'
    )


def test_compare_pages_prints_each_docx_with_both_engines_or_says_what_is_missing(tmp_path):
    """`make docs-preview`'s check: LibreOffice lays the DOCX out as Word would; the app's own
    PDF must have as many pages. Without LibreOffice the command says so and makes nothing."""
    arguments = ["documents", "--cycle", "cum-2/2020", "--out", str(tmp_path), "--compare-pages"]
    if shutil.which("soffice") is None:
        with pytest.raises(CommandError, match="needs LibreOffice"):
            call_command(*arguments)
        return
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    lines = [line for line in out.getvalue().splitlines() if " trang (LibreOffice), " in line]
    ready = builders.plans(Cycle.objects.get(cluster__code="cum-2", year=2020))
    assert len(lines) == sum(p.ready and p.filename.endswith(".docx") for p in ready)
    for line in lines:
        office, app = line.split(": ")[1].replace(" trang (LibreOffice), ", " ").split()[:2]
        assert office == app, line
