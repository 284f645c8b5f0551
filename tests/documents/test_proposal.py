"""The proposal (tờ trình) cites the grounds in force for the cycle's year, the rule each
nominee was elected by, and only the attachments that exist."""

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from tests.documents.conftest import all_text, read_docx
from thidua.audit.models import AuditEntry
from thidua.core.record import AuditAction
from thidua.documents import builders
from thidua.documents.models import GROUNDS
from thidua.documents.selectors import report_texts
from thidua.org.models import RuleSet

pytestmark = pytest.mark.django_db


def _proposal(cycle, key="proposal-co-chinh-phu"):
    return read_docx({p.key: p for p in builders.plans(cycle)}[key].build().content)


def _grounds(document) -> list[str]:
    texts = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    return [text for text in texts if text.startswith("Căn cứ ")]


def test_the_2020_proposal_cites_the_law_as_amended_the_decree_the_circular_and_the_year(
    demo_cycle,
):
    grounds = _grounds(_proposal(demo_cycle))
    assert grounds == [
        "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003; Luật sửa đổi, bổ sung một "
        "số điều của Luật Thi đua, khen thưởng năm 2005 và năm 2013;",
        "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ quy định chi "
        "tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
        "Căn cứ Thông tư số 12/2019/TT-BCA của Bộ trưởng Bộ Công an quy định về công tác thi "
        "đua, khen thưởng trong Công an nhân dân;",
        "Căn cứ Hướng dẫn công tác thi đua, khen thưởng năm 2020 của Bộ Công an;",
        "Căn cứ Quy chế hoạt động của Cụm thi đua số II – Bộ Công an;",
        "Căn cứ Giao ước thi đua năm 2020 của Cụm thi đua số II – Bộ Công an;",
        "Căn cứ kết quả bình xét tại Hội nghị tổng kết phong trào thi đua “Vì an ninh Tổ quốc” "
        "năm 2020 của Cụm thi đua số II – Bộ Công an ngày 16/11/2020,",
    ]
    # the circular the 2017 decree's rule set cites for 2017–2018 is not cited for 2020
    assert not any("40/2014/TT-BCA" in ground for ground in grounds)


def test_a_rule_set_names_the_grounds_of_each_year_it_covers(demo_cycle):
    rule_set = demo_cycle.rule_set
    demo_cycle.year = 2018  # the same rule set (2017–2023), a year before the 2019 circular
    cited = builders.rule_set_grounds(demo_cycle)
    assert any("Thông tư số 40/2014/TT-BCA" in ground for ground in cited)
    assert not any("12/2019" in ground for ground in cited)
    assert rule_set.legal_basis not in cited  # the short basis only when no list is given


def test_a_rule_set_whose_grounds_cannot_be_read_is_refused():
    from django.core.exceptions import ValidationError

    rule_set = RuleSet.objects.get(code="thi-dua-cand", version=3)
    rule_set.data = {**rule_set.data, "grounds": [{"text": "Luật", "from": 2025}]}
    with pytest.raises(ValidationError, match=r"grounds\[0\]: khóa lạ from"):
        rule_set.save()


def test_kinh_gui_is_centred_under_the_summary(demo_cycle):
    document = _proposal(demo_cycle)
    texts = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    addressed = document.paragraphs[
        texts.index("Kính gửi: Hội đồng Thi đua - Khen thưởng Bộ Công an.")
    ]
    assert addressed.style.name == "Addressee"
    assert addressed.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not any(run.bold for run in addressed.runs)
    assert texts.index(addressed.text.replace("\u00a0", " ")) < texts.index(_grounds(document)[0])


def test_the_attachments_listed_are_those_that_exist(demo_cycle):
    text = all_text(_proposal(demo_cycle))
    attached = text[text.index("Hồ sơ kèm theo:") : text.index("Kính đề nghị")]
    assert attached.splitlines()[1:] == [
        "1. Biên bản Hội nghị tổng kết;",
        "2. Biên bản kiểm phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020;",
        "3. Báo cáo tổng kết phong trào thi đua của cụm;",
        "4. Bảng tổng hợp kết quả chấm điểm thi đua;",
        "5. Báo cáo thành tích của Công an tỉnh Hà Giang.",
    ]
    from thidua.voting.models import Conference

    # without a chair named the minutes cannot be produced, so they are not "attached"
    Conference.objects.filter(cycle=demo_cycle).update(chair_name="")
    text = all_text(_proposal(demo_cycle))
    attached = text[text.index("Hồ sơ kèm theo:") : text.index("Kính đề nghị")]
    assert "Biên bản Hội nghị tổng kết" not in attached
    assert attached.splitlines()[1] == (
        "1. Biên bản kiểm phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020;"
    )


def test_the_leader_secretary_writes_the_years_grounds_audited(demo_cycle, client_for):
    url = "/clusters/cum-2/2020/documents/grounds/"
    secretary = client_for("hagiang.thuky")
    page = secretary.get("/clusters/cum-2/2020/documents/").content.decode()
    assert "Nghị định số 91/2017/NĐ-CP" in page  # the rule set's grounds, shown
    response = secretary.post(url, {GROUNDS: "Hướng dẫn số 1/HD-BCA\nQuy chế của cụm\n"})
    assert response.status_code == 302
    assert report_texts(demo_cycle)[GROUNDS] == "Hướng dẫn số 1/HD-BCA\nQuy chế của cụm"
    entry = AuditEntry.objects.filter(action=AuditAction.REPORT_TEXT_SAVE).latest("seq")
    assert entry.after == {GROUNDS: "Hướng dẫn số 1/HD-BCA\nQuy chế của cụm"}
    assert "Căn cứ Hướng dẫn số 1/HD-BCA;" in _grounds(_proposal(demo_cycle))


@pytest.mark.parametrize("username", ["laocai.thuky", "hagiang.daibieu"])
def test_others_may_not_write_the_grounds(demo_cycle, client_for, username):
    before = report_texts(demo_cycle)[GROUNDS]
    response = client_for(username).post(
        "/clusters/cum-2/2020/documents/grounds/", {GROUNDS: "Giả mạo"}
    )
    assert response.status_code == 403
    assert report_texts(demo_cycle)[GROUNDS] == before
