"""The Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP) with python-docx.

A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black;
page numbers centred at the top from page 2; the national title and motto block on the right,
the issuing body block on the left; number and date line; document type and summary; body at
14 pt, justified, first-line indent 1,27 cm, 6 pt after; recipients and signature blocks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from thidua.core.paperwork import MOTTO, NATION, date_line, number_line

FONT = "Times New Roman"


@dataclass(frozen=True)
class Heading:
    parent_body: str  # "BỘ CÔNG AN"
    issuer: str  # "CỤM THI ĐUA SỐ II"
    issuer_code: str  # "CTĐ"
    kind_code: str  # "BB", "BC", "TTr"
    number: int | None
    place: str
    day: date
    kind: str  # "BIÊN BẢN"
    summary: str  # "Kiểm phiếu bình xét ..."


@dataclass(frozen=True)
class Signer:
    authority: str  # "TRƯỞNG BAN KIỂM PHIẾU", "TM. CỤM THI ĐUA SỐ II"
    title: str  # "CỤM TRƯỞNG" (may be empty)
    name: str
    office: str = ""  # "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG": the signer's own post, if any


def _font(run, size: float, bold: bool = False, italic: bool = False, underline: bool = False):
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    return run


def _paragraph(
    container,
    text: str = "",
    size: float = 14,
    *,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
    before: float = 0,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(before)
    if text:
        _font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def _rule_under(paragraph, rule_cm: float, space_cm: float) -> None:
    """A short solid line under a heading line (as long as the motto, or about a third of the
    issuer's text): the top border of an empty, indented paragraph just below it."""
    line = paragraph._parent.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.paragraph_format.space_after = Pt(0)
    _font(line.add_run(""), 4)
    properties = line._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "6")
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    border.append(top)
    properties.append(border)
    indent = max(0.0, (space_cm - rule_cm) / 2)
    line.paragraph_format.left_indent = Cm(indent)
    line.paragraph_format.right_indent = Cm(indent)


TEXT_WIDTH_CM = 16.5  # A4 210 mm less 30 mm and 15 mm margins


def _widths(table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths (Word ignores cell widths unless the layout is fixed)."""
    table.autofit = False
    properties = table._tbl.tblPr
    fixed = OxmlElement("w:tblLayout")
    fixed.set(qn("w:type"), "fixed")
    properties.append(fixed)
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
        column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _page_number_header(section) -> None:
    """Page numbers centred in the top margin, none on page 1."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = _font(paragraph.add_run(), 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def new_document(heading: Heading):
    """A document with the page set up and the header blocks, title and summary written."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _page_number_header(section)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)

    blocks = document.add_table(rows=2, cols=2)
    blocks.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(blocks)
    _widths(blocks, (6.3, TEXT_WIDTH_CM - 6.3))
    left, right = blocks.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(left.paragraphs[0].add_run(heading.parent_body.upper()), 13)
    issuer = _paragraph(left, heading.issuer.upper(), 13, bold=True)
    _rule_under(issuer, 2.2, 6.3)  # a third to a half of the issuer's line
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run(NATION), 12, bold=True)
    motto = _paragraph(right, MOTTO, 13, bold=True)
    _rule_under(motto, 6.2, TEXT_WIDTH_CM - 6.3)  # as long as the motto
    number_cell, date_cell = blocks.rows[1].cells
    number_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(
        number_cell.paragraphs[0].add_run(
            number_line(heading.number, heading.kind_code, heading.issuer_code)
        ),
        13,
    )
    date_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(date_cell.paragraphs[0].add_run(date_line(heading.place, heading.day)), 14, italic=True)

    _paragraph(document, heading.kind.upper(), 14, bold=True, before=18)
    summary = _paragraph(document, heading.summary, 14, bold=True)
    _rule_under(summary, 3.0, TEXT_WIDTH_CM)
    _paragraph(document, "", 6)
    return document


def body(document, text: str, *, bold: bool = False, italic: bool = False, indent: bool = True):
    """A body paragraph: 14 pt, justified, first-line indent 1,27 cm, 6 pt after."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    form = paragraph.paragraph_format
    form.first_line_indent = Cm(1.27) if indent else None
    form.space_after = Pt(6)
    form.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    form.line_spacing = 1.15
    _font(paragraph.add_run(text), 14, bold=bold, italic=italic)
    return paragraph


NUMBER_HEADINGS = ("STT", "Hạng")
UNIT_HEADING = "Đơn vị"


QR_WIDTH_CM = 2.5


def checkpoint(document, text: str, qr_text: str) -> None:
    """A checkpoint of the audit chain as the signers compare it: the code in words, and a
    QR code of the whole of it (`qr_text`) for `thidua verify --anchor`."""
    body(document, text, italic=True)
    image = io.BytesIO()
    segno.make(qr_text, error="m").save(image, kind="png", scale=4, border=2)
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(1.27)
    run = paragraph.add_run()
    _font(run, 14)  # every run names the document's font, a picture's too
    run.add_picture(io.BytesIO(image.getvalue()), width=Cm(QR_WIDTH_CM))


def _shared_widths(columns: int, numbered: bool, names: int) -> list[float]:
    """A narrow number column, room for a unit's full name ("Công an tỉnh Lào Cai" on one
    line at 12 pt), the rest shared out."""
    fixed = {0: 1.2} if numbered else {}
    fixed[names] = min(6.4, TEXT_WIDTH_CM / 2)
    rest = (TEXT_WIDTH_CM - sum(fixed.values())) / max(columns - len(fixed), 1)
    return [fixed.get(column, rest) for column in range(columns)]


def table(
    document,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    size: float = 12,
    bold_last: bool = False,
    widths: Sequence[float] | None = None,
):
    """A bordered table with a bold header row (tables may use 12–13 pt to fit); `widths` in
    cm, the text width shared out when not given (a narrow first column for a number)."""
    grid = document.add_table(rows=1 + len(rows), cols=len(headings))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    numbered = headings[0] in NUMBER_HEADINGS
    names = headings.index(UNIT_HEADING) if UNIT_HEADING in headings else (1 if numbered else 0)
    if widths is None:
        widths = _shared_widths(len(headings), numbered, names)
    _widths(grid, widths)
    for column, heading in enumerate(headings):
        cell = grid.rows[0].cells[column]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(heading), size, bold=True)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            cell = grid.rows[index].cells[column]
            cell.paragraphs[0].alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if column == names else WD_ALIGN_PARAGRAPH.CENTER
            )
            _font(
                cell.paragraphs[0].add_run(str(value)), size, bold=bold_last and index == len(rows)
            )
    _paragraph(document, "", 6)
    return grid


def closing(document, recipients: Sequence[str], signers: Sequence[Signer], keep: str) -> None:
    """Recipients (Nơi nhận) at the left, signature blocks at the right (or side by side)."""
    _paragraph(document, "", 6)
    blocks = document.add_table(rows=1, cols=2)
    _no_borders(blocks)
    _widths(blocks, (7.5, TEXT_WIDTH_CM - 7.5))
    left, right = blocks.rows[0].cells
    first = left.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _font(first.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    for recipient in recipients:
        _paragraph(left, f"- {recipient};", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(left, f"- Lưu: VT, {keep}.", 11, align=WD_ALIGN_PARAGRAPH.LEFT)  # VT: văn thư
    for index, signer in enumerate(signers):
        paragraph = right.paragraphs[0] if index == 0 else _paragraph(right, "", 14, before=24)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(signer.authority.upper()), 14, bold=True)
        for line in (signer.title, signer.office):
            if line:
                _paragraph(right, line.upper(), 14, bold=True)
        _paragraph(right, "(Ký, ghi rõ họ tên)", 13, italic=True, after=48)
        _paragraph(right, signer.name, 14, bold=True)


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
