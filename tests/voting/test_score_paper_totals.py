"""A score poll's paper pile entered as totals (docs/score-ballot-crypto.md §5): one sheet
(returned, invalid, valid, and per unit and criteria group the total and the number of ballots
that scored it) typed by one board member and confirmed by a second typing the same figures.
Counted by hand below; carried by the record and recounted by `thidua verify`."""

import pytest

from tests.voting.test_score_poll import UNITS, _close, _page_url, _score_poll
from thidua.core.score_ballots import PaperSheet
from thidua.core.verify import verify
from thidua.errors import DomainError, Refused
from thidua.record.export import export_json as export
from thidua.voting import services
from thidua.voting.models import PaperEntry, Poll

pytestmark = pytest.mark.django_db

# 6 returned, 1 invalid: Hà Giang 450/5 = 90 and Lào Cai 360/4 = 90 tie first, Cao Bằng
# 400/5 = 80, Lai Châu 350/5 = 70, Lạng Sơn 301/5 = 60,20, Sơn La 200/4 = 50, Điện Biên unscored
FIGURES = {
    "ha-giang": (450, 5),
    "lao-cai": (360, 4),
    "cao-bang": (400, 5),
    "lai-chau": (350, 5),
    "lang-son": (301, 5),
    "son-la": (200, 4),
    "dien-bien": (0, 0),
}


def _sheet(returned=6, invalid=1, valid=5, **changed) -> PaperSheet:
    figures = {**FIGURES, **{u.replace("_", "-"): v for u, v in changed.items()}}
    return PaperSheet(
        returned=returned,
        invalid=invalid,
        valid=valid,
        total={u: (figures[u][0],) for u in UNITS},
        count={u: (figures[u][1],) for u in UNITS},
    )


def _enter(get_user, poll, username, entry, sheet=None, issued=6):
    return services.save_score_sheet(
        actor=get_user(username), poll=poll, entry=entry, sheet=sheet or _sheet(), issued=issued
    )


def _counted(get_user, conference):
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    _enter(get_user, poll, "laocai.daibieu", 1)
    _enter(get_user, poll, "sonla.daibieu", 2)
    return _close(get_user, poll)


def test_paper_totals_counted_by_hand(get_user, conference):
    poll = _counted(get_user, conference)
    result = poll.result
    assert poll.status == Poll.Status.CLOSED
    assert (result["returned"], result["valid"], result["invalid"], result["issued"]) == (
        6,
        5,
        1,
        6,
    )
    rows = {row["unit"]: row for row in result["standings"]}
    assert [(rows[u]["average"], rows[u]["rank"], rows[u]["tied"]) for u in UNITS] == [
        ("80/1", 3, False),  # cao-bang
        ("90/1", 1, True),  # ha-giang
        ("70/1", 4, False),  # lai-chau
        ("90/1", 1, True),  # lao-cai
        ("301/5", 5, False),  # lang-son
        ("50/1", 6, False),  # son-la
        (None, None, False),  # dien-bien
    ]
    assert rows["lang-son"]["shown"] == "60,20"
    assert poll.paper == _sheet().as_json()  # kept as the sheet, no ballot rows
    assert not poll.ballots.filter(filled=True).exists()


def test_double_entry_refusals(get_user, conference):
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    _enter(get_user, poll, "laocai.daibieu", 1)
    with pytest.raises(Refused) as same:  # the same member cannot confirm
        _enter(get_user, poll, "laocai.daibieu", 2)
    assert same.value.problem.code == "same_person"
    with pytest.raises(DomainError) as differ:  # a differing cell is named; nothing saved
        _enter(get_user, poll, "sonla.daibieu", 2, _sheet(ha_giang=(449, 5)))
    assert differ.value.messages() == [
        "Lần nhập này khác lần nhập trước ở: Công an tỉnh Hà Giang, nhóm 1, tổng điểm. "
        "Chưa lưu; hai thành viên đối chiếu tờ tổng hợp rồi nhập lại."
    ]
    with pytest.raises(DomainError) as most:  # over the group's maximum
        _enter(get_user, poll, "sonla.daibieu", 2, _sheet(son_la=(401, 4)))
    assert most.value.messages() == [
        "Công an tỉnh Sơn La, nhóm 1: tổng 401 điểm, quá 4 phiếu × 100 điểm tối đa = 400."
    ]
    with pytest.raises(DomainError) as above:  # more ballots scored it than are valid
        _enter(get_user, poll, "sonla.daibieu", 2, _sheet(cao_bang=(400, 6)))
    assert above.value.messages() == [
        "Công an tỉnh Cao Bằng, nhóm 1: 6 phiếu chấm, nhiều hơn số phiếu hợp lệ (5)."
    ]
    with pytest.raises(DomainError) as valid:
        _enter(get_user, poll, "sonla.daibieu", 2, _sheet(valid=6))
    assert [p.code for p in valid.value.problems] == ["valid"]
    with pytest.raises(DomainError) as issued:  # more returned than issued
        _enter(get_user, poll, "sonla.daibieu", 2, issued=5)
    assert [p.code for p in issued.value.problems] == ["returned_over_issued"]
    assert list(PaperEntry.objects.filter(poll=poll).values_list("entry", flat=True)) == [1]
    _enter(get_user, poll, "sonla.daibieu", 2)
    assert services.paper_mismatches(poll) == []


def test_the_sheet_only_where_the_rule_set_does_not_trim(get_user, conference):
    """A trimmed mean needs every ballot: its pile is entered ballot by ballot, not in totals."""
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER, trimmed=True)
    with pytest.raises(Refused) as trimmed:
        _enter(get_user, poll, "laocai.daibieu", 1)
    assert trimmed.value.problem.code == "sheet_trimmed"
    phone = _score_poll(get_user, conference, "cham-dien-tu")
    with pytest.raises(DomainError):
        _enter(get_user, phone, "laocai.daibieu", 1)


def test_the_board_types_the_sheet_on_the_page(get_user, client_for, conference):
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    page = client_for("laocai.daibieu").get(_page_url(poll)).content.decode()
    assert "Nhập tổng hợp phiếu chấm giấy" in page
    assert 'name="t_ha-giang_0"' in page
    assert 'name="c_ha-giang_0"' in page

    def post(username, entry, **changed):
        form = {"sheet": "1", "entry": str(entry), "issued": "6"}
        form |= {"returned": "6", "invalid": "1", "valid": "5"}
        for unit, (total, count) in FIGURES.items():
            form[f"t_{unit}_0"], form[f"c_{unit}_0"] = str(total), str(count)
        form |= changed
        response = client_for(username).post(_page_url(poll, "paper/"), form, follow=True)
        assert response.status_code == 200
        return response.content.decode()

    assert "Đã lưu lần nhập thứ nhất" in post("laocai.daibieu", 1)
    assert "hai thành viên ban kiểm phiếu khác nhau" in post("laocai.daibieu", 2)
    assert "Công an tỉnh Lào Cai, nhóm 1, số phiếu chấm" in post(
        "sonla.daibieu", 2, **{"c_lao-cai_0": "5"}
    )
    assert "phải là số nguyên không âm" in post("sonla.daibieu", 2, **{"t_son-la_0": "2oo"})
    assert PaperEntry.objects.filter(poll=poll).count() == 1
    assert "hai lần nhập khớp nhau" in post("sonla.daibieu", 2)
    rows = {r["unit"]: r for r in _close(get_user, poll).result["standings"]}
    assert rows["ha-giang"]["average"] == "90/1"
    counted = client_for("hagiang.thuky").get(_page_url(poll)).content.decode()
    assert "Phiếu giấy (nhập theo tổng hợp)" in counted
    assert "60,20" in counted


def test_the_record_carries_the_sheet_and_verify_recounts_it(get_user, conference, cycle):
    _counted(get_user, conference)
    record = export(cycle("cum-2", 2020))
    assert verify(record) == []
    poll = next(p for p in record["polls"] if p["code"] == "cham-giay")
    assert poll["ballots"] == []
    assert poll["receipts"] == []
    assert poll["paper"] is None
    assert poll["score_paper"]["total"]["ha-giang"] == [450]
    assert poll["score_paper"]["count"]["lao-cai"] == [4]
    poll["score_paper"]["total"]["lang-son"] = [351]  # 70,20: a changed average
    found = [finding.where for finding in verify(record)]
    assert "polls[cham-giay].result.standings" in found, found
    poll["score_paper"]["total"]["lang-son"] = [501]  # more than 5 ballots × 100
    found = [finding.where for finding in verify(record)]
    assert "polls[cham-giay].score_paper.lang-son:1" in found, found


def test_a_record_with_paper_totals_restores_exactly(get_user, conference, tmp_path):
    from tests.record import roundtrip

    _counted(get_user, conference)
    roundtrip.restores_exactly(tmp_path, "score-sheet")


def test_the_vote_count_minutes_say_the_paper_was_entered_in_totals(get_user, conference, cycle):
    from tests.documents.conftest import all_text, read_docx
    from thidua.documents.builders import vote_count_minutes

    poll = _counted(get_user, conference)
    document = read_docx(vote_count_minutes(cycle("cum-2", 2020), poll).content)
    text = all_text(document).replace("\xa0", " ")
    assert "6 (sáu) phiếu giấy, ban kiểm phiếu kiểm và nhập theo tổng điểm" in text, text
    assert "hai thành viên nhập độc lập" in text


def test_the_sheet_is_refused_to_others_to_phone_polls_and_after_closing(get_user, conference):
    """Only the counting board enters the sheet, only in an open poll held on paper; each
    refusal saves nothing."""
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    with pytest.raises(Refused):  # the leader's secretary is not on the counting board
        _enter(get_user, poll, "hagiang.thuky", 1)
    assert not PaperEntry.objects.filter(poll=poll).exists()
    phones_poll = _score_poll(get_user, conference, "cham-dien-thoai")
    with pytest.raises(DomainError):  # a phone poll has no paper pile
        _enter(get_user, phones_poll, "laocai.daibieu", 1)
    assert not PaperEntry.objects.filter(poll=phones_poll).exists()
    poll.delete()
    counted = _counted(get_user, conference)
    before = list(PaperEntry.objects.filter(poll=counted).values_list("sheet", flat=True))
    with pytest.raises(DomainError):  # counted: the pile is closed
        _enter(get_user, counted, "laocai.daibieu", 1, _sheet(returned=5, valid=4))
    after = list(PaperEntry.objects.filter(poll=counted).values_list("sheet", flat=True))
    assert after == before
