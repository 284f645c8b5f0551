"""The Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP) with python-docx.

A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black;
page numbers centred at the top from page 2; the national title and motto block on the right,
the issuing body block on the left; number and date line; document type and summary; body at
14 pt, justified, first-line indent 1,27 cm, 6 pt after; recipients and signature blocks.

Every paragraph takes its look from a named style (`STYLES`), as an office's own documents
do: a secretary who restyles "Normal" restyles the body, and Word's style pane tells what each
line is. Direct formatting is left for what a style cannot say (a rule's length, the space
between two signers).
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from thidua.core.paperwork import MOTTO, NATION, date_line, number_line

FONT = "Times New Roman"
LANGUAGE = "vi-VN"


@dataclass(frozen=True)
class Heading:
    parent_body: str  # "BỘ CÔNG AN"
    issuer: str  # "CỤM THI ĐUA SỐ II"
    issuer_code: str  # "CTĐ"
    kind_code: str  # "BB", "BC", "TTr"; "" for a công văn (no kind line: "V/v …" under the number)
    number: int | None
    place: str
    day: date | int  # a year alone: day and month left blank for the signer
    kind: str  # "BIÊN BẢN"
    summary: str  # "Kiểm phiếu bình xét ..."
    replaces: str = ""  # a correction names the issued document it replaces, and why
    numbered: bool = True  # an achievement report has no number line (its template has none)

    @property
    def letter(self) -> bool:
        """A công văn (NĐ 30/2020, appendix I): no kind in its number and no kind line; its
        summary, "V/v …", is under the number."""
        return not self.kind_code


@dataclass(frozen=True)
class Signer:
    authority: str  # "TRƯỞNG BAN KIỂM PHIẾU", "TM. CỤM THI ĐUA SỐ II"
    title: str  # "CỤM TRƯỞNG" (may be empty)
    name: str
    office: str = ""  # "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG": the signer's own post, if any


# --- names kept on one line ---------------------------------------------------------------

NO_BREAK = "\u00a0"
#: Words never parted at a line's end: a post, a body's name, a title's last words.
_PHRASES = re.compile(
    r"(?i)\b(phó giám đốc|giám đốc|cụm trưởng|cụm phó|trưởng ban|bộ công an|chính phủ"
    r"|thủ tướng|trúng cử|thi đua số \S+|năm \d{4}|số \d+)\b"
)
#: A police unit's name: "Công an tỉnh" and the words after it (the province's are those
#: capitalised, at most three).
_WORD = r"[^\W\d_][^\s,;.:()]*"
_UNIT = re.compile(rf"(?i)\b(công an (?:tỉnh|thành phố)) ({_WORD}(?: {_WORD}){{0,2}})")


def _em(character: str, bold: bool) -> float:
    """A character's width in ems in Times New Roman (rounded up, so a guess errs on the
    side of breaking)."""
    if character.isspace():
        return 0.25
    if character.isupper():
        return 0.72 if bold else 0.68
    if character.isdigit():
        return 0.5
    return 0.52 if bold else 0.48


def _width_cm(text: str, size: float, bold: bool) -> float:
    return sum(_em(character, bold) for character in text) * size / 28.35


def _bound(text: str) -> str:
    return text.replace(" ", NO_BREAK)


def _titled(word: str) -> bool:
    """ "Giang", "Châu": a capital, then small letters (not "HÀ", "2020" or "an")."""
    return len(word) > 1 and word[0].isupper() and word[1:].isalpha() and word[1:].islower()


def _proper_names(text: str) -> str:
    """Capitalised words in a row ("Lai Châu", "Điện Biên") bound: a place's name."""
    words = text.split(" ")
    joined = [words[0]]
    for index, (before, word) in enumerate(itertools.pairwise(words)):
        last, first = before.split(NO_BREAK)[-1], word.split(NO_BREAK)[0]
        opening = index == 0 or words[index - 1].endswith(".")  # a sentence's first capital
        name = not opening and _titled(last) and _titled(first.rstrip(",;.:)"))
        joined.append(NO_BREAK if name else " ")
        joined.append(word)
    return "".join(joined)


def unbroken(text: str, width_cm: float | None = None, size: float = 14, bold: bool = False):
    """`text` with non-breaking spaces where a line must not break: inside a post ("GIÁM
    ĐỐC"), a body's or a place's name ("Bộ Công an", "Lai Châu"), "năm 2020", "trúng cử";
    and, given the column's width, a unit's whole name ("Công an tỉnh Hà Giang") and each
    part between dashes whole where they fit ("CỤM TRƯỞNG –" / "GIÁM ĐỐC CÔNG AN TỈNH HÀ
    GIANG"). A dash stays at the end of its line."""

    def unit(match: re.Match) -> str:
        words = match.group(2).split(" ")
        province = []
        for word in words:
            if not word[0].isupper():
                break
            province.append(word)
        rest = " ".join(words[len(province) :])
        if not province:
            return match.group(0)
        whole = f"{match.group(1)} {' '.join(province)}"
        if width_cm is not None and _width_cm(whole, size, bold) <= width_cm:
            named = _bound(whole)
        else:
            named = f"{_bound(match.group(1))} {_bound(' '.join(province))}"
        return f"{named} {rest}" if rest else named

    parts = []
    for part in text.split(" – "):
        if width_cm is not None and _width_cm(part, size, bold) <= width_cm:
            parts.append(_bound(part))
            continue
        part = _UNIT.sub(unit, part)
        parts.append(_proper_names(_PHRASES.sub(lambda match: _bound(match.group(0)), part)))
    return f"{NO_BREAK}– ".join(parts)


@dataclass(frozen=True)
class Look:
    """What a style says beyond "Block" (centred, no indent, no spacing, single lines)."""

    size: float = 14
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER
    before: float = 0
    after: float = 0
    keep_with_next: bool = False


# Body styles, based on "Normal" (the body itself): bold lead-ins, section headings, notes,
# unindented lines.
BODY_STYLES = {
    "Body Lead": {"bold": True, "keep_with_next": True},
    "Body Heading": {"bold": True, "indent": False, "keep_with_next": True, "outline": 0},
    "Body Note": {"italic": True},
    "Body Unindented": {"indent": False},  # a list or a line of codes, flush left
}
BODY_STYLE_OF = {  # body(bold, italic, indent) -> style
    (False, False, True): "Normal",
    (True, False, True): "Body Lead",
    (True, False, False): "Body Heading",
    (False, True, True): "Body Note",
    (False, False, False): "Body Unindented",
}
# Layout styles, based on "Block" (itself on "Normal", so the font follows the body's).
STYLES = {
    "Parent Body": Look(13),
    "Issuer": Look(13, bold=True),
    "Nation": Look(12, bold=True),
    "Motto": Look(13, bold=True),
    "Rule": Look(4),  # the short line under a heading line: a top border, 4 pt tall
    "Document Number": Look(13),
    "Letter Subject": Look(13),  # a công văn's "V/v …", centred under its number
    "Document Date": Look(14, italic=True),
    "Document Kind": Look(14, bold=True, before=18, keep_with_next=True),
    "Document Summary": Look(14, bold=True, keep_with_next=True),
    "Spacer": Look(14),  # an empty line between parts, as tall as a line of the body
    "Body Picture": Look(14, align=WD_ALIGN_PARAGRAPH.LEFT),
    "Addressee": Look(14, after=6),  # "Kính gửi: …", centred under the summary
    "Addressee List": Look(14, align=WD_ALIGN_PARAGRAPH.LEFT),
    "Recipients Heading": Look(12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT),
    "Recipient": Look(11, align=WD_ALIGN_PARAGRAPH.LEFT),
    "Signature Authority": Look(14, bold=True, keep_with_next=True),
    "Signature Note": Look(13, italic=True, keep_with_next=True),  # "(Ký, đóng dấu)"
    "Signer": Look(14, bold=True, before=60),  # the room for the signature and the seal
}
TABLE_SIZE = 12  # tables may use 12–13 pt to fit; other sizes get their own styles
TABLE_STYLES = {
    "Table Header": Look(TABLE_SIZE, bold=True),
    "Table Text": Look(TABLE_SIZE),
    "Table Text Left": Look(TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT),
    "Table Total": Look(TABLE_SIZE, bold=True),
    "Table Total Left": Look(TABLE_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT),
}
TABLE_STYLE_SIZED = " pt"  # "Table Text 10 pt": a table style at another size
CELL_MARGIN_TWIPS = 108  # 0,19 cm left and right, none top and bottom: Word's own default

# Schema order of the children that are inserted here (Word refuses some files out of order).
_PPR_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc")
_TBLPR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
_TBLPR_AFTER_CELL_MARGINS = ("w:tblLook", "w:tblCaption", "w:tblDescription")


def _fonts_element():
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    return fonts


def _language_element():
    language = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia"):
        language.set(qn(attribute), LANGUAGE)
    return language


def _defaults(document) -> None:
    """Times New Roman 14 pt in Vietnamese for anything unstyled (no theme fonts, which would
    win over a named font), so Word checks the spelling as Vietnamese."""
    properties = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    run = properties.find(qn("w:rPr"))
    for child in list(run):
        run.remove(child)
    run.append(_fonts_element())
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), "28")
        run.append(size)
    run.append(_language_element())


def _rule_border(style) -> None:
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for attribute, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1")):
        top.set(qn(attribute), value)
    top.set(qn("w:color"), "000000")
    border.append(top)
    style.element.get_or_add_pPr().insert_element_before(border, *_PPR_AFTER_BORDER)


def _add_style(document, name: str, base, look: Look):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = base
    style.quick_style = True
    style.next_paragraph_style = style
    font, form = style.font, style.paragraph_format
    font.size, font.bold, font.italic = Pt(look.size), look.bold, look.italic
    form.alignment = look.align
    form.space_before, form.space_after = Pt(look.before), Pt(look.after)
    form.keep_with_next = look.keep_with_next
    return style


def _styles(document) -> None:
    """Normal is the body; "Block" (centred, single lines, no indent or spacing) underlies the
    header blocks, tables and closing, whose styles each say their size and weight."""
    _defaults(document)
    styles = document.styles
    normal = styles["Normal"]
    properties = normal.element.get_or_add_rPr()
    properties.insert(0, _fonts_element())
    properties.append(_language_element())
    normal.font.size = Pt(14)
    form = normal.paragraph_format
    form.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    form.first_line_indent = Cm(1.27)
    form.space_before, form.space_after = Pt(0), Pt(6)
    form.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    form.line_spacing = 1.15
    for name, spec in BODY_STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style, style.quick_style = normal, True
        style.font.bold = spec.get("bold")
        style.font.italic = spec.get("italic")
        if spec.get("indent") is False:
            style.paragraph_format.first_line_indent = Cm(0)
        style.paragraph_format.keep_with_next = spec.get("keep_with_next")
        style.next_paragraph_style = normal
        if "outline" in spec:  # a heading in Word's navigation pane
            level = OxmlElement("w:outlineLvl")
            level.set(qn("w:val"), str(spec["outline"]))
            style.element.get_or_add_pPr().insert_element_before(
                level, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
            )
    block = styles.add_style("Block", WD_STYLE_TYPE.PARAGRAPH)
    block.base_style = normal
    form = block.paragraph_format
    form.alignment = WD_ALIGN_PARAGRAPH.CENTER
    form.first_line_indent = Cm(0)
    form.space_before = form.space_after = Pt(0)
    form.line_spacing = 1.0
    for name, look in STYLES.items():
        _add_style(document, name, block, look)
    _rule_border(styles["Rule"])
    styles["Body Picture"].paragraph_format.left_indent = Cm(1.27)
    for name, look in TABLE_STYLES.items():
        _add_style(document, name, block, look)
    header = styles["Header"]  # the page number
    header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.paragraph_format.first_line_indent = Cm(0)


def _table_style(document, name: str, size: float) -> str:
    """The name of the table style `name` at `size` pt: the standard one, or one made for
    that size (looked for once per document: python-docx finds a style by name over every
    style, and a table asks for one per cell)."""
    if size == TABLE_SIZE:
        return name
    sized = f"{name} {size:g}{TABLE_STYLE_SIZED}"
    made = document.part.__dict__.setdefault("_thidua_sized_styles", set())
    if sized not in made:
        try:
            document.styles[sized]
        except KeyError:
            look = replace(TABLE_STYLES[name], size=size)
            _add_style(document, sized, document.styles["Block"], look)
        made.add(sized)
    return sized


def _paragraph(container, text: str = "", style: str = "Normal"):
    paragraph = container.add_paragraph(text)
    _style(paragraph, style)
    return paragraph


def _style(paragraph, style) -> None:
    """`paragraph.style = style` (a paragraph style or its name), with the style's id found
    once per document part: python-docx searches every style of the document for the
    default, and for a name, at each assignment (thousands in a cycle's documents, most of
    the time it takes to write them). The id is what `paragraph.style = style` writes (None:
    the default paragraph style)."""
    name = style if isinstance(style, str) else style.name
    part = paragraph.part
    ids = part.__dict__.get("_thidua_style_ids")
    if ids is None:
        ids = part.__dict__["_thidua_style_ids"] = _paragraph_style_ids(part)
    if name not in ids:  # a style added since (a table's sized style), or not a paragraph's
        ids[name] = part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
    paragraph._p.style = ids[name]


def _paragraph_style_ids(part) -> dict[str, str | None]:
    """The id `part.get_style_id` gives each paragraph style's name, all found in one pass
    over the styles (a document part's; a header's asks its document, name by name): the
    first style of a name is the one a name finds, and the default style's id is None."""
    styles = getattr(part, "styles", None)
    if styles is None:
        return {}
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    first: dict[str, object] = {}
    for style in styles:
        first.setdefault(style.name, style)
    return {
        name: None if style == default else style.style_id
        for name, style in first.items()
        if style.type == WD_STYLE_TYPE.PARAGRAPH
    }


def _restyle(paragraph, text: str, style: str):
    """The first paragraph of a new table cell, given its text and style."""
    _style(paragraph, style)
    if text:
        paragraph.add_run(text)
    return paragraph


def _rule_under(paragraph, rule_cm: float, space_cm: float) -> None:
    """A short solid line under a heading line (as long as the motto, or about a third of the
    issuer's text): an empty "Rule" paragraph just below it, indented to the rule's length."""
    line = _paragraph(paragraph._parent, style="Rule")
    indent = max(0.0, (space_cm - rule_cm) / 2)
    line.paragraph_format.left_indent = Cm(indent)
    line.paragraph_format.right_indent = Cm(indent)


TEXT_WIDTH_CM = 16.5  # A4 210 mm less 30 mm and 15 mm margins
#: the issuing body's block: "CÔNG AN TỈNH QUẢNG NINH" on one line at 13 pt bold, and room
#: left for "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" (12 pt bold) at the right
ISSUER_WIDTH_CM = 7.0
CELL_MARGIN_CM = CELL_MARGIN_TWIPS / 567
RECIPIENTS_WIDTH_CM = 6.0  # Nơi nhận, beside the signature block


def _table_property(table, element, *successors: str) -> None:
    table._tbl.tblPr.insert_element_before(element, *successors)


def _widths(table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths (Word ignores cell widths unless the layout is fixed)."""
    table.autofit = False
    properties = table._tbl.tblPr
    fixed = properties.find(qn("w:tblLayout"))
    if fixed is None:
        fixed = OxmlElement("w:tblLayout")
        _table_property(table, fixed, *_TBLPR_AFTER_BORDERS[2:])
    fixed.set(qn("w:type"), "fixed")
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
        column.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _cell_margins(table) -> None:
    """Cell margins on the table itself, so Word and LibreOffice pad cells alike."""
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("top", 0), ("left", CELL_MARGIN_TWIPS), ("bottom", 0)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(width))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    right = OxmlElement("w:right")
    right.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
    right.set(qn("w:type"), "dxa")
    margins.append(right)
    _table_property(table, margins, *_TBLPR_AFTER_CELL_MARGINS)


def _rows_whole(table, header_rows: int = 1) -> None:
    """No row breaks across pages, and the header row(s) repeat on every page."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.insert_element_before(
            OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc"
        )
        if index < header_rows:
            properties.insert_element_before(
                OxmlElement("w:tblHeader"), "w:tblCellSpacing", "w:jc", "w:hidden"
            )


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _table_property(table, borders, *_TBLPR_AFTER_BORDERS)


def _layout_table(document, rows: int, cols: int, header_rows: int = 1):
    """A table as every table here is: cell margins set, rows kept whole, the first
    `header_rows` repeated on each page (none for a layout table: letterhead, closing)."""
    grid = document.add_table(rows=rows, cols=cols)
    _cell_margins(grid)
    _rows_whole(grid, header_rows)
    return grid


def _page_number_header(section) -> None:
    """Page numbers centred in the top margin, none on page 1."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    _style(paragraph, "Header")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _properties(document, heading: Heading) -> None:
    """The file's properties as Word shows them: the issuing body wrote it, now; no trace of
    python-docx's template (its author, comment, 2013 dates and preview picture)."""
    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            package.rels.pop(key)
    properties = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    properties.author = properties.last_modified_by = heading.issuer
    properties.title = heading.summary
    properties.subject = heading.kind.capitalize()
    properties.comments = properties.keywords = properties.category = ""
    properties.created = properties.modified = now
    properties.revision = 1


@cache
def _styled_template() -> bytes:
    """python-docx's blank document with the styles defined (`_styles`), saved: each new
    document is read from these bytes, not styled again (python-docx finds a style by name
    over every style, so defining ~100 of them was most of a short document's time)."""
    document = Document()
    _styles(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def new_document(heading: Heading):
    """A document with the page set up, the styles defined and the header blocks, title and
    summary written."""
    document = Document(io.BytesIO(_styled_template()))
    _properties(document, heading)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _page_number_header(section)

    blocks = _layout_table(document, 2, 2, header_rows=0)
    blocks.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(blocks)
    _widths(blocks, (ISSUER_WIDTH_CM, TEXT_WIDTH_CM - ISSUER_WIDTH_CM))
    left, right = blocks.rows[0].cells
    room = ISSUER_WIDTH_CM - 2 * CELL_MARGIN_CM
    parent = unbroken(heading.parent_body.upper(), room, 13)
    _restyle(left.paragraphs[0], parent, "Parent Body")
    issuer = _paragraph(left, unbroken(heading.issuer.upper(), room, 13, bold=True), "Issuer")
    _rule_under(issuer, 2.2, ISSUER_WIDTH_CM)  # a third to a half of the issuer's line
    _restyle(right.paragraphs[0], NATION, "Nation")
    motto = _paragraph(right, MOTTO, "Motto")
    _rule_under(motto, 6.2, TEXT_WIDTH_CM - ISSUER_WIDTH_CM)  # as long as the motto
    number_cell, date_cell = blocks.rows[1].cells
    number = (
        number_line(heading.number, heading.kind_code, heading.issuer_code)
        if heading.numbered
        else ""
    )
    _restyle(number_cell.paragraphs[0], number, "Document Number")
    _restyle(date_cell.paragraphs[0], date_line(heading.place, heading.day), "Document Date")

    if heading.letter:
        _paragraph(number_cell, f"V/v {heading.summary}", "Letter Subject")
    else:
        _paragraph(document, heading.kind.upper(), "Document Kind")
        summary = _paragraph(document, _last_words(heading.summary), "Document Summary")
        _rule_under(summary, 3.0, TEXT_WIDTH_CM)
    if heading.replaces:
        _paragraph(
            document, heading.replaces, "Body Note"
        ).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, style="Spacer")
    return document


def body(document, text: str, *, bold: bool = False, italic: bool = False, indent: bool = True):
    """A body paragraph: 14 pt, justified, first-line indent 1,27 cm, 6 pt after ("Normal"),
    or one of the body styles for a bold lead-in, a section heading or a note."""
    style = BODY_STYLE_OF.get((bold, italic, indent))
    text = unbroken(text)
    if style is not None:
        return _paragraph(document, text, style)
    paragraph = _paragraph(document, style="Normal")  # a mix no style names: said directly
    run = paragraph.add_run(text)
    run.font.bold, run.font.italic = bold or None, italic or None
    if not indent:
        paragraph.paragraph_format.first_line_indent = Cm(0)
    return paragraph


def addressee(document, recipients: Sequence[str]) -> None:
    """ "Kính gửi: …" as the decree lays it out: one recipient on the line itself, centred;
    several each on their own line, flush under the words, after a dash."""
    if len(recipients) == 1:
        _paragraph(document, f"Kính gửi: {recipients[0]}.", "Addressee")
        return
    _paragraph(document, "Kính gửi:", "Addressee").paragraph_format.space_after = Pt(0)
    for index, recipient in enumerate(recipients):
        end = "." if index == len(recipients) - 1 else ";"
        paragraph = _paragraph(document, f"- {recipient}{end}", "Addressee List")
        paragraph.paragraph_format.left_indent = Cm(TEXT_WIDTH_CM / 2 - 3)
    _paragraph(document, style="Spacer")


NUMBER_HEADINGS = ("STT", "Hạng")
UNIT_HEADING = "Đơn vị"


QR_WIDTH_CM = 2.5


def checkpoint(document, text: str, qr_text: str) -> None:
    """A checkpoint of the audit chain as the signers compare it: the code in words, and a
    QR code of the whole of it (`qr_text`) for `thidua verify --anchor`."""
    body(document, text, italic=True)
    image = io.BytesIO()
    segno.make(qr_text, error="m").save(image, kind="png", scale=4, border=2)
    paragraph = _paragraph(document, style="Body Picture")
    paragraph.add_run().add_picture(io.BytesIO(image.getvalue()), width=Cm(QR_WIDTH_CM))


def _shared_widths(columns: int, numbered: bool, names: int) -> list[float]:
    """A narrow number column, room for a unit's full name ("Công an tỉnh Lào Cai" on one
    line at 12 pt), the rest shared out."""
    fixed = {0: 1.2} if numbered else {}
    fixed[names] = min(6.4, TEXT_WIDTH_CM / 2)
    rest = (TEXT_WIDTH_CM - sum(fixed.values())) / max(columns - len(fixed), 1)
    return [fixed.get(column, rest) for column in range(columns)]


SHORT_WORDS = 5  # a label or a name ("Không trúng cử", "Công an tỉnh Điện Biên")


def _fitted(widths, headings, rows, size: float) -> list[float]:
    """`widths`, changed so that each column's short texts fit on one line where another
    column has room to spare (a verdict column too narrow for "Không trúng cử" takes it
    from the names' column); the total stays the same."""
    margins = 2 * CELL_MARGIN_CM

    def wanted(column: int) -> float:
        cells = [str(row[column]) for row in rows]
        longest_word = max(
            (_width_cm(word, size, True) for word in headings[column].split()), default=0
        )
        short = [
            _width_cm(line, size, False)
            for text in cells
            for line in text.splitlines()
            if len(line.split()) <= SHORT_WORDS
        ]
        return max([longest_word, *short]) + margins

    widths = list(widths)
    needs = [wanted(column) for column in range(len(widths))]
    for column, need in enumerate(needs):
        for donor in sorted(range(len(widths)), key=lambda d: needs[d] - widths[d]):
            short = need - widths[column]
            spare = widths[donor] - needs[donor]
            if short <= 0 or spare <= 0 or donor == column:
                continue
            moved = min(short, spare)
            widths[donor] -= moved
            widths[column] += moved
    return [round(width, 2) for width in widths]


def table(
    document,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    size: float = TABLE_SIZE,
    bold_last: bool = False,
    widths: Sequence[float] | None = None,
    left: int | None = None,
):
    """A bordered table with a bold header row repeated on every page (tables may use
    12–13 pt to fit); `widths` in cm, the text width shared out when not given (a narrow
    first column for a number); the column of names (or `left`) flush left."""
    grid = _layout_table(document, 1 + len(rows), len(headings))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    numbered = headings[0] in NUMBER_HEADINGS
    names = headings.index(UNIT_HEADING) if UNIT_HEADING in headings else (1 if numbered else 0)
    names = names if left is None else left
    if widths is None:
        widths = _shared_widths(len(headings), numbered, names)
    widths = _fitted(widths, headings, rows, size)
    _widths(grid, widths)
    header = _table_style(document, "Table Header", size)
    for cell, heading in zip(grid.rows[0].cells, headings, strict=True):
        _restyle(cell.paragraphs[0], heading, header)
    for index, row in enumerate(rows, start=1):
        kind = "Table Total" if bold_last and index == len(rows) else "Table Text"
        cells = grid.rows[index].cells  # python-docx makes a row's cells anew at each call
        for column, value in enumerate(row):
            name = f"{kind} Left" if column == names else kind
            style = _table_style(document, name, size)
            room = widths[column] - 2 * CELL_MARGIN_CM
            text = unbroken(str(value), room, size, bold=kind == "Table Total")
            _restyle(cells[column].paragraphs[0], text, style)
    _paragraph(document, style="Spacer")
    return grid


def _last_words(text: str) -> str:
    """A title whose last word never sits alone on its line ("… năm" / "2020")."""
    text = unbroken(text)
    head, space, tail = text.rpartition(" ")
    return f"{head}{NO_BREAK}{tail}" if space and NO_BREAK not in tail else text


SEAL_HINT = "(Ký, đóng dấu)"  # under the post, where a commendation template prints it
KEPT_PARAGRAPHS = 2  # of body text, printed on the page of the signatures


def _keep_with_closing(document) -> None:
    """The last paragraphs of the body kept on the page of the signature block that follows
    (NĐ 30/2020: a signature never stands on a page of its own): "keep with next" on them,
    and on the last row of a table that ends the body."""
    kept = 0
    for element in reversed(document.element.body):
        if element.tag == qn("w:tbl"):
            for cell in element.tr_lst[-1].tc_lst:
                for paragraph in cell.p_lst:
                    paragraph.get_or_add_pPr().keepNext_val = True
            return
        if element.tag != qn("w:p"):
            continue
        element.get_or_add_pPr().keepNext_val = True
        if "".join(element.itertext()).strip():
            kept += 1
            if kept == KEPT_PARAGRAPHS:
                return


def _signer_block(cell, signer: Signer, width_cm: float, hint: str, first: bool):
    """One signer's block as NĐ 30/2020 writes it: the authority, the posts (each on one
    line where the column allows), the room for the signature, the rank and name; a form's
    hint ("(Ký, đóng dấu)") only where its template prescribes one."""
    room = width_cm - 2 * CELL_MARGIN_CM
    authority = unbroken(signer.authority.upper(), room, bold=True)
    if first:
        paragraph = _restyle(cell.paragraphs[0], authority, "Signature Authority")
    else:
        paragraph = _paragraph(cell, authority, "Signature Authority")
    for line in (signer.title, signer.office):
        if line:
            _paragraph(cell, unbroken(line.upper(), room, bold=True), "Signature Authority")
    if hint:
        _paragraph(cell, hint, "Signature Note")
    _paragraph(cell, signer.name, "Signer")
    return paragraph


def closing(
    document, recipients: Sequence[str], signers: Sequence[Signer], keep: str, hint: str = ""
) -> None:
    """Recipients (Nơi nhận) at the left, signature blocks at the right (or side by side)."""
    _keep_with_closing(document)
    _paragraph(document, style="Spacer").paragraph_format.keep_with_next = True
    blocks = _layout_table(document, 1, 2, header_rows=0)
    _no_borders(blocks)
    # the right 10,5 cm hold "GIÁM ĐỐC CÔNG AN TỈNH HÀ GIANG" (9,1 cm at 14 pt bold) on one
    # line, as it is signed; the recipients, at 11 pt, wrap in the left 6 cm
    _widths(blocks, (RECIPIENTS_WIDTH_CM, TEXT_WIDTH_CM - RECIPIENTS_WIDTH_CM))
    left, right = blocks.rows[0].cells
    _restyle(left.paragraphs[0], "Nơi nhận:", "Recipients Heading")
    for recipient in recipients:
        _paragraph(left, f"- {recipient};", "Recipient")
    _paragraph(left, f"- Lưu: VT, {keep}.", "Recipient")  # VT: văn thư
    if not signers:  # every party signed above (layout.signatures)
        _style(right.paragraphs[0], "Block")
    width = TEXT_WIDTH_CM - RECIPIENTS_WIDTH_CM
    for index, signer in enumerate(signers):
        block = _signer_block(right, signer, width, hint, first=index == 0)
        if index:  # the next signer's block, a little apart
            block.paragraph_format.space_before = Pt(24)


def signatures(document, signers: Sequence[Signer], per_row: int = 2, hint: str = "") -> None:
    """Signature blocks side by side, `per_row` to a row, for a paper every party signs (the
    agreement by each member's head, a hand-over by both sides); no row breaks across pages
    and none repeats."""
    _keep_with_closing(document)
    _paragraph(document, style="Spacer").paragraph_format.keep_with_next = True
    grid = document.add_table(rows=-(-len(signers) // per_row), cols=per_row)
    _cell_margins(grid)
    _rows_whole(grid, header_rows=0)
    _no_borders(grid)
    _widths(grid, [TEXT_WIDTH_CM / per_row] * per_row)
    for cell in grid.rows[-1].cells[len(signers) % per_row or per_row :]:
        _style(cell.paragraphs[0], "Block")  # an empty place in the last row
    for index, signer in enumerate(signers):
        cell = grid.rows[index // per_row].cells[index % per_row]
        _signer_block(cell, signer, TEXT_WIDTH_CM / per_row, hint, first=True)
        if index // per_row:  # a later row a little apart from the names above it
            cell.paragraphs[0].paragraph_format.space_before = Pt(18)
    for row in grid.rows[:-1]:  # the signatures on one page, as far as they fit
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _clean_template(document) -> None:
    """No trace of python-docx's template: only the styles the file uses, its own and those
    they rest on (not ~150 table styles nobody chose, nor their Word 2010 copy), and no
    app.xml (python-docx's names Word for Mac, Normal.dotm and a word count of 0; the file
    is valid without one, and Word writes its own when it saves)."""
    for key, relationship in list(document.part.rels.items()):
        if relationship.reltype == STYLES_WITH_EFFECTS:
            document.part.rels.pop(key)
    styles = document.styles.element
    keep = set()
    for relationship in document.part.rels.values():
        if relationship.is_external or relationship.reltype == RT.STYLES:
            continue
        blob = relationship.target_part.blob
        keep.update(re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', blob))
    keep = {value.decode() for value in keep}
    keep.update(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', document.element.xml))
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    ours = {*BODY_STYLES, "Block", *STYLES, *TABLE_STYLES}
    for style_id, style in by_id.items():
        name = style.find(qn("w:name")).get(qn("w:val"))
        if style.get(qn("w:default")) == "1" or name in ours or name.startswith(TABLE_STYLE_SIZED):
            keep.add(style_id)
    pending = list(keep)
    while pending:  # and the styles a kept one is based on, linked to or followed by
        style = by_id.get(pending.pop())
        for tag in ("w:basedOn", "w:link", "w:next"):
            reference = style.find(qn(tag)) if style is not None else None
            if reference is not None and reference.get(qn("w:val")) not in keep:
                keep.add(reference.get(qn("w:val")))
                pending.append(reference.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)
    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RT.EXTENDED_PROPERTIES:  # app.xml, optional
            package.rels.pop(key)


def save(document) -> bytes:
    _clean_template(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
