"""The paper anchor: the signed minutes print the checkpoint of the audit chain they close
(the vote count's, the conference's), as a code people compare and a QR code; the record
then verifies against that code (`thidua verify --anchor`)."""

import io
import json
import re

import pytest
import segno

from tests.documents.conftest import all_text, read_docx
from thidua.audit.models import AuditEntry
from thidua.core import signing
from thidua.core.phases import Phase
from thidua.documents import builders
from thidua.org import services as org_services
from thidua.record.export import export_json
from thidua.verify import run
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

CODE = re.compile(r"Mã kiểm chứng ([^:]+): ((?:[0-9A-F]{4} ){7}[0-9A-F]{4}) \(mốc số (\d+)")


def _checkpoint(cycle, action, **after) -> AuditEntry:
    found = AuditEntry.objects.filter(chain="cum-2/2020", action=action, **after).latest("seq")
    return AuditEntry.objects.get(chain="cum-2/2020", seq=found.seq + 1)


def _printed(content: bytes) -> tuple[str, str, int]:
    text = all_text(read_docx(content))
    found = CODE.search(text)
    assert found, text[-800:]
    return found.group(1), found.group(2), int(found.group(3))


def _qr_pictures(content: bytes) -> list[bytes]:
    document = read_docx(content)
    return [
        part.blob for part in document.part.related_parts.values() if "image" in part.content_type
    ]


def _qr(entry: AuditEntry) -> bytes:
    image = io.BytesIO()
    segno.make(f"thidua:{entry.chain}:{entry.seq}:{entry.hash}", error="m").save(
        image, kind="png", scale=4, border=2
    )
    return image.getvalue()


def test_the_vote_count_minutes_print_the_checkpoint_of_their_count(ministry_counted, demo_cycle):
    poll = Poll.objects.get(conference__cycle=demo_cycle, code="co-bo-cong-an")
    checkpoint = _checkpoint(demo_cycle, "voting.poll.close", object_id=str(poll.pk))
    assert checkpoint.action == "record.checkpoint"
    built = builders.vote_count_minutes(demo_cycle, poll, builders.Issue(5))
    what, code, seq = _printed(built.content)
    assert what == "kết quả kiểm phiếu"
    assert (code, seq) == (signing.grouped(checkpoint.hash), checkpoint.seq)
    assert _qr_pictures(built.content) == [_qr(checkpoint)]


def test_the_conference_minutes_print_the_checkpoint_of_its_close(
    ministry_counted, demo_cycle, get_user
):
    before = all_text(
        read_docx(builders.conference_minutes(demo_cycle, demo_cycle.conference).content)
    )
    assert "Mã kiểm chứng" not in before  # not yet made: nothing printed as if it were
    org_services.close_phase(
        actor=get_user("hagiang.thuky"), cycle=demo_cycle, phase=Phase.CONFERENCE
    )
    built = builders.conference_minutes(demo_cycle, demo_cycle.conference)
    checkpoint = _checkpoint(demo_cycle, "org.phase.close", after__phase="conference")
    assert _printed(built.content)[1:] == (signing.grouped(checkpoint.hash), checkpoint.seq)
    assert _qr_pictures(built.content) == [_qr(checkpoint)]


def test_the_record_verifies_against_the_codes_on_the_signed_paper(
    ministry_counted, demo_cycle, get_user, tmp_path
):
    poll = Poll.objects.get(conference__cycle=demo_cycle, code="co-bo-cong-an")
    vote_count = _printed(builders.vote_count_minutes(demo_cycle, poll, builders.Issue(5)).content)[
        1
    ]
    org_services.close_phase(
        actor=get_user("hagiang.thuky"), cycle=demo_cycle, phase=Phase.CONFERENCE
    )
    conference = _printed(builders.conference_minutes(demo_cycle, demo_cycle.conference).content)[1]
    path = tmp_path / "ban-ghi.json"
    path.write_text(json.dumps(export_json(demo_cycle), ensure_ascii=False))
    for code in (vote_count, conference, vote_count.replace(" ", "").lower()):
        out = io.StringIO()
        assert run([str(path), "--anchor", code], out=out) == 0, out.getvalue()
        assert "Mốc trên biên bản khớp mục số" in out.getvalue()
    out = io.StringIO()
    wrong = ("0" if conference[0] != "0" else "1") + conference[1:]
    assert run([str(path), "--anchor", wrong], out=out) == 1
    assert "không có trong bản ghi" in out.getvalue()


def test_the_pdf_copy_carries_the_qr_code(ministry_counted, demo_cycle):
    pypdf = pytest.importorskip("pypdf")
    from thidua.documents import pdf

    poll = Poll.objects.get(conference__cycle=demo_cycle, code="co-bo-cong-an")
    built = builders.vote_count_minutes(demo_cycle, poll, builders.Issue(5))
    made = pdf.to_pdf(built.content, using="weasyprint")
    if made is None:
        pytest.skip("WeasyPrint (Pango) is not installed here")
    reader = pypdf.PdfReader(io.BytesIO(made))
    # WeasyPrint shares one resource dictionary between the pages: count images by name
    images = {image.name: image for page in reader.pages for image in page.images}
    assert len(images) == 1
    (image,) = images.values()
    assert image.image.size[0] == image.image.size[1]  # the QR code, square
