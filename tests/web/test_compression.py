"""Text goes out gzipped to a browser that accepts it (weak provincial links, one Wi-Fi for
the hall's phones); files that are compressed already (DOCX, XLSX, PDF) go out as they are."""

import gzip
import json

import pytest

from tests.documents.conftest import all_text, read_docx

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
CONFERENCE = "/clusters/cum-2/2020/conference/"


def test_a_page_goes_out_gzipped_to_a_browser_that_accepts_it(client_for):
    client = client_for("hagiang.thuky")
    plain = client.get(CONFERENCE)
    packed = client.get(CONFERENCE, **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "Các cuộc bỏ phiếu" in page
    assert page.rstrip().endswith("</html>")
    # a fifth of the bytes or less over the hall's Wi-Fi
    assert len(packed.content) * 5 < len(plain.content)


def test_the_api_answers_gzipped_json(api_as):
    response = api_as("hagiang.thuky").get("/api/cycles/cum-2/2020", **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["year"] == 2020


def test_a_document_already_compressed_is_sent_as_it_is(client_for):
    response = client_for("sonla.canbo").get(
        "/clusters/cum-2/2020/documents/vote-count-co-chinh-phu/file/", **GZIP
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.content[:2] == b"PK"  # the DOCX itself, a zip
    assert "Kiểm phiếu" in all_text(read_docx(response.content))
