"""Eligibility on the conference's ballots, over HTTP: the candidate list shows each unit's
eligibility with the reason; a unit the rules find not eligible is left off by default and
stays on a ballot only with a typed reason, recorded on the candidate and in the audit log."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from tests.record import roundtrip
from thidua.audit.models import AuditEntry
from thidua.core.verify import verify
from thidua.org import register
from thidua.org.authz import SYSTEM
from thidua.org.models import TitleRecord
from thidua.record.export import export_json as export
from thidua.voting.models import Poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("son_la_flag_2018")]

NEW = "/clusters/cum-2/2020/conference/polls/new/"


@pytest.fixture
def son_la_flag_2018():
    """A decision awarding Sơn La its 2018 Government-flag proposal (test data): the cluster's
    rule then finds it not eligible for that flag in 2020 (held within the 3 years before)."""
    record = TitleRecord.objects.get(unit__code="son-la", year=2018, title_code="co_chinh_phu")
    register.record_decision(
        actor=SYSTEM,
        number="Thử 01/QĐ-TTg",
        signed_on=date(2019, 4, 1),
        issuer="Thủ tướng Chính phủ (dữ liệu thử)",
        outcomes=[(record, True)],
    )


def _new(client, **extra):
    data = {"code": "co-cp-lai", "title": "Cờ của Chính phủ, bình xét lại"}
    data["title_code"] = "co_chinh_phu"
    data.update(extra)
    return client.post(NEW, data, follow=True)


def test_the_conference_page_shows_eligibility_with_the_reason(client_for):
    page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/conference/").content.decode()
    assert "Điều kiện đề nghị danh hiệu năm 2020" in page
    assert (
        "Đã được tặng “Cờ thi đua của Chính phủ” năm 2018 (không được trong 3 năm: 2017, 2018, "
        "2019)." in page
    )
    assert "sổ chưa có dữ liệu năm 2019" in page  # the others: 2019 is unknown


def test_an_ineligible_unit_is_left_off_the_default_ballot(client_for):
    _new(client_for("hagiang.thuky"))
    poll = Poll.objects.get(code="co-cp-lai", conference__cycle__year=2020)
    codes = {c.unit.code for c in poll.candidates.all()}
    assert "son-la" not in codes
    assert len(codes) == 6  # unknown is not "not eligible": the others stay


def test_keeping_an_ineligible_unit_without_a_reason_is_refused(client_for):
    before = AuditEntry.objects.count()
    page = _new(
        client_for("hagiang.thuky"), candidates=["son-la", "lao-cai"], **{"keep_son-la": " "}
    )
    text = page.content.decode()
    assert "Công an tỉnh Sơn La không đủ điều kiện đề nghị danh hiệu này" in text
    assert "Chỉ giữ trong danh sách khi ghi lý do." in text
    assert not Poll.objects.filter(code="co-cp-lai").exists()
    assert AuditEntry.objects.count() == before


def test_keeping_an_ineligible_unit_with_a_reason_is_recorded_and_audited(
    client_for,
):
    reason = "Hội nghị thống nhất giữ để biểu quyết, chờ Bộ hướng dẫn"
    page = _new(
        client_for("hagiang.thuky"), candidates=["son-la", "lao-cai"], **{"keep_son-la": reason}
    )
    assert "Đã tạo cuộc bỏ phiếu." in page.content.decode()
    poll = Poll.objects.get(code="co-cp-lai", conference__cycle__year=2020)
    kept = poll.candidates.get(unit__code="son-la")
    assert kept.kept_reason == reason
    assert poll.candidates.get(unit__code="lao-cai").kept_reason == ""
    entry = AuditEntry.objects.filter(action="voting.poll.create").latest("id")
    assert entry.after["kept_ineligible"] == {"son-la": reason}
    shown = (
        client_for("hagiang.thuky")
        .get("/clusters/cum-2/2020/conference/polls/co-cp-lai/")
        .content.decode()
    )
    assert f"giữ trong danh sách vì: {reason}" in shown
    assert "không đủ điều kiện: Đã được tặng “Cờ thi đua của Chính phủ” năm 2018" in shown


def test_a_delegate_cannot_create_a_poll_even_with_a_reason(client_for):
    refused = client_for("hagiang.daibieu").post(
        NEW,
        {"code": "x", "title": "x", "title_code": "co_chinh_phu", "candidates": ["son-la"],
         "keep_son-la": "lý do"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert not Poll.objects.filter(code="x").exists()


def test_the_api_refuses_an_ineligible_candidate_without_a_reason(get_user):
    from django.test import Client

    from thidua.core.policy import TOKEN_SCOPES
    from thidua.org import services as org_services

    _token, key = org_services.create_api_token(
        actor=get_user("hagiang.thuky"), name="test", scopes=TOKEN_SCOPES
    )
    api = Client(headers={"Authorization": f"Bearer {key}"})
    url = "/api/cycles/cum-2/2020/polls"
    body = {"code": "api-cp", "title": "Cờ", "title_code": "co_chinh_phu"}
    body["candidates"] = ["son-la", "lao-cai"]
    refused = api.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert "không đủ điều kiện" in refused.json()["detail"]
    assert not Poll.objects.filter(code="api-cp").exists()
    kept = api.post(
        url,
        {**body, "kept": {"son-la": "Giữ theo ý kiến hội nghị"}},
        content_type="application/json",
    )
    assert kept.status_code == 201
    poll = Poll.objects.get(code="api-cp")
    assert poll.candidates.get(unit__code="son-la").kept_reason == "Giữ theo ý kiến hội nghị"


def test_a_next_round_keeps_the_reason_typed_for_the_first(get_user, conference, units):
    """A runoff or a revote among the same units does not ask again: the first round's reason
    travels with the unit."""
    from thidua.voting import services

    actor = get_user("hagiang.thuky")
    first = services.create_poll(
        actor=actor,
        conference=conference,
        code="co-cp-vong",
        title="Cờ của Chính phủ",
        title_code="co_chinh_phu",
        candidates=[units["son-la"], units["lao-cai"]],
        kept={"son-la": "Giữ theo ý kiến hội nghị"},
    )
    second = services._next_round(actor, first, [units["son-la"], units["lao-cai"]], 1)
    assert second.candidates.get(unit__code="son-la").kept_reason == "Giữ theo ý kiến hội nghị"


def test_the_reason_for_keeping_a_candidate_is_in_the_record_and_restores(client_for, tmp_path):
    """The record carries the typed reason beside the ballot's candidates, and a year
    restored from its record shows it again (the round trip gives the same bytes)."""
    reason = "Hội nghị thống nhất giữ để biểu quyết, chờ Bộ hướng dẫn"
    _new(client_for("hagiang.thuky"), candidates=["son-la", "lao-cai"], **{"keep_son-la": reason})
    again = roundtrip.restores_exactly(tmp_path, "kept")
    restored = json.loads(gzip.decompress((again / "cum-2-2020.json.gz").read_bytes()))
    (poll,) = [p for p in restored["polls"] if p["code"] == "co-cp-lai"]
    assert poll["kept"] == {"son-la": reason}
    assert all(p.get("kept", {}) == {} for p in restored["polls"] if p is not poll)


def test_a_reason_forged_in_the_record_is_found_by_verify(client_for, cycle):
    """The reason is in the poll's creation entry of the log: a record that changes it, adds
    one or drops it no longer agrees with its log."""
    reason = "Hội nghị thống nhất giữ để biểu quyết, chờ Bộ hướng dẫn"
    _new(client_for("hagiang.thuky"), candidates=["son-la", "lao-cai"], **{"keep_son-la": reason})
    assert verify(export(cycle("cum-2", 2020))) == []
    for forged in ({"son-la": "Bộ đã đồng ý"}, {}, {"son-la": reason, "lao-cai": reason}):
        record = export(cycle("cum-2", 2020))
        (poll,) = [p for p in record["polls"] if p["code"] == "co-cp-lai"]
        poll["kept"] = forged
        found = [finding.where for finding in verify(record)]
        assert any(where.startswith("polls[co-cp-lai]") for where in found), (forged, found)


def test_a_rank_rule_reads_the_cycles_own_ranking():
    """A rule set whose Government flag needs the first place in the cluster's ranking (kind
    "rank"): the candidate list's verdicts and the eligibility table both read each unit's
    rank from the cycle's results, so only the leader of the ranking passes that rule."""
    from thidua.core.eligibility import Status
    from thidua.org.models import Cycle
    from thidua.scoring import selectors as scoring_selectors
    from thidua.voting import selectors

    cycle = Cycle.objects.select_related("rule_set").get(cluster__code="cum-2", year=2020)
    data = cycle.rule_set.data
    data["eligibility"]["rules"] = [
        {
            "code": "dan-dau",
            "title": "co_chinh_phu",
            "kind": "rank",
            "at_most": 1,
            "source": "cluster_decision",
        }
    ]
    cycle.rule_set.data = data  # held by this cycle object only (a used rule set is frozen)
    ranking = scoring_selectors.summary(cycle).ranking
    first = next(unit for unit, result in ranking if result.rank == 1)
    others = [unit for unit, result in ranking if result.rank > 1]
    assert others
    verdicts = selectors.eligibility(cycle, "co_chinh_phu", [unit for unit, _ in ranking])
    assert verdicts[first.pk].status == Status.ELIGIBLE
    assert {verdicts[unit.pk].status for unit in others} == {Status.NOT_ELIGIBLE}
    table = {row.unit.pk: row.verdict for row in selectors.eligibility_table(cycle)}
    assert table[first.pk].status == Status.ELIGIBLE
    assert {table[unit.pk].status for unit in others} == {Status.NOT_ELIGIBLE}
