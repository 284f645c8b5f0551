"""The demo data: idempotent, honest about what is illustrative."""

import pytest
from django.core.management import call_command

from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import (
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    PhaseEvent,
    RuleSet,
    Unit,
    User,
)
from thidua.web.demo import load_demo

pytestmark = pytest.mark.django_db

MODELS = (Unit, LineageEvent, LineageLink, Cluster, RuleSet, Cycle, Membership, PhaseEvent)


def counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, Handover, User)}


def test_loading_twice_duplicates_nothing():
    before = counts()
    load_demo()
    assert counts() == before
    assert before["Unit"] == 63 + 1 + 23  # 63 before 2025, Huế city, 23 merged provinces


def test_command_prints_every_login_with_its_password(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    for username in ("admin", "quansat", "hagiang.thuky", "laocai.thuky", "caobang.daibieu"):
        line = next(line for line in out.splitlines() if line.strip().startswith(username + " "))
        assert DEMO_PASSWORD in line
    assert User.objects.filter(kind="officer").count() == 12
    assert User.objects.filter(kind="delegate").count() == 7 * 3 + 5  # 3 per Cụm II unit


def test_invented_and_illustrative_facts_are_labelled():
    cycle_2020 = Cycle.objects.get(cluster__code="cum-2", year=2020)
    assert "minh hoạ" in cycle_2020.note  # the 2020 deputy is not in the source
    handover = Handover.objects.get(from_cycle=cycle_2020)
    assert "minh hoạ" in handover.note
    assert "minh hoạ" in Cycle.objects.get(cluster__code="cum-1", year=2020).note


def test_the_demo_can_count_its_open_poll_so_every_document_can_be_made(capsys):
    from thidua.documents import builders
    from thidua.voting.models import Poll

    call_command("demo", "--count-open-poll")
    assert "Đã kiểm phiếu: Bình xét Cờ thi đua của Bộ Công an năm 2020." in capsys.readouterr().out
    poll = Poll.objects.get(code="co-bo-cong-an", conference__cycle__year=2020)
    assert poll.status == Poll.Status.CLOSED
    assert poll.result["returned"] == poll.result["electorate"] == 21
    assert poll.result["winners"][:2] == ["lao-cai", "son-la"]
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    missing = {plan.key: plan.missing for plan in builders.plans(cycle) if not plan.ready}
    assert missing == {}
    # a second time there is nothing left open: nothing happens
    call_command("demo", "--count-open-poll")
    assert "Đã kiểm phiếu" not in capsys.readouterr().out


def test_every_member_unit_has_a_director_who_confirmed_the_2020_agreement():
    from thidua.scoring.models import Confirmation

    directors = User.objects.filter(kind="director")
    assert directors.count() == 7 + 5  # each 2020/2021 member unit of Cụm II and Cụm I
    assert all(user.unit_id and user.get_full_name() for user in directors)
    confirmed = Confirmation.objects.filter(
        agreement__cycle__cluster__code="cum-2", agreement__cycle__year=2020
    )
    assert confirmed.count() == 7
    assert {row.confirmed_by.unit_id for row in confirmed} == {row.unit_id for row in confirmed}
