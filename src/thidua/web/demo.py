"""The demo, stage by stage: each stage adds its part while its phase of the year is open."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from thidua.audit import clock
from thidua.core.deadlines import MIDYEAR_OPEN, midyear_state
from thidua.core.phases import PHASES, Phase
from thidua.documents import selectors as documents_selectors
from thidua.documents import services as documents_services
from thidua.documents.models import DISCUSSION, GROUNDS
from thidua.errors import DomainError
from thidua.org import demo as org_demo
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle
from thidua.scoring import demo as scoring_demo
from thidua.stats import demo as stats_demo
from thidua.voting import demo as voting_demo


def _before(cycle: Cycle, phase: Phase) -> bool:
    """True while the cycle has not gone past `phase` (its stage may still add its part)."""
    return PHASES.index(Phase(cycle.phase)) <= PHASES.index(phase)


notices: list[str] = []


@transaction.atomic
def load_demo(*, organisation_only: bool = False, year_2025: bool = True) -> list[org_demo.Login]:
    """Load or complete the whole demo (idempotent); returns the demo logins. What could not
    be loaded is listed in `notices`.

    `organisation_only`: units, people, rule sets, the 2019 figures and past awards, but no
    year 2020 for Cụm II (the browser tests walk that year from its start). Without
    `year_2025`, no year 2025 for Cụm II (`load_2025`): the tests' shared database, whose
    tests were written for 2021 as Cụm II's latest year, loads it where they need it."""
    notices.clear()
    with clock.demo_data():  # the log names the demo data as the author of its writes
        return _load(organisation_only=organisation_only, year_2025=year_2025)


@transaction.atomic
def load_2025() -> list[org_demo.Login]:
    """Cụm II's year 2025 alone (the rest of the demo loaded): see `_load_2025`."""
    with clock.demo_data():
        return _load_2025()


def _load(*, organisation_only: bool, year_2025: bool) -> list[org_demo.Login]:
    logins = org_demo.load_organisation(cluster_ii_2020=not organisation_only)
    with clock.dated(org_demo.day_2020(Phase.PLANNING)):  # the 2019 figures, early in 2020
        stats_demo.load_baseline_2019()
    if organisation_only:
        voting_demo.load_title_register()
        return logins

    cycle = Cycle.objects.get(cluster__code=org_demo.CLUSTER_II["code"], year=2020)
    if cycle.phase == Phase.PLANNING:
        with clock.dated(org_demo.day_2020(Phase.AGREEMENT)):
            scoring_demo.load_agreement(cycle)  # signing it opens "agreement signed"
        cycle.refresh_from_db()
    if _before(cycle, Phase.REPORTING):
        with clock.dated(org_demo.day_2020(Phase.REPORTING)):
            cycle = org_demo.advance_to(cycle, Phase.REPORTING)
            stats_demo.load_reports_2020(cycle)
            stats_demo.load_on_behalf_2020(cycle)
    if _before(cycle, Phase.SCORING):
        with clock.dated(org_demo.day_2020(Phase.SCORING)):
            cycle = org_demo.advance_to(cycle, Phase.SCORING)
            scoring_demo.load_sheets(cycle)
            scoring_demo.load_explanations(cycle)
    with clock.dated(org_demo.day_2020(Phase.CONFERENCE)):
        cycle = org_demo.advance_to(cycle, Phase.CONFERENCE)
        _load_grounds(cycle)
    voting_demo.load_title_register()
    try:
        with transaction.atomic():
            voting_demo.load_conference(cycle)  # the vote hands the leadership to Lào Cai
            voting_demo.load_decision_2020(cycle)
    except DomainError as error:
        # A database filled by an older thidua keeps its frozen rule sets; say what to do.
        notices.append(
            f"Hội nghị mẫu không tạo được ({error}). Cơ sở dữ liệu có dữ liệu mẫu của phiên bản "
            "cũ: xoá var/thidua.sqlite3 (hoặc tạo lại cơ sở dữ liệu) rồi chạy lại `make demo`."
        )
    org_demo.open_2021(cycle)
    cycle_2021 = Cycle.objects.filter(cluster_id=cycle.cluster_id, year=2021).first()
    if cycle_2021 is not None and midyear_state(cycle_2021.position) == MIDYEAR_OPEN:
        with clock.dated(timezone.make_aware(datetime(2021, 7, 9, 9))):
            stats_demo.load_midyear_2021(cycle_2021)
    if year_2025:
        logins += _load_2025()
    with transaction.atomic():  # a database whose chains predate carrying gets its copies
        for each in Cycle.objects.select_related("cluster"):
            org_services.carry_inputs(each)
    return logins


def _load_2025() -> list[org_demo.Login]:
    """Cụm II's year 2025: signed by its seven units in March, reporting from June, and the
    merger of 1 July 2025 applied to it (Hà Giang into Tuyên Quang, Yên Bái with Lào Cai)."""
    logins = org_demo.load_accounts_2025()
    with clock.dated(org_demo.day_2025("created")):
        cycle = org_demo.create_2025()
        stats_demo.load_baseline_2024()
    if cycle.phase == Phase.PLANNING:
        with clock.dated(org_demo.day_2025("signed")):
            scoring_demo.load_agreement(cycle)
        cycle.refresh_from_db()
    if _before(cycle, Phase.REPORTING):
        with clock.dated(org_demo.day_2025("reporting")):
            cycle = org_demo.advance_to(cycle, Phase.REPORTING)
            stats_demo.load_draft_2025(cycle)
    with clock.dated(org_demo.day_2025("midyear")):
        stats_demo.load_h1_2025(cycle)
    with clock.dated(org_demo.day_2025("merger")):
        org_demo.apply_mergers_2025(cycle)
    return logins


def _load_grounds(cycle: Cycle) -> None:
    """The year's own grounds the proposals cite; their numbers and dates are not in our
    sources, so they are named without them. And the conference's discussion: the topics the
    province's newspaper reported, with the speakers' names invented (the guests' are the
    conference's own, voting/demo.py) and each delegation's contribution illustrative."""
    texts = documents_selectors.report_texts(cycle)
    if not texts.get(GROUNDS):
        documents_services.save_report_text(
            actor=SYSTEM,
            cycle=cycle,
            texts={
                GROUNDS: "Hướng dẫn công tác thi đua, khen thưởng năm 2020 của Bộ Công an\n"
                "Quy chế hoạt động của Cụm thi đua số II – Bộ Công an"
            },
        )
    if not texts.get(DISCUSSION):
        documents_services.save_report_text(
            actor=SYSTEM,
            cycle=cycle,
            texts={
                DISCUSSION: "Đồng chí Hoàng Minh Tuấn, Phó Bí thư Tỉnh ủy Hà Giang, phát biểu "
                "chào mừng, ghi nhận kết quả năm 2020 của công an các tỉnh và đề nghị các tỉnh "
                "trong cụm tăng cường trao đổi kinh nghiệm, hoạt động chung của cụm năm 2021\n"
                "Đại biểu Công an tỉnh Sơn La trao đổi kinh nghiệm đấu tranh với tội phạm về "
                "ma túy trên tuyến biên giới\n"
                "Đại biểu Công an tỉnh Lạng Sơn trao đổi cách phòng, chống tội phạm đánh bạc\n"
                "Đại biểu Công an tỉnh Điện Biên trao đổi việc vận động loại trừ các đạo lạ, "
                "hoạt động tôn giáo trái pháp luật\n"
                "Đại biểu Công an tỉnh Cao Bằng trao đổi việc tham gia công tác an sinh xã hội, "
                "giúp người dân giảm nghèo"
            },
        )
