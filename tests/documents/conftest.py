import io

import pytest
from docx import Document

from tests.voting import phones
from thidua.documents.html import font_value


def read_docx(content: bytes):
    return Document(io.BytesIO(content))


def all_text(document) -> str:
    """Every paragraph and table cell of a DOCX, one per line (tables included, nested too),
    a non-breaking space read as a space (`layout.unbroken` keeps names on one line that
    way; the PDF tests in `test_pages` check where the lines break)."""
    lines = [p.text for p in document.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)

    for table in document.tables:
        cells(table)
    return "\n".join(lines).replace("\u00a0", " ")


def table_rows(table) -> list[list[str]]:
    """Each row's cell texts, a non-breaking space read as a space (unit names are kept on
    one line that way; `test_unit_names_stay_on_one_line` reads the cells as they are)."""
    return [[cell.text.replace("\u00a0", " ") for cell in row.cells] for row in table.rows]


@pytest.fixture
def demo_cycle(cycle):
    return cycle("cum-2", 2020)


@pytest.fixture
def plans(demo_cycle):
    from thidua.documents import builders

    return {plan.key: plan for plan in builders.plans(demo_cycle)}


@pytest.fixture
def ministry_counted(demo_cycle):
    """The Ministry-flag poll the demo leaves open, voted and counted: Lào Cai 21, Sơn La 19,
    Lạng Sơn 12 for the three seats; Cao Bằng 11, above the threshold (11 of 21) but outside
    the seats."""
    from thidua.core.ballots import Ballot
    from thidua.voting import services
    from thidua.voting.models import Delegate, Poll

    poll = Poll.objects.get(conference__cycle=demo_cycle, code="co-bo-cong-an")
    delegates = Delegate.objects.filter(conference=poll.conference).select_related("user")
    for index, delegate in enumerate(delegates.order_by("pk")):
        if index < 10:
            picks = ("lao-cai", "son-la", "lang-son")
        elif index < 12:
            picks = ("lao-cai", "lang-son", "cao-bang")
        else:
            picks = ("lao-cai", "son-la", "cao-bang")
        phones.cast(actor=delegate.user, poll=poll, ballot=Ballot(choices=picks))
    chair = delegates.get(board="chair").user
    return services.close_poll(actor=chair, poll=poll)


def effective_font(paragraph, run, name: str):
    """A run's font property as Word applies it (through the styles: the layout writes
    styles, not direct formatting), read the way the PDF rendering reads it."""
    return font_value(run, paragraph, name)
