"""An HTML rendering of thidua's own DOCX files, for WeasyPrint to print as PDF.

It reads the DOCX (not the data behind it), so the PDF says exactly what the DOCX says. It
understands what `layout` writes — A4 page and margins, the page number in the header (none
on page 1), paragraphs with alignment, indents, spacing, a top border (the short rules under
headings), a page break before and keep-with-next, runs in bold/italic/underline at a size,
bordered and borderless tables with fixed column widths, rows kept whole and header rows
repeated on each page — not arbitrary Word files. Formatting is read as Word applies it: the
paragraph's or run's own, else its named style's and the styles that one is based on.
"""

from __future__ import annotations

import base64
import io
from html import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

FONTS = '"Times New Roman", "Liberation Serif", serif'
ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: "center",
    WD_ALIGN_PARAGRAPH.RIGHT: "right",
    WD_ALIGN_PARAGRAPH.JUSTIFY: "justify",
    WD_ALIGN_PARAGRAPH.LEFT: "left",
}
CELL_PADDING_CM = 0.19  # Word's default left and right cell margins
RULE_GAP = Pt(3)


EMU_PER_CM = 360000


def _cm(length: Length | None) -> str:
    return f"{(length or 0) / 360000:.2f}cm"


def _pt(length: Length | None) -> str:
    return f"{(length or 0) / 12700:.1f}pt"


def _page_numbered(section) -> bool:
    header = section.header._element
    instructions = [node.text or "" for node in header.iter(qn("w:instrText"))]
    simple = [node.get(qn("w:instr"), "") for node in header.iter(qn("w:fldSimple"))]
    return any("PAGE" in text for text in instructions + simple)


def _page_css(document) -> str:
    section = document.sections[0]
    margins = " ".join(
        _cm(getattr(section, f"{side}_margin")) for side in ("top", "right", "bottom", "left")
    )
    rules = [
        f"@page {{ size: {_cm(section.page_width)} {_cm(section.page_height)}; margin: {margins};"
    ]
    if _page_numbered(section):
        rules.append(f" @top-center {{ content: counter(page); font: 14pt {FONTS}; }}")
    rules.append(" }")
    if section.different_first_page_header_footer:
        rules.append(" @page :first { @top-center { content: none; } }")
    return "".join(rules)


def _pictures_html(run) -> str:
    """The run's inline pictures (a QR code), embedded, at their size in the document."""
    out = []
    for drawing in run._r.iter(qn("w:drawing")):
        blip = next(drawing.iter(qn("a:blip")), None)
        extent = next(drawing.iter(qn("wp:extent")), None)
        if blip is None or extent is None:
            continue
        part = run.part.related_parts[blip.get(qn("r:embed"))]
        width, height = int(extent.get("cx")) / EMU_PER_CM, int(extent.get("cy")) / EMU_PER_CM
        data = base64.b64encode(part.blob).decode()
        out.append(
            f'<img src="data:{part.content_type};base64,{data}" alt="" '
            f'style="width: {width:.2f}cm; height: {height:.2f}cm">'
        )
    return "".join(out)


def _styles_of(style):
    """The style and those it is based on, nearest first."""
    while style is not None:
        yield style
        style = style.base_style


class _Chains:
    """Each style's chain (`_styles_of`) found once per document: python-docx finds a
    paragraph's or run's style, and the default one, by scanning every style of the file,
    which was half of a PDF's making when done at every paragraph and run."""

    def __init__(self):
        self._found: dict = {}

    def paragraph(self, paragraph: Paragraph) -> tuple:
        return self._chain(paragraph, paragraph._p.style, "p")

    def run(self, run) -> tuple:
        return self._chain(run, run._r.style, "r")

    def _chain(self, item, style_id, kind: str) -> tuple:
        key = (style_id, kind)
        if key not in self._found:
            self._found[key] = tuple(_styles_of(item.style))
        return self._found[key]


def paragraph_value(paragraph: Paragraph, name: str, chains: _Chains | None = None):
    """A paragraph's format as Word applies it: its own, else its style's (and their bases')."""
    styles = (chains or _Chains()).paragraph(paragraph)
    for form in (paragraph.paragraph_format, *(s.paragraph_format for s in styles)):
        value = getattr(form, name)
        if value is not None:
            return value
    return None


def font_value(run, paragraph: Paragraph, name: str, chains: _Chains | None = None):
    """A run's font as Word applies it: its own, its character style's, its paragraph's
    style's (no run: the paragraph mark's, from the paragraph's style)."""
    chains = chains or _Chains()
    fonts = [run.font, *(style.font for style in chains.run(run))] if run is not None else []
    fonts += [style.font for style in chains.paragraph(paragraph)]
    for font in fonts:
        value = getattr(font, name)
        if value is not None:
            return value
    return None


def _ruled(paragraph: Paragraph, chains: _Chains) -> bool:
    """A top border (the short rules under headings), on the paragraph or its style."""
    elements = [paragraph._p] + [style.element for style in chains.paragraph(paragraph)]
    for element in elements:
        properties = element.find(qn("w:pPr"))
        borders = properties.find(qn("w:pBdr")) if properties is not None else None
        if borders is not None:
            return borders.find(qn("w:top")) is not None
    return False


def _run_html(run, paragraph: Paragraph, default_size: Length | None, chains: _Chains) -> str:
    text = escape(run.text).replace("\n", "<br>").replace("\t", "&emsp;")
    if not text:
        return _pictures_html(run)
    style = [f"font-size: {_pt(font_value(run, paragraph, 'size', chains) or default_size)}"]
    if font_value(run, paragraph, "bold", chains):
        style.append("font-weight: bold")
    if font_value(run, paragraph, "italic", chains):
        style.append("font-style: italic")
    if font_value(run, paragraph, "underline", chains):
        style.append("text-decoration: underline")
    return f'<span style="{"; ".join(style)}">{text}</span>'


def _paragraph_html(paragraph: Paragraph, default_size: Length | None, chains: _Chains) -> str:
    def form(name: str):
        return paragraph_value(paragraph, name, chains)

    ruled = _ruled(paragraph, chains)
    # a rule sits a little below the line above it, clear of its descenders, as in Word
    before = (form("space_before") or 0) + (RULE_GAP if ruled else 0)
    style = [
        f"text-align: {ALIGN.get(form('alignment'), 'left')}",
        f"margin: {_pt(before)} {_cm(form('right_indent'))} "
        f"{_pt(form('space_after'))} {_cm(form('left_indent'))}",
    ]
    if form("first_line_indent"):
        style.append(f"text-indent: {_cm(form('first_line_indent'))}")
    line_spacing = form("line_spacing")
    if isinstance(line_spacing, float):
        style.append(f"line-height: {line_spacing * 1.15:.3f}")
    elif line_spacing is not None:
        style.append(f"line-height: {_pt(line_spacing)}")
    if ruled:
        style.append("border-top: 0.75pt solid #000")
    if form("page_break_before"):
        style.append("break-before: page")
    if form("keep_with_next"):
        style.append("break-after: avoid")
    runs = "".join(_run_html(run, paragraph, default_size, chains) for run in paragraph.runs)
    sizes = [font_value(run, paragraph, "size", chains) for run in paragraph.runs]
    sizes = [size for size in sizes if size]
    # an empty paragraph is a blank line as tall as its (possibly tiny) font
    mark = font_value(None, paragraph, "size", chains) or default_size
    height = _pt(max(sizes) if sizes else mark)
    return f'<p style="{"; ".join(style)}; min-height: {height}; font-size: {height}">{runs}</p>'


def _table_html(table: Table, default_size: Length | None, chains: _Chains) -> str:
    properties = table._tbl.tblPr
    borders = properties.find(qn("w:tblBorders")) if properties is not None else None
    bordered = table.style is not None and table.style.name == "Table Grid"
    if borders is not None and all(edge.get(qn("w:val")) == "nil" for edge in borders):
        bordered = False
    widths = [column.w for column in table._tbl.tblGrid.gridCol_lst]
    line = "0.5pt solid #000" if bordered else "none"
    cells_css = f"border: {line}; vertical-align: top; padding: 0 {CELL_PADDING_CM}cm"
    columns = "".join(f'<col style="width: {_cm(width)}">' for width in widths)
    head, rows = [], []
    for row in table._tbl.tr_lst:
        cells = []
        for cell in row.tc_lst:
            if cell.vMerge == "continue":
                continue
            span = f' colspan="{cell.grid_span}"' if cell.grid_span > 1 else ""
            inner = _blocks_html(cell, table, default_size, chains)
            cells.append(f'<td style="{cells_css}"{span}>{inner}</td>')
        properties = row.trPr
        # a row kept whole (w:cantSplit) stays on one page; header rows repeat on each page
        whole = properties is not None and properties.find(qn("w:cantSplit")) is not None
        header = properties is not None and properties.find(qn("w:tblHeader")) is not None
        # a row whose every paragraph is kept with the next goes with what follows (the
        # last body lines with the signatures: layout._keep_with_closing)
        kept = all(p.pPr is not None and p.pPr.keepNext_val for p in row.iter(qn("w:p")))
        rules = ["break-inside: avoid"] if whole else []
        rules += ["break-after: avoid"] if kept else []
        style = f' style="{"; ".join(rules)}"' if rules else ""
        (head if header and not rows else rows).append(f"<tr{style}>{''.join(cells)}</tr>")
    total = sum(width or 0 for width in widths)
    thead = f"<thead>{''.join(head)}</thead>" if head else ""
    return (
        f'<table style="border-collapse: collapse; table-layout: fixed; width: {_cm(total)}; '
        f'margin: 0 auto"><colgroup>{columns}</colgroup>{thead}<tbody>{"".join(rows)}</tbody>'
        "</table>"
    )


def _blocks_html(element, parent, default_size: Length | None, chains: _Chains) -> str:
    """The paragraphs and tables inside a body or a table cell, in order."""
    out = []
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            out.append(_paragraph_html(Paragraph(child, parent), default_size, chains))
        elif child.tag == qn("w:tbl"):
            out.append(_table_html(Table(child, parent), default_size, chains))
    return "".join(out)


def docx_to_html(content: bytes) -> str:
    """A standalone HTML page that prints like the DOCX `content`."""
    document = Document(io.BytesIO(content))
    default_size = document.styles["Normal"].font.size
    body = _blocks_html(document.element.body, document, default_size, _Chains())
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>'
        f"{_page_css(document)} body {{ font-family: {FONTS}; color: #000; margin: 0; }} "
        "p { line-height: 1.15; } table { margin-bottom: 0; }"
        f"</style></head><body>{body}</body></html>"
    )
