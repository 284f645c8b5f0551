"""A document's PDF is made once for its content (`audit.versions.cached_from`): a hall asking
for the minutes' PDF at once waits for one making, not one per phone, and a draft changed by
a write gets a new one. A copy planted in the table is never served."""

import datetime
import pickle
import zlib

import pytest

from thidua.audit.models import PageCache
from thidua.documents import pdf

pytestmark = pytest.mark.skipif(not pdf.available(), reason="no PDF engine (WeasyPrint: Pango)")

MINUTES = "/clusters/cum-2/2020/documents/conference-minutes/"


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The names of the PDFs the engine made (the real engine, counted)."""
    names: list[str] = []
    real = pdf.to_pdf

    def counted(docx, name="document.docx", timeout=120, using=None):
        names.append(name)
        return real(docx, name, timeout, using)

    monkeypatch.setattr(pdf, "to_pdf", counted)
    return names


def _kept() -> list[str]:
    return list(
        PageCache.objects.filter(key__contains="documents.pdf.").values_list("key", flat=True)
    )


def test_a_documents_pdf_is_made_once_for_its_content(client_for, made):
    secretary, officer = client_for("hagiang.thuky"), client_for("sonla.thuky")
    first = secretary.get(MINUTES + "pdf/")
    again = officer.get(MINUTES + "pdf/")
    assert first.status_code == again.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    assert again.content == first.content
    assert len(made) == 1
    assert made[0].endswith(".docx")
    assert len(_kept()) == 1


def test_a_draft_changed_by_a_write_gets_a_new_pdf_in_place_of_the_old(
    client_for, cycle, retime_conference, made
):
    secretary = client_for("hagiang.thuky")
    before = secretary.get(MINUTES + "pdf/").content
    (kept,) = _kept()
    retime_conference(cycle("cum-2", 2020), datetime.time(7, 30), datetime.time(11, 0))
    after = secretary.get(MINUTES + "pdf/").content
    assert after.startswith(b"%PDF")
    assert after != before
    assert len(made) == 2
    assert _kept() != [kept]
    assert len(_kept()) == 1


def test_a_pdf_planted_in_the_table_is_not_served(client_for, made):
    secretary = client_for("hagiang.thuky")
    genuine = secretary.get(MINUTES + "pdf/").content
    (kept,) = _kept()
    stored = bytes(PageCache.objects.get(key=kept).value)
    planted = zlib.compress(pickle.dumps(b"%PDF-1.7 forged minutes"))
    forged = stored[:32] + planted  # the genuine seal, over another value
    PageCache.objects.filter(key=kept).update(value=forged)
    served = secretary.get(MINUTES + "pdf/")
    assert served.status_code == 200
    assert served.content == genuine
    assert b"forged" not in served.content
    assert len(made) == 2  # made again, the planted row replaced
    assert bytes(PageCache.objects.get(key=kept).value) == stored


def test_a_pdf_refused_to_another_clusters_officer_or_a_stranger_is_not_made(
    client, client_for, made
):
    """The cache sits behind the page's check: a refused reader makes nothing, keeps
    nothing, and reads nothing another reader had made."""
    client_for("hagiang.thuky").get(MINUTES + "pdf/")
    (kept,) = _kept()
    outsider = client_for("hanoi.canbo").get(MINUTES + "pdf/")
    assert outsider.status_code == 403
    assert not outsider.content.startswith(b"%PDF")
    stranger = client.get(MINUTES + "pdf/")
    assert stranger.status_code == 302  # to the sign-in page
    assert len(made) == 1
    assert _kept() == [kept]
