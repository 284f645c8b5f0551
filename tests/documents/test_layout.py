"""The layout's shortcuts write what python-docx writes the long way: a new document read
from the styled template (`layout._styled_template`) and the style ids found at once."""

import io
import zipfile
from datetime import date

from docx import Document
from docx.enum.style import WD_STYLE_TYPE

from thidua.documents import layout

HEADING = layout.Heading(
    parent_body="BỘ CÔNG AN",
    issuer="CỤM THI ĐUA SỐ II",
    issuer_code="CTĐ",
    kind_code="BB",
    number=3,
    place="Hà Giang",
    day=date(2021, 1, 5),
    kind="BIÊN BẢN",
    summary="Kiểm phiếu bình xét thi đua năm 2020",
)


def _styles_part(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("word/styles.xml")


def test_a_new_document_has_the_styles_defined_afresh():
    afresh = Document()
    layout._styles(afresh)
    assert _styles_part(layout.new_document(HEADING)) == _styles_part(afresh)


def test_the_style_ids_found_at_once_are_those_python_docx_finds_one_by_one():
    document = layout.new_document(HEADING)
    names = [s.name for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH]
    ids = layout._paragraph_style_ids(document.part)
    assert ids.keys() == set(names)
    assert ids == {
        name: document.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH) for name in names
    }
    assert ids["Normal"] is None  # the default paragraph style: no id written
    assert layout._paragraph_style_ids(document.sections[0].header.part) == {}
