import io

import pytest
from docx import Document


def read_docx(content: bytes):
    return Document(io.BytesIO(content))


def all_text(document) -> str:
    """Every paragraph and table cell of a DOCX, one per line (tables included, nested too)."""
    lines = [p.text for p in document.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)

    for table in document.tables:
        cells(table)
    return "\n".join(lines)


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture
def demo_cycle(cycle):
    return cycle("cum-2", 2020)


@pytest.fixture
def plans(demo_cycle):
    from thidua.documents import builders

    return {plan.key: plan for plan in builders.plans(demo_cycle)}
