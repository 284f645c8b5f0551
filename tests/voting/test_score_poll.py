"""Score polls at the conference (phiếu chấm điểm): 21 delegates, 3 for each of the 7 units,
scored by hand below; the own unit never scored; refusals at casting; paper double entry."""

from fractions import Fraction

import pytest

from tests.voting import phones, sealed
from thidua.core.score_ballots import ScoreBallot
from thidua.errors import DomainError, Refused, StateConflict
from thidua.voting import selectors, services
from thidua.voting.models import Ballot as StoredBallot
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

UNITS = ("cao-bang", "ha-giang", "lai-chau", "lao-cai", "lang-son", "son-la", "dien-bien")
PREFIX = {
    "cao-bang": "caobang",
    "ha-giang": "hagiang",
    "lai-chau": "laichau",
    "lao-cai": "laocai",
    "lang-son": "langson",
    "son-la": "sonla",
    "dien-bien": "dienbien",
}
BASE = sealed.SCORE_BASE


def _delegates(unit):
    first = PREFIX[unit] + ".daibieu"
    return (first, first + "2", first + "3")


def _score_poll(get_user, conference, code="cham-diem", mode=Poll.Mode.ELECTRONIC, **rules):
    poll = (
        services.create_score_poll(
            actor=get_user("hagiang.thuky"), conference=conference, code=code, title="Chấm điểm"
        )
        if mode == Poll.Mode.ELECTRONIC
        else services.create_score_poll(
            actor=get_user("hagiang.thuky"),
            conference=conference,
            code=code,
            title="Chấm điểm",
            mode=mode,
        )
    )
    if rules:
        Poll.objects.filter(pk=poll.pk).update(rules={**poll.rules, **rules})
        poll.refresh_from_db()
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


def _ballot(unit, **changed):
    return ScoreBallot(
        {u: (changed.get(u.replace("-", "_"), BASE[u]),) for u in UNITS if u != unit}
    )


def _close(get_user, poll):
    return services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)


def test_the_rules_are_copied_from_the_rule_set(get_user, conference):
    poll = _score_poll(get_user, conference)
    assert poll.rules["kind"] == "score"
    assert poll.rules["titles"] == "inform"  # the 2017 rule set: the score only informs
    assert poll.rules["maximum"] == 100
    assert poll.rules["partial"] == "refuse"
    assert [c.unit.code for c in poll.candidates.all()] == sorted(
        UNITS, key=[c.unit.code for c in poll.candidates.all()].index
    )
    assert {c.unit.code for c in poll.candidates.all()} == set(UNITS)


def test_hand_computed_count(get_user, conference):
    """20 of the 21 delegates vote (caobang.daibieu3 does not): Cao Bằng is scored by all 18
    voters of the other units, every other unit by 17 (the 20 voters less its own 3). One
    Hà Giang delegate gives Cao Bằng 81: 80·17 + 81 = 1441 over 18. Hà Giang and Lào Cai tie
    at 90 on rank 1, shown tied; Cao Bằng is third."""
    poll = _score_poll(get_user, conference)
    for unit in UNITS:
        for username in _delegates(unit):
            if username == "caobang.daibieu3":
                continue
            ballot = _ballot(unit, cao_bang=81) if username == "hagiang.daibieu" else _ballot(unit)
            receipt = phones.cast(actor=get_user(username), poll=poll, ballot=ballot)
            assert len(receipt) == 8
    poll = _close(get_user, poll)
    result = poll.result
    assert poll.status == Poll.Status.CLOSED
    assert (result["returned"], result["valid"], result["invalid"]) == (20, 20, 0)
    rows = {row["unit"]: row for row in result["standings"]}
    assert rows["cao-bang"]["count"] == 18
    assert rows["cao-bang"]["total"] == 1441
    assert rows["cao-bang"]["average"] == "1441/18"
    assert Fraction(1441, 18) == Fraction(rows["cao-bang"]["average"])
    assert rows["cao-bang"]["shown"] == "80,06"
    assert rows["cao-bang"]["rank"] == 3
    assert not rows["cao-bang"]["tied"]
    for unit in ("ha-giang", "lao-cai"):
        assert rows[unit]["count"] == 17
        assert rows[unit]["total"] == 1530
        assert rows[unit]["average"] == "90/1"
        assert rows[unit]["shown"] == "90,00"
        assert rows[unit]["rank"] == 1
        assert rows[unit]["tied"]
    assert rows["dien-bien"]["rank"] == 7
    assert rows["dien-bien"]["total"] == 40 * 17
    assert [row["unit"] for row in result["standings"]][:3] == ["ha-giang", "lao-cai", "cao-bang"]
    assert "nominations" not in result  # titles "inform": the approval polls decide
    # the box: each ballot with its unit, no voter, in a fresh order
    stored = list(StoredBallot.objects.filter(poll=poll, filled=True))
    assert len(stored) == 20
    assert sum(1 for b in stored if b.content["own_unit"] == "cao-bang") == 2


def test_partial_ballot_refused_under_refuse(get_user, conference):
    poll = _score_poll(get_user, conference)
    partial = ScoreBallot({u: (50,) for u in UNITS if u not in ("cao-bang", "lang-son")})
    with pytest.raises(DomainError) as refused:
        phones.cast(actor=get_user("caobang.daibieu"), poll=poll, ballot=partial)
    problem = refused.value.problems[0]
    assert problem.code == "missing"
    assert "Lạng Sơn" in problem.render()
    assert not StoredBallot.objects.filter(poll=poll, filled=True).exists()


def test_partial_ballot_counted_under_skip(get_user, conference):
    """Under "skip" the unscored unit's average is over fewer scores."""
    poll = _score_poll(get_user, conference, partial="skip")
    partial = ScoreBallot({u: (50,) for u in UNITS if u not in ("cao-bang", "lang-son")})
    phones.cast(actor=get_user("caobang.daibieu"), poll=poll, ballot=partial)
    phones.cast(actor=get_user("hagiang.daibieu"), poll=poll, ballot=_ballot("ha-giang"))
    result = _close(get_user, poll).result
    rows = {row["unit"]: row for row in result["standings"]}
    assert (rows["lang-son"]["count"], rows["lang-son"]["total"]) == (1, 60)
    assert (rows["son-la"]["count"], rows["son-la"]["total"]) == (2, 100)
    assert (rows["cao-bang"]["count"], rows["ha-giang"]["count"]) == (1, 1)
    assert result["valid"] == 2


@pytest.mark.parametrize(
    ("ballot", "code", "named"),
    [
        (ScoreBallot(dict.fromkeys(UNITS, (50,))), "own_unit", "Cao Bằng"),
        (
            ScoreBallot({u: (101 if u == "son-la" else 50,) for u in UNITS if u != "cao-bang"}),
            "range",
            "Sơn La",
        ),
    ],
)
def test_invalid_ballots_refused_with_the_reason(get_user, conference, ballot, code, named):
    poll = _score_poll(get_user, conference)
    with pytest.raises(DomainError) as refused:
        phones.cast(actor=get_user("caobang.daibieu"), poll=poll, ballot=ballot)
    assert refused.value.problems[0].code == code
    assert named in refused.value.problems[0].render()
    # the own unit comes from the delegate record, whatever the phone says
    assert not StoredBallot.objects.filter(poll=poll, filled=True).exists()


def test_not_an_elector_and_closed_poll_refused(get_user, conference):
    poll = _score_poll(get_user, conference)
    with pytest.raises(Refused):
        services.cast(
            actor=get_user("hagiang.thuky"), poll=poll, ballot=_ballot("ha-giang"), signature=""
        )
    _close(get_user, poll)
    with pytest.raises(StateConflict) as closed:
        phones.cast(actor=get_user("sonla.daibieu"), poll=poll, ballot=_ballot("son-la"))
    assert closed.value.problems[0].code == "poll_closed"


def test_a_plain_ballot_is_refused_in_a_score_poll(get_user, conference):
    from thidua.core.ballots import Ballot

    poll = _score_poll(get_user, conference)
    with pytest.raises(DomainError) as refused:
        phones.cast(actor=get_user("sonla.daibieu"), poll=poll, ballot=Ballot(("cao-bang",)))
    assert refused.value.problems[0].code == "score_expected"


def test_paper_double_entry(get_user, conference):
    """Two board members enter the pile ballot by ballot; the count waits until they agree;
    under the paper-only trimmed mean the highest and lowest scores are dropped."""
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER, trimmed=True)
    pile = [
        ScoreBallot({u: (s,) for u in UNITS if u != "son-la"}, own_unit="son-la")
        for s in (70, 80, 90, 100)
    ]
    services.save_paper_entry(
        actor=get_user("laocai.daibieu"), poll=poll, entry=1, ballots=pile, issued=4
    )
    with pytest.raises(Refused):
        services.save_paper_entry(
            actor=get_user("laocai.daibieu"), poll=poll, entry=2, ballots=pile, issued=4
        )
    wrong = [*pile[:3], ScoreBallot({u: (99,) for u in UNITS if u != "son-la"}, "son-la")]
    services.save_paper_entry(
        actor=get_user("sonla.daibieu"), poll=poll, entry=2, ballots=wrong, issued=4
    )
    assert [m[0] for m in services.paper_mismatches(poll)] == [4]
    with pytest.raises(StateConflict):
        _close(get_user, poll)
    services.save_paper_entry(
        actor=get_user("sonla.daibieu"), poll=poll, entry=2, ballots=pile, issued=4
    )
    result = _close(get_user, poll).result
    rows = {row["unit"]: row for row in result["standings"]}
    assert (rows["ha-giang"]["total"], rows["ha-giang"]["count"]) == (340, 4)
    assert rows["ha-giang"]["average"] == "85/1"
    assert rows["ha-giang"]["trimmed"] == "85/1"
    assert result["trimmed_shown"]
    assert rows["son-la"]["count"] == 0
    assert rows["son-la"]["rank"] is None
    assert all(row["tied"] for row in result["standings"] if row["count"])


def test_phones_sealed_where_the_board_has_a_key(get_user, conference):
    """A board with a key means phones encrypt: a score poll on phones is sealed (its own
    tests: test_sealed_score.py); on paper, or asked plain, it is not."""
    board = [get_user(u) for u in ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")]
    sealed.run_ceremony(get_user("hagiang.thuky"), conference, board)
    phones_poll = services.create_score_poll(
        actor=get_user("hagiang.thuky"), conference=conference, code="cd", title="Chấm"
    )
    assert phones_poll.ceremony_id is not None  # sealed when opened
    plain = services.create_score_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="cd-ro",
        title="Chấm",
        sealed=False,
    )
    assert plain.ceremony_id is None
    paper = services.create_score_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code="cd-giay",
        title="Chấm",
        mode=Poll.Mode.PAPER,
    )
    assert paper.ceremony_id is None
    assert not paper.sealed


def test_only_the_secretary_creates_a_score_poll(get_user, conference):
    with pytest.raises(Refused):
        services.create_score_poll(
            actor=get_user("sonla.daibieu2"), conference=conference, code="cd", title="Chấm"
        )


def test_the_ranking_nominates_where_the_rule_set_says(get_user, conference):
    """With "titles": "ranking", the best averages of at least the minimum are nominated, and
    the Government flag only to the unit leading the cluster's score-sheet ranking (Hà Giang
    in 2020); the nominations are frozen in the result and read as the titles' nominees."""
    poll = _score_poll(get_user, conference, titles="ranking", minimum="85")
    for unit in UNITS:
        for username in _delegates(unit):
            phones.cast(actor=get_user(username), poll=poll, ballot=_ballot(unit))
    poll = _close(get_user, poll)
    nominations = poll.result["nominations"]
    assert nominations["minimum"] == "85"
    assert nominations["nominees"]["co_chinh_phu"] == ["ha-giang"]
    # Lào Cai (90) is the only other unit at 85 or more; the Ministry flag excludes Hà Giang
    assert nominations["nominees"]["co_bo_cong_an"] == ["lao-cai"]
    by_title = selectors.nominees_by_title([poll])
    assert by_title["co_chinh_phu"] == ["ha-giang"]
    # the proposal: the Ministry flag's vote is still open, so the ranking proposes it
    from thidua.org.models import TitleRecord

    proposed = TitleRecord.objects.filter(year=2020, title_code="co_bo_cong_an")
    assert [r.unit.code for r in proposed] == ["lao-cai"]


def test_the_proposal_draws_on_the_score_ranking(get_user, conference, cycle):
    """Where the ranking nominates (the Ministry flag: its own vote still open), the proposal
    (tờ trình) lists the nominee with its average, rank and number of scores, says it was
    chosen by secret score ballot under the score rules, and attaches the poll's vote-count
    minutes; the letter sending the proposals lists it the same way, and the nominee's
    achievement report says how it was nominated."""
    from tests.documents.conftest import all_text, read_docx, table_rows
    from thidua.documents import builders

    poll = _score_poll(get_user, conference, titles="ranking", minimum="85")
    for unit in UNITS:
        for username in _delegates(unit):
            phones.cast(actor=get_user(username), poll=poll, ballot=_ballot(unit))
    _close(get_user, poll)
    plans = {p.key: p for p in builders.plans(cycle("cum-2", 2020))}
    assert "proposal-co-bo-cong-an" not in plans  # the open vote no longer stands for the title
    plan = plans["proposal-cham-diem-co_bo_cong_an"]
    assert plan.ready, plan.missing
    document = read_docx(plan.build().content)
    text = all_text(document)
    rows = next(table_rows(t) for t in document.tables if table_rows(t)[0][0] == "STT")
    assert rows[0][2] == "Kết quả phiếu chấm điểm"
    # Lào Cai: 18 delegates of the other units scored it 90 (its own 3 did not), as Hà Giang
    lao_cai = next(row for row in rows if row[1] == "Công an tỉnh Lào Cai")
    assert lao_cai[2] == "điểm bình quân 90,00, đồng hạng 1 (18 phiếu chấm)"
    assert "được bình xét bằng phiếu chấm điểm kín tại hội nghị" in text
    assert "Phiếu chấm điểm: thang điểm 0–100" in text
    assert "tối thiểu 85 điểm" in text
    assert "Biên bản kiểm phiếu: Chấm điểm" in text  # the poll's minutes go with it
    letter = read_docx(plans["covering-letter"].build().content)
    assert "Kết quả bỏ phiếu, chấm điểm" in all_text(letter)
    assert any(
        "Công an tỉnh Lào Cai" in row and "điểm bình quân 90,00, đồng hạng 1 (18 phiếu chấm)" in row
        for table in letter.tables
        for row in table_rows(table)
    )
    report = all_text(
        read_docx(plans["achievement-cham-diem-lao-cai-co_bo_cong_an"].build().content)
    )
    assert "được hội nghị đề nghị theo kết quả phiếu chấm điểm kín tặng" in report


def test_a_score_poll_that_informs_the_vote_goes_with_its_proposal(get_user, conference, cycle):
    """Titles "inform" (the demo's 2020 rule set): the title vote nominates, and its proposal
    gives each nominee's standing in the score poll held before it and attaches that poll's
    minutes."""
    from tests.documents.conftest import all_text, read_docx
    from thidua.documents import builders

    poll = _score_poll(get_user, conference)
    for unit in UNITS:
        for username in _delegates(unit):
            phones.cast(actor=get_user(username), poll=poll, ballot=_ballot(unit))
    _close(get_user, poll)
    plans = {p.key: p for p in builders.plans(cycle("cum-2", 2020))}
    text = all_text(read_docx(plans["proposal-co-chinh-phu"].build().content))
    assert (
        "Trước khi biểu quyết, hội nghị bỏ phiếu chấm điểm kín (Chấm điểm): Công an tỉnh Hà "
        "Giang đạt điểm bình quân 90,00, đồng hạng 1 (18 phiếu chấm)."
    ) in text
    assert "Biên bản kiểm phiếu: Chấm điểm" in text
    assert "Biên bản kiểm phiếu: Bình xét Cờ thi đua của Chính phủ năm 2020" in text
    letter = all_text(read_docx(plans["covering-letter"].build().content))
    assert "Biên bản kiểm phiếu: Chấm điểm" in letter


def test_units_tied_across_the_last_seat_hold_the_proposal(get_user, conference, cycle):
    """A tie across a title's last seat is for the conference to settle: the proposal waits,
    naming the tied units."""
    from thidua.documents import builders

    poll = _score_poll(get_user, conference, titles="ranking", minimum="85")
    for unit in UNITS:
        for username in _delegates(unit):
            # for the Ministry flag's 3 seats: Lào Cai 90, Cao Bằng 88, then Lai Châu and
            # Lạng Sơn both 86 for the last seat
            ballot = _ballot(unit, cao_bang=88, lai_chau=86, lang_son=86)
            phones.cast(actor=get_user(username), poll=poll, ballot=ballot)
    poll = _close(get_user, poll)
    nominations = poll.result["nominations"]
    assert nominations["nominees"]["co_bo_cong_an"] == ["lao-cai", "cao-bang"]
    assert set(nominations["ties"]["co_bo_cong_an"]) == {"lai-chau", "lang-son"}
    plan = {p.key: p for p in builders.plans(cycle("cum-2", 2020))}[
        "proposal-cham-diem-co_bo_cong_an"
    ]
    assert not plan.ready
    assert plan.missing[0].startswith("Các đơn vị Công an tỉnh La")
    assert "Công an tỉnh Lai Châu" in plan.missing[0]
    assert "Công an tỉnh Lạng Sơn" in plan.missing[0]
    assert plan.missing[0].endswith(
        "bằng điểm ở suất cuối của danh hiệu: hội nghị biểu quyết giữa các đơn vị này."
    )


def test_a_rule_set_with_a_bad_score_vote_is_refused():
    from datetime import date

    from django.core.exceptions import ValidationError

    from thidua.org.models import RuleSet

    rule_set = RuleSet(
        code="thu",
        version=1,
        name="Thử",
        effective_from=date(2030, 1, 1),
        data={"voting": {"score_vote": {"maximum": 100, "titles": "ranking"}}},
    )
    with pytest.raises(ValidationError, match="điểm bình quân tối thiểu"):
        rule_set.full_clean()


def test_both_title_modes_are_in_the_demo_rule_sets():
    from thidua.org.demo import RULE_SETS

    modes = {r["data"]["voting"]["score_vote"]["titles"] for r in RULE_SETS}
    assert modes == {"ranking", "inform"}


def _counted_phone_and_paper(get_user, conference):
    phone = _score_poll(get_user, conference, "cham-dien-tu")
    for username, unit in (("sonla.daibieu", "son-la"), ("caobang.daibieu2", "cao-bang")):
        phones.cast(actor=get_user(username), poll=phone, ballot=_ballot(unit, ha_giang=77))
    _close(get_user, phone)
    paper = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    pile = [_paper(unit) for unit in ("lao-cai", "lai-chau", "lai-chau")]
    for entry, username in ((1, "laocai.daibieu"), (2, "sonla.daibieu")):
        services.save_paper_entry(
            actor=get_user(username), poll=paper, entry=entry, ballots=pile, issued=3
        )
    _close(get_user, paper)


def _paper(unit):
    return ScoreBallot({u: (BASE[u],) for u in UNITS if u != unit}, own_unit=unit)


def _record_poll(record, code):
    return next(p for p in record["polls"] if p["code"] == code)


def test_the_record_carries_score_polls_and_verify_recounts_them(get_user, conference, cycle):
    from thidua.core.verify import verify
    from thidua.record.export import export_json as export

    _counted_phone_and_paper(get_user, conference)
    record = export(cycle("cum-2", 2020))
    assert verify(record) == []
    phone, paper = _record_poll(record, "cham-dien-tu"), _record_poll(record, "cham-giay")
    assert len(phone["ballots"]) == len(phone["receipts"]) == 2
    assert len(paper["ballots"]) == len(paper["receipts"]) == 3  # one by one, not totals
    assert paper["paper"] is None
    assert {b["content"]["own_unit"] for b in paper["ballots"]} == {"lao-cai", "lai-chau"}
    rows = {row["unit"]: row for row in phone["result"]["standings"]}
    assert rows["ha-giang"]["total"] == 154
    assert rows["ha-giang"]["average"] == "77/1"


@pytest.mark.parametrize("code", ["cham-dien-tu", "cham-giay"])
def test_a_tampered_score_ballot_is_caught(get_user, conference, cycle, code):
    from thidua.core.verify import verify
    from thidua.record.export import export_json as export

    _counted_phone_and_paper(get_user, conference)
    record = export(cycle("cum-2", 2020))
    ballot = _record_poll(record, code)["ballots"][0]["content"]
    ballot["scores"]["dien-bien"] = [41]
    found = [finding.where for finding in verify(record)]
    assert f"polls[{code}].result.standings" in found, found


def test_a_record_with_score_polls_restores_exactly(get_user, conference, tmp_path):
    from tests.record import roundtrip

    _counted_phone_and_paper(get_user, conference)
    roundtrip.restores_exactly(tmp_path, "score")


def test_nobody_sees_who_cast_which_score_ballot(get_user, conference, client_for):
    """The ballots table has no voter, no time, no order: the board and the secretary can
    see who voted (the roll), never which ballot is theirs."""
    poll = _score_poll(get_user, conference)
    phones.cast(actor=get_user("sonla.daibieu2"), poll=poll, ballot=_ballot("son-la"))
    fields = {f.name for f in StoredBallot._meta.get_fields()}
    assert fields == {"id", "poll", "filled", "content", "source", "receipt"}
    stored = StoredBallot.objects.get(poll=poll, filled=True)
    assert "sonla.daibieu2" not in str(stored.content)
    for username in ("laocai.daibieu", "hagiang.thuky"):
        page = client_for(username).get(f"/clusters/cum-2/2020/conference/{poll.code}/")
        assert stored.receipt not in page.content.decode()


def _page_url(poll, tail=""):
    return f"/clusters/cum-2/2020/conference/polls/{poll.code}/{tail}"


def test_phone_page_score_confirm_cast(get_user, client_for, conference):
    """The delegate types a score per unit (their own greyed), confirms, and casts a ballot
    signed by their phone; the own unit comes from the delegate record."""
    poll = _score_poll(get_user, conference)
    phone = client_for("sonla.daibieu2")
    page = phone.get(_page_url(poll)).content.decode()
    assert 'name="s_ha-giang_0"' in page
    assert 'name="s_son-la_0"' not in page
    assert "đơn vị mình – không chấm" in page
    # no board key: the page says what a plain score ballot gives away once published
    assert "Phiếu không mã hóa" in page
    assert "đơn vị bị bỏ trống trên phiếu cho biết đại biểu đơn vị nào đã chấm" in page
    typed = {f"s_{u}_0": str(BASE[u]) for u in UNITS if u != "son-la"}
    confirm = phone.post(_page_url(poll), typed)
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Xác nhận phiếu chấm điểm" in text
    assert 'name="s_ha-giang" value="90"' in text
    assert not StoredBallot.objects.filter(poll=poll, filled=True).exists()
    ballot = _ballot("son-la")
    hidden = {f"s_{u}": str(parts[0]) for u, parts in ballot.scores.items()}
    signature = phones.signature(get_user("sonla.daibieu2"), poll, ballot)
    cast = phone.post(_page_url(poll, "cast/"), {**hidden, "score": "1", "signature": signature})
    assert cast.status_code == 200, cast.content.decode()
    assert '<p class="receipt-code"><code>' in cast.content.decode()
    assert StoredBallot.objects.get(poll=poll, filled=True).content["own_unit"] == "son-la"


def test_phone_page_refuses_an_invalid_score_with_the_reason(get_user, client_for, conference):
    poll = _score_poll(get_user, conference)
    phone = client_for("sonla.daibieu2")
    typed = {f"s_{u}_0": "50" for u in UNITS if u != "son-la"}
    typed["s_ha-giang_0"] = "120"
    refused = phone.post(_page_url(poll), typed)
    assert refused.status_code == 400
    assert "Công an tỉnh Hà Giang: điểm 120 ngoài thang 0–100." in refused.content.decode()
    typed["s_ha-giang_0"] = "tám"
    assert "Điểm phải là số nguyên" in phone.post(_page_url(poll), typed).content.decode()
    # a signed ballot scoring the own unit, posted past the page, is refused all the same
    ballot = ScoreBallot(dict.fromkeys(UNITS, (50,)))
    signature = phones.signature(get_user("sonla.daibieu2"), poll, ballot)
    hidden = {f"s_{u}": "50" for u in UNITS}
    cast = phone.post(_page_url(poll, "cast/"), {**hidden, "score": "1", "signature": signature})
    assert cast.status_code == 400
    assert "không chấm điểm đơn vị mình (Công an tỉnh Sơn La)" in cast.content.decode()


def test_the_result_page_shows_the_ranking_with_ties(get_user, client_for, conference):
    poll = _score_poll(get_user, conference)
    for unit in UNITS:
        for username in _delegates(unit):
            ballot = _ballot(unit, cao_bang=81) if username == "hagiang.daibieu" else _ballot(unit)
            phones.cast(actor=get_user(username), poll=poll, ballot=ballot)
    _close(get_user, poll)
    page = client_for("hagiang.thuky").get(_page_url(poll)).content.decode()
    assert "Kết quả chấm điểm" in page
    assert page.count("(đồng hạng)") == 2  # Hà Giang and Lào Cai, 90,00 each
    assert "80,06" in page  # Cao Bằng: 1441/18 (one 81 among eighteen scores)
    assert "1.441" in page  # the total with a Vietnamese thousands dot


def test_the_vote_count_minutes_of_a_score_poll(get_user, conference, cycle):
    from tests.documents.conftest import all_text, read_docx
    from thidua.documents.builders import vote_count_minutes

    poll = _score_poll(get_user, conference)
    for unit in UNITS:
        for username in _delegates(unit)[:1]:
            phones.cast(actor=get_user(username), poll=poll, ballot=_ballot(unit))
    poll = _close(get_user, poll)
    document = read_docx(vote_count_minutes(cycle("cum-2", 2020), poll).content)
    text = all_text(document)
    cells = [
        c.text.replace("\xa0", " ") for t in document.tables for row in t.rows for c in row.cells
    ]
    assert "Phiếu chấm điểm: thang điểm 0–100" in text
    assert "đại biểu không chấm đơn vị mình" in text
    assert "90,00" in cells
    assert "1 (đồng hạng)" in cells


def test_the_conference_pages_show_a_counted_score_poll(get_user, client_for, conference):
    """Every page listing the conference's polls takes a score poll (no threshold, no
    winners), open and counted."""
    poll = _score_poll(get_user, conference)
    pages = ("", "screen/", "run-of-show/")
    for tail in pages:
        response = client_for("hagiang.thuky").get(f"/clusters/cum-2/2020/conference/{tail}")
        assert response.status_code == 200, tail
    phones.cast(actor=get_user("sonla.daibieu"), poll=poll, ballot=_ballot("son-la"))
    _close(get_user, poll)
    for tail in pages:
        response = client_for("hagiang.thuky").get(f"/clusters/cum-2/2020/conference/{tail}")
        assert response.status_code == 200, tail
        assert "Chấm điểm" in response.content.decode(), tail
    close = client_for("laocai.daibieu").get(_page_url(poll, "close/"))
    assert close.status_code in (200, 302)


def test_paper_score_ballots_typed_by_two_board_members(get_user, client_for, conference):
    """Where the rule set asks for the trimmed mean, the board's page takes a paper pile one
    ballot a line ("own unit: unit=score, …"); the two entries reconciled, the count is the
    same as the service's (without it, the pile is a totals sheet: test_score_paper_totals)."""
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER, trimmed=True)
    page = client_for("laocai.daibieu").get(_page_url(poll)).content.decode()
    assert "Nhập phiếu chấm giấy" in page
    pile = "\n".join(
        f"{own}: " + ", ".join(f"{u}={BASE[u]}" for u in UNITS if u != own)
        for own in ("lao-cai", "son-la")
    )
    for entry, username in ((1, "laocai.daibieu"), (2, "sonla.daibieu")):
        client_for(username).post(
            _page_url(poll, "paper/"), {"entry": str(entry), "issued": "2", "pile": pile}
        )
    assert services.paper_mismatches(poll) == []
    bad = client_for("sonla.daibieu").post(
        _page_url(poll, "paper/"), {"entry": "2", "issued": "2", "pile": "son-la: ha-giang=chín"}
    )
    assert bad.status_code == 302
    assert services.paper_mismatches(poll) == []  # the refused entry changed nothing
    result = _close(get_user, poll).result
    rows = {row["unit"]: row for row in result["standings"]}
    assert (rows["ha-giang"]["count"], rows["lao-cai"]["count"]) == (2, 1)


def test_written_opinions_and_plain_paper_ballots_are_refused(get_user, conference):
    from thidua.core.ballots import Ballot
    from thidua.org.models import User, UserKind

    user = User.objects.create(
        username="vang.mot", kind=UserKind.DELEGATE, unit=get_user("caobang.daibieu").unit
    )
    absent = services.add_delegate(
        actor=get_user("hagiang.thuky"), conference=conference, user=user
    )
    poll = _score_poll(get_user, conference, "cham-giay", Poll.Mode.PAPER)
    with pytest.raises(DomainError) as refused:
        services.record_written(
            actor=get_user("laocai.daibieu"), poll=poll, delegate=absent, ballot=Ballot(())
        )
    assert refused.value.problems[0].code == "score_not_written"
    with pytest.raises(DomainError) as wrong:
        services.save_paper_entry(
            actor=get_user("laocai.daibieu"),
            poll=poll,
            entry=1,
            ballots=[Ballot(("lao-cai",))],
            issued=1,
        )
    assert wrong.value.problems[0].code == "wrong_ballot_kind"


def test_a_score_poll_over_the_api(get_user, conference):
    """Created, cast (signed by the phone) and entered on paper over the API, under the same
    rules as the pages: the own unit from the delegate record, refusals named."""
    from django.test import Client

    from thidua.core.policy import TOKEN_SCOPES
    from thidua.org import services as org_services

    def api(username):
        _token, key = org_services.create_api_token(
            actor=get_user(username), name="test", scopes=TOKEN_SCOPES
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    base = "/api/cycles/cum-2/2020/polls"
    made = api("hagiang.thuky").post(
        base, {"code": "cham-api", "title": "Chấm", "kind": "score"}, "application/json"
    )
    assert made.status_code == 201, made.content
    poll = Poll.objects.get(conference=conference, code="cham-api")
    services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)
    ballot = _ballot("son-la")
    body = {
        "scores": {u: list(parts) for u, parts in ballot.scores.items()},
        "signature": phones.signature(get_user("sonla.daibieu2"), poll, ballot),
    }
    cast = api("sonla.daibieu2").post(f"{base}/cham-api/ballot", body, "application/json")
    assert cast.status_code == 201, cast.content
    own = ScoreBallot({**ballot.scores, "son-la": (50,)})
    body = {
        "scores": {u: list(parts) for u, parts in own.scores.items()},
        "signature": phones.signature(get_user("sonla.daibieu3"), poll, own),
    }
    refused = api("sonla.daibieu3").post(f"{base}/cham-api/ballot", body, "application/json")
    assert refused.status_code == 400
    assert "Công an tỉnh Sơn La" in refused.json()["detail"]
    plain = api("sonla.daibieu3").post(
        f"{base}/cham-api/ballot",
        phones.api_ballot("sonla.daibieu3", "cham-api", {"choices": ["lao-cai"]}),
        "application/json",
    )
    assert plain.status_code == 400
