"""Every DOCX of the demo cycle as an office uses Word: named styles (restyling "Normal"
restyles the body), Vietnamese spelling, the file's properties, tables that break cleanly
across pages, and the same parts whenever the same data is generated."""

import datetime
import io
import zipfile

import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.documents.conftest import effective_font, read_docx
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


@pytest.fixture
def built(plans):
    """Each ready DOCX of the demo cycle, built once: key -> bytes."""
    return {
        key: plan.build().content
        for key, plan in plans.items()
        if plan.ready and plan.filename.endswith(".docx")
    }


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
        assert properties.author.upper() == issuer, key
        assert properties.last_modified_by == properties.author, key
        summary = next(
            p
            for p in [*document.paragraphs, *_cell_paragraphs(document)]
            if p.style.name in ("Document Summary", "Letter Subject")
        )
        assert properties.title == summary.text.removeprefix("V/v "), key
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
            # a grid of signatures (every party's block) has no header to repeat
            signing = table.rows[0].cells[0].paragraphs[0].style.name == "Signature Authority"
            assert (rows[0].trPr.find(qn("w:tblHeader")) is None) == signing, key
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
