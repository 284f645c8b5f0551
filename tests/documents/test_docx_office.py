"""Every DOCX of the demo cycle as an office uses Word: named styles (restyling "Normal"
restyles the body), Vietnamese spelling, the file's properties, tables that break cleanly
across pages, and the same parts whenever the same data is generated."""

import datetime
import io
import zipfile

import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.documents.conftest import all_text, effective_font, read_docx
from thidua.documents import layout
from thidua.documents.html import paragraph_value

pytestmark = pytest.mark.django_db

BODY_STYLES = {
    "Normal",
    "Body Lead",
    "Body Heading",
    "Body Note",
    "Body Unindented",
    "Body Picture",
}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """Each ready DOCX of the demo cycle, built once for the module (bytes the tests only
    read; building them is most of the module's time): key -> bytes. Whatever building
    writes is rolled back, as after a test."""
    from django.db import transaction

    from thidua.documents import builders
    from thidua.org.models import Cycle

    with django_db_blocker.unblock(), transaction.atomic():
        plans = builders.plans(Cycle.objects.get(cluster__code="cum-2", year=2020))
        content = {
            plan.key: plan.build().content
            for plan in plans
            if plan.ready and plan.filename.endswith(".docx")
        }
        transaction.set_rollback(True)
    return content


def _cell_paragraphs(document):
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def test_the_demo_cycle_has_docx_files_to_check(built):
    # 11, the quy chế, and for each of the 7 members its score sheet and its scorer's sheet
    assert len(built) == 11 + 1 + 2 * 7


def test_paragraphs_take_their_look_from_named_styles(built):
    for key, content in built.items():
        document = read_docx(content)
        # no run states a font or a size of its own: the styles do
        xml = document.element.body.xml
        assert "<w:sz " not in xml, key
        assert "<w:rFonts " not in xml, key
        styles = [p.style.name for p in document.paragraphs]
        assert set(styles) <= BODY_STYLES | {
            "Addressee",  # "Kính gửi", centred under the summary
            "Addressee List",
            "Document Kind",
            "Document Summary",
            "Rule",
            "Spacer",
        }, key
        if key == "covering-letter":  # a công văn: no kind line, its "V/v …" under the number
            assert styles[:2] == ["Spacer", "Addressee"], key
        else:
            assert styles[:3] == ["Document Kind", "Document Summary", "Rule"], key
        assert "Normal" in styles, key
        # every table cell's paragraph has its own style (none falls back to the body's)
        cells = {p.style.name for p in _cell_paragraphs(document)}
        assert "Normal" not in cells, key
        assert {"Parent Body", "Issuer", "Nation", "Motto", "Signer"} <= cells, key
        assert "Signature Authority" in cells, key
        if not key.startswith("achievement-"):  # the nominee's report has no "Nơi nhận"
            assert {"Recipients Heading", "Recipient"} <= cells, key


def test_tables_use_the_table_styles(built):
    document = read_docx(built["year-end-report"])
    statistics = document.tables[1]
    header = {p.style.name for p in statistics.rows[0].cells[0].paragraphs}
    assert header == {"Table Header 10 pt"}  # the statistics table is set at 10 pt
    assert effective_font(
        statistics.rows[0].cells[0].paragraphs[0],
        statistics.rows[0].cells[0].paragraphs[0].runs[0],
        "size",
    ) == Pt(10)
    ranking = document.tables[2]
    assert ranking.rows[0].cells[0].paragraphs[0].style.name == "Table Header"
    assert ranking.rows[1].cells[0].paragraphs[0].style.name == "Table Text"
    assert ranking.rows[1].cells[1].paragraphs[0].style.name == "Table Text Left"  # the unit


def test_restyling_normal_restyles_the_body(built):
    document = read_docx(built["conference-minutes"])
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Times New Roman", Pt(14))
    normal.font.name, normal.font.size = "Arial", Pt(13)
    body = [p for p in document.paragraphs if p.style.name in BODY_STYLES and p.runs]
    assert body
    for paragraph in body:
        for run in paragraph.runs:
            assert effective_font(paragraph, run, "name") == "Arial"
            assert effective_font(paragraph, run, "size") == Pt(13)


def test_the_language_is_vietnamese(built):
    for key, content in built.items():
        styles = read_docx(content).styles.element
        defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        normal = styles.get_by_id("Normal").rPr
        for properties in (defaults, normal):
            language = properties.find(qn("w:lang"))
            assert language.get(qn("w:val")) == "vi-VN", key
            assert language.get(qn("w:eastAsia")) == "vi-VN", key


def test_the_file_properties_name_the_issuer_the_title_and_now(built):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    for key, content in built.items():
        document = read_docx(content)
        properties = document.core_properties
        issuer = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs if p.text][1]
        issuer = issuer.replace("\u00a0", " ")  # kept on one line (layout.unbroken)
        assert properties.author.upper() == issuer, key
        assert properties.last_modified_by == properties.author, key
        summary = next(
            p
            for p in [*document.paragraphs, *_cell_paragraphs(document)]
            if p.style.name in ("Document Summary", "Letter Subject")
        )
        assert properties.title == summary.text.replace("\u00a0", " ").removeprefix("V/v "), key
        for moment in (properties.created, properties.modified):
            moment = moment.replace(tzinfo=None)
            assert moment.year != 2013, key
            assert datetime.timedelta(0) <= now - moment < datetime.timedelta(minutes=10), key
        texts = (properties.comments, properties.keywords, properties.author, properties.title)
        assert not any("python-docx" in text for text in texts), key


def test_table_headers_repeat_and_rows_stay_whole(built):
    for key, content in built.items():
        document = read_docx(content)
        for table in document.tables:
            rows = table._tbl.tr_lst
            # a layout table (the letterhead, Nơi nhận and signatures) has no header to repeat
            layout_table = table.style is None or table.style.name != "Table Grid"
            assert (rows[0].trPr.find(qn("w:tblHeader")) is None) == layout_table, key
            assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows), key
            margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
            widths = {edge.tag.split("}")[1]: edge.get(qn("w:w")) for edge in margins}
            assert widths == {"top": "0", "left": "108", "bottom": "0", "right": "108"}, key
        ruled = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
        for table in ruled:
            assert table._tbl.tr_lst[1].trPr.find(qn("w:tblHeader")) is None, key
            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        assert paragraph_value(paragraph, "space_before") == 0, key
                        assert paragraph_value(paragraph, "space_after") == 0, key


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_no_trace_of_python_docx_template(built):
    """Only the styles a file uses (no ~150 table styles, no Word 2010 copy of them), and no
    app.xml naming Word for Mac, Normal.dotm and a word count of 0."""
    for key, content in built.items():
        parts = _parts(content)
        assert "word/stylesWithEffects.xml" not in parts, key
        assert "docProps/app.xml" not in parts, key  # "Microsoft Macintosh Word", Normal.dotm
        assert b"app.xml" not in parts["_rels/.rels"], key
        assert b"app.xml" not in parts["[Content_Types].xml"], key
        document = read_docx(content)
        tables = [s.name for s in document.styles if s.type == WD_STYLE_TYPE.TABLE]
        assert set(tables) <= {"Normal Table", "Table Grid"}, (key, tables)
        assert len(document.styles) < 60, key  # python-docx's template brings 164
        assert {"Normal", "Block", "Signer", "Body Heading"} <= {s.name for s in document.styles}


def test_section_headings_show_in_the_navigation_pane(built):
    heading = read_docx(built["year-end-report"]).styles["Body Heading"]
    level = heading.element.pPr.find(qn("w:outlineLvl"))
    assert level.get(qn("w:val")) == "0"
    document = read_docx(built["year-end-report"])
    headings = [p.text for p in document.paragraphs if p.style.name == "Body Heading"]
    assert headings[0].startswith("I. ")


def test_the_signature_block_is_as_the_decree_writes_it(built):
    """NĐ 30/2020: authority, post, the room for the signature, rank and name; no form hint
    under the post, except where the commendation template prints one ("(Ký, đóng dấu)",
    the achievement report)."""
    for key, content in built.items():
        document = read_docx(content)
        notes = [p.text for p in _cell_paragraphs(document) if p.style.name == "Signature Note"]
        assert "(Ký, ghi rõ họ tên)" not in all_text(document), key
        if key.startswith("achievement-"):
            assert notes == ["(Ký, đóng dấu)"] * 2, key
        else:
            assert notes == [], key
        signer = document.styles["Signer"].paragraph_format
        assert signer.space_before == Pt(60), key  # the room for the signature and the seal


def _closing_tables(document):
    return [
        table
        for table in document.tables
        if any(
            p.style.name in ("Recipients Heading", "Signature Authority")
            for p in table.rows[0].cells[0].paragraphs + table.rows[0].cells[-1].paragraphs
        )
    ]


def test_the_last_body_paragraphs_go_with_the_signature_block(built):
    """A signature never stands alone on a page: the last two body paragraphs before it are
    kept with it (or the last row of a table that ends the body), and a grid of signatures
    keeps its rows together."""
    for key, content in built.items():
        document = read_docx(content)
        for table in _closing_tables(document):
            before = table._tbl.getprevious()
            assert before.tag == qn("w:p"), key  # the spacer
            kept, element = 0, before
            while kept < 2 and element is not None:
                if element.tag == qn("w:tbl"):
                    last = element.tr_lst[-1]
                    assert all(p.pPr.keepNext_val for p in last.iter(qn("w:p"))), key
                    break
                if element.tag == qn("w:p"):
                    assert element.pPr.keepNext_val, key
                    kept += bool("".join(element.itertext()).strip())
                element = element.getprevious()
            for row in table._tbl.tr_lst[:-1]:
                assert all(p.pPr.keepNext_val for p in row.iter(qn("w:p"))), key


def test_names_and_posts_are_kept_on_one_line():
    unbroken = layout.unbroken
    signer = "CỤM TRƯỞNG – GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG"
    assert unbroken(signer, 10.1, bold=True) == (
        "CỤM\xa0TRƯỞNG\xa0– GIÁM\xa0ĐỐC\xa0CÔNG\xa0AN\xa0TỈNH\xa0HÀ\xa0GIANG"
    )
    # in a narrower column the post and the unit each stay whole
    assert unbroken("GIÁM ĐỐC CÔNG AN TỈNH LÀO CAI", 7.9, bold=True) == (
        "GIÁM\xa0ĐỐC CÔNG\xa0AN\xa0TỈNH\xa0LÀO\xa0CAI"
    )
    # and where even the unit's name does not fit, at least the province's does
    assert unbroken("CÔNG AN THÀNH PHỐ HỒ CHÍ MINH", 6.6, 13, bold=True) == (
        "CÔNG\xa0AN\xa0THÀNH\xa0PHỐ HỒ\xa0CHÍ\xa0MINH"
    )
    assert unbroken("Công an tỉnh Lào Cai được đề nghị Cờ thi đua của Bộ Công an năm 2020") == (
        "Công\xa0an\xa0tỉnh Lào\xa0Cai được đề nghị Cờ thi đua của Bộ\xa0Công\xa0an năm\xa02020"
    )
    assert unbroken("Không trúng cử", 2.0, 12) == "Không trúng\xa0cử"
    assert unbroken("Không trúng cử", 3.4, 12) == "Không\xa0trúng\xa0cử"


def test_the_same_data_gives_the_same_parts(plans, built):
    for key, content in built.items():
        first, second = _parts(content), _parts(plans[key].build().content)
        assert first.keys() == second.keys(), key
        for name in first:
            if name != "docProps/core.xml":
                assert first[name] == second[name], (key, name)


def test_a_body_paragraph_no_style_names_states_its_mix_directly():
    heading = layout.Heading(
        "Bộ Công an",
        "Cụm thi đua số II",
        "CTĐ",
        "BB",
        1,
        "Hà Giang",
        datetime.date(2020, 11, 16),
        "Biên bản",
        "Kiểm phiếu",
    )
    document = layout.new_document(heading)
    unindented = layout.body(document, "28HNBL73, 2DEEJP9P", indent=False)
    assert unindented.style.name == "Body Unindented"
    assert unindented.style.paragraph_format.first_line_indent == 0
    paragraph = layout.body(document, "Ghi chú", bold=True, italic=True, indent=False)
    assert paragraph.style.name == "Normal"
    run = paragraph.runs[0]
    assert (run.font.bold, run.font.italic, run.font.size) == (True, True, None)
    assert paragraph.paragraph_format.first_line_indent == 0
    # python-docx's template leaves no preview picture of another document
    assert "docProps/thumbnail.jpeg" not in _parts(layout.save(document))


def test_kinh_gui_with_several_recipients_puts_each_on_its_own_line():
    heading = layout.Heading(
        "Bộ Công an",
        "Cụm thi đua số II",
        "CTĐ",
        "CV",
        1,
        "Hà Giang",
        datetime.date(2020, 11, 20),
        "Công văn",
        "Gửi hồ sơ",
    )
    document = layout.new_document(heading)
    layout.addressee(document, ["Hội đồng Thi đua - Khen thưởng Bộ Công an", "Cục X"])
    lines = [(p.text, p.style.name) for p in document.paragraphs if p.text.startswith(("K", "-"))]
    assert lines == [
        ("Kính gửi:", "Addressee"),
        ("- Hội đồng Thi đua - Khen thưởng Bộ Công an;", "Addressee List"),
        ("- Cục X.", "Addressee List"),
    ]
