"""The demo conference of Cụm II, 16/11/2020, Đồng Văn (Hà Giang) — and the register of titles.

Published: the conference (date, place), the hand-over of the leadership to Lào Cai for 2021,
and the cluster's proposals of 2017 and 2018 (loaded into the register of titles through its
XLSX import, like any user's file; the decisions on them are not in our sources, so they stay
"proposed"). Illustrative: the delegates (invented people), the counting
board, every ballot and the outcome of the title polls (the 2020 awards are not in the source).
The Government flag is voted first (one seat; Hà Giang leads the 2020 ranking), then the
Ministry flag among the other six units (one flag a year): that poll is left open, for trying
the phone ballot, and any outcome of it is within the rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from thidua.audit import clock
from thidua.core.ballots import Ballot
from thidua.org import register
from thidua.org.authz import SYSTEM
from thidua.org.demo import CONFERENCE_2020
from thidua.org.models import Cycle, TitleRecord, TitleState, Unit, User
from thidua.voting import devices, selectors, services
from thidua.voting.models import Conference, Delegate, Poll

UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]
BOARD = {"laocai.daibieu": "chair", "sonla.daibieu": "member", "caobang.daibieu": "member"}
# The cluster's proposals (not decisions: those are not in our sources).
PROPOSALS = [
    (2017, "co_chinh_phu", "Cờ thi đua của Chính phủ", ["lang-son"]),
    (2017, "co_bo_cong_an", "Cờ thi đua của Bộ Công an", ["son-la", "dien-bien", "lao-cai"]),
    (2018, "co_chinh_phu", "Cờ thi đua của Chính phủ", ["son-la"]),
    (2018, "co_bo_cong_an", "Cờ thi đua của Bộ Công an", ["lang-son", "ha-giang", "lai-chau"]),
]
PROPOSAL_SOURCE = "Báo cáo của Cụm thi đua số II (tổng hợp trong tài liệu nghiệp vụ của dự án)"
NOTE = (
    "Hội nghị ngày 16/11/2020 tại huyện Đồng Văn, tỉnh Hà Giang, bàn giao cụm trưởng năm 2021 "
    "cho Công an tỉnh Lào Cai (nguồn: Báo Hà Giang)."
)
# Illustrative intentions: (poll code) → candidates each delegate ticks, drawn with a fixed seed.
POLLS = [
    ("co-chinh-phu", "Bình xét Cờ thi đua của Chính phủ năm 2020", "title", "co_chinh_phu", 1),
    ("co-bo-cong-an", "Bình xét Cờ thi đua của Bộ Công an năm 2020", "title", "co_bo_cong_an", 3),
    ("cum-truong-2021", "Bầu cụm trưởng năm 2021", "leader", "", 1),
    ("cum-pho-2021", "Bầu cụm phó năm 2021", "deputy", "", 1),
]
# The third Ministry-flag seat in the demo's count of its open poll (count_the_open_poll).
MINISTRY_THIRD = ["lang-son", "lang-son", "lang-son", "cao-bang", "dien-bien"]
FAVOURITES = {
    "co-chinh-phu": ["ha-giang"],
    "cum-truong-2021": ["lao-cai"],
    "cum-pho-2021": ["son-la", "cao-bang"],
}


# Illustrative, like the programme's hours (load_conference): when each poll opened and was
# closed and counted on the conference day, inside the programme's voting items (09:45-10:45
# the titles, 10:45-11:20 the leadership); the Ministry flag opens and is left open.
DELEGATES_IN = time(7, 30)  # the delegates checked in before the 08:00 opening
POLL_TIMES = {
    "co-chinh-phu": (time(9, 50), time(10, 5)),
    "co-bo-cong-an": (time(10, 10), None),
    "cum-truong-2021": (time(10, 50), time(11, 0)),
    "cum-pho-2021": (time(11, 2), time(11, 10)),
}
HANDED_OVER = time(11, 15)


@contextmanager
def _on_conference_day(moment: time) -> Iterator[None]:
    """The conference's writes, recorded at `moment` of its day (local time)."""
    with clock.dated(timezone.make_aware(datetime.combine(CONFERENCE_2020, moment))):
        yield


def _later(moment: time, minutes: int) -> time:
    return (datetime.combine(CONFERENCE_2020, moment) + timedelta(minutes=minutes)).time()


LEVELS = {"co_chinh_phu": "Chính phủ", "co_bo_cong_an": "Bộ Công an"}
# Illustrative: a decision on the 2020 Government-flag proposal (not in the source).
DECISION_2020 = {
    "number": "Minh hoạ 01/QĐ-TTg",
    "signed_on": date(2021, 4, 15),
    "issuer": "Thủ tướng Chính phủ (minh hoạ)",
}


def load_title_register() -> None:
    """The 2017 and 2018 proposals, through the register's XLSX import (all or nothing)."""
    from thidua.org.models import Cluster

    cluster = Cluster.objects.get(code="cum-2")
    if TitleRecord.objects.filter(cluster=cluster, year__in=(2017, 2018)).exists():
        return
    rows = [
        (year, unit, code, title, LEVELS[code], "Đề nghị", None, None, None, PROPOSAL_SOURCE)
        for year, code, title, units in PROPOSALS
        for unit in units
    ]
    register.import_titles(actor=SYSTEM, cluster=cluster, content=register.workbook_of(rows))


def load_decision_2020(cycle: Cycle) -> None:
    """An illustrative decision on the 2020 Government-flag proposal, when the demo's count
    proposed a unit for it."""
    proposed = TitleRecord.objects.filter(
        cluster=cycle.cluster, year=cycle.year, title_code="co_chinh_phu"
    )
    if not proposed.exists() or proposed.exclude(state=TitleState.PROPOSED).exists():
        return
    register.record_decision(
        actor=SYSTEM, outcomes=[(record, True) for record in proposed], **DECISION_2020
    )


def _ballots(
    code: str, delegates: list[Delegate], rng: random.Random
) -> list[tuple[Delegate, Ballot]]:
    cast = []
    for delegate in delegates:
        favourites = FAVOURITES[code]
        if code == "cum-pho-2021":
            picks = [favourites[0] if rng.random() < 0.8 else favourites[1]]
        else:
            picks = [favourites[0]]
        if rng.random() < 0.05:
            picks = []  # a blank ballot now and then
        cast.append((delegate, Ballot(choices=tuple(picks))))
    return cast


def load_conference(cycle: Cycle) -> None:
    """Delegates checked in, the board, four polls; three counted, the Ministry flag open;
    next year's leadership handed over from the vote. Each write is recorded at its
    illustrative time of the conference day (`POLL_TIMES`), so the vote-count minutes print
    when each poll opened and was counted."""
    if Conference.objects.filter(cycle=cycle).exists():
        return
    with _on_conference_day(DELEGATES_IN):
        conference, delegates, phones = _gather(cycle)
    chair = next(d for d in delegates if d.board == "chair").user
    rng = random.Random(20201116)  # noqa: S311 - reproducible illustrative ballots

    def create(code: str):
        _code, title, purpose, title_code, seats = next(p for p in POLLS if p[0] == code)
        return services.create_poll(
            actor=SYSTEM,
            conference=conference,
            code=code,
            title=title,
            purpose=purpose,
            title_code=title_code,
            seats=seats,
        )

    def vote(code: str) -> None:
        opened, closed = POLL_TIMES[code]
        with _on_conference_day(opened):
            poll = services.open_poll(actor=chair, poll=create(code))
        with _on_conference_day(_later(opened, 3)):
            for delegate, ballot in _ballots(poll.code, delegates, rng):
                signature = phones[delegate.pk].sign(
                    cycle.cluster.code, cycle.year, poll.code, delegate.user.username, ballot
                )
                services.cast(actor=delegate.user, poll=poll, ballot=ballot, signature=signature)
        with _on_conference_day(closed):
            services.close_poll(actor=chair, poll=poll)

    vote("co-chinh-phu")
    # created once the Government flag is counted: its nominee is not a candidate; left open
    with _on_conference_day(POLL_TIMES["co-bo-cong-an"][0]):
        services.open_poll(actor=chair, poll=create("co-bo-cong-an"))
    vote("cum-truong-2021")
    vote("cum-pho-2021")
    # the leader unit's secretary records the election
    with _on_conference_day(HANDED_OVER):
        secretary = User.objects.get(username="hagiang.thuky")
        services.hand_over_from_vote(actor=secretary, conference=conference, note=NOTE)
    # The phones above exist only in this script: whoever tries the demo's open poll signs in
    # with a browser, which registers its own device key on its first conference page.
    Delegate.objects.filter(conference=conference).update(device_key="")


def _gather(cycle: Cycle) -> tuple[Conference, list[Delegate], dict[int, devices.Phone]]:
    """The conference opened, its delegates added and checked in, each with a phone (played
    here with its own device key, as thidua/device-key.js)."""
    leader = Unit.objects.get(pk=cycle.leader_id)
    conference = services.open_conference(
        actor=SYSTEM,
        cycle=cycle,
        held_on=CONFERENCE_2020,
        # Illustrative (the sources give the day and the district only; /about/ says so): the
        # hours, the hall and the programme's times, worded as a real cluster's would be.
        starts_at=time(8, 0),
        ends_at=time(11, 30),
        place="Hội trường Trung tâm Văn hóa huyện Đồng Văn, tỉnh Hà Giang",
        agenda=(
            "08:15 - 09:00: Báo cáo tổng kết phong trào thi đua “Vì an ninh Tổ quốc” năm 2020 "
            "của cụm.\n"
            "09:00 - 09:45: Thảo luận, trao đổi kinh nghiệm.\n"
            "09:45 - 10:45: Công bố kết quả chấm điểm; bỏ phiếu bình xét các danh hiệu thi đua "
            "năm 2020.\n"
            "10:45 - 11:20: Bầu và bàn giao cụm trưởng, cụm phó năm 2021."
        ),
        # The leader unit's head chairs; ranks and names are invented like every person's
        # in the demo. The guests' offices are the ones the province's newspaper reported; it
        # named "the leaders of Báo Hà Giang and Đồng Văn district" only, so those two offices
        # (deputy editor, district chairman) are illustrative, each guest on a line of their own.
        chair_rank=leader.head_rank,
        chair_name=leader.head_name,
        chair_position=f"{leader.head_title or 'Giám đốc'} {leader.name}, Cụm trưởng",
        secretary_rank="Thiếu tá",
        secretary_name=User.objects.get(username="hagiang.thuky").display_name,
        secretary_position=f"cán bộ {leader.name}",
        guests=(
            "Đồng chí Hoàng Minh Tuấn, Phó Bí thư Tỉnh ủy Hà Giang\n"
            "Đại tá Phạm Quốc Hưng, Phó Cục trưởng Cục Công tác Đảng và công tác chính trị, "
            "Bộ Công an\n"
            "Đồng chí Nguyễn Văn Hải, Phó Tổng Biên tập Báo Hà Giang\n"
            "Đồng chí Lò Văn Sùng, Chủ tịch Ủy ban nhân dân huyện Đồng Văn"
        ),
    )
    users = User.objects.filter(unit__code__in=UNITS, kind="delegate").order_by("username")
    delegates = [
        services.add_delegate(
            actor=SYSTEM, conference=conference, user=user, board=BOARD.get(user.username, "")
        )
        for user in users
    ]
    for delegate in delegates:
        services.check_in(actor=SYSTEM, delegate=delegate)
    phones = {}
    for delegate in delegates:
        phones[delegate.pk] = devices.Phone()
        services.register_device_key(
            actor=delegate.user, conference=conference, public_key=phones[delegate.pk].public_key
        )
    return conference, delegates, phones


def count_the_open_poll(cycle: Cycle) -> Poll | None:
    """The demo's open poll (the Ministry flag) voted by every delegate who has not voted and
    counted by the board's chair, so that the year's whole set of documents can be made
    (`make docs-preview`). Illustrative, reproducible ballots; each delegate's phone is played
    here with a fresh device key, as in `load_conference`."""
    poll = Poll.objects.filter(conference__cycle=cycle, status=Poll.Status.OPEN).first()
    if poll is None:
        return None
    conference = poll.conference
    delegates = list(
        Delegate.objects.filter(conference=conference).select_related("user").order_by("pk")
    )
    chair = next(d for d in delegates if d.board == "chair").user
    rng = random.Random(20201116)  # noqa: S311 - reproducible illustrative ballots
    for delegate in delegates:
        if selectors.has_voted(poll, delegate):
            continue
        phone = devices.Phone()
        Delegate.objects.filter(pk=delegate.pk).update(device_key="")
        services.register_device_key(
            actor=delegate.user, conference=conference, public_key=phone.public_key
        )
        ballot = Ballot(choices=("lao-cai", "son-la", rng.choice(MINISTRY_THIRD)))
        signature = phone.sign(
            cycle.cluster.code, cycle.year, poll.code, delegate.user.username, ballot
        )
        services.cast(actor=delegate.user, poll=poll, ballot=ballot, signature=signature)
    Delegate.objects.filter(conference=conference).update(device_key="")
    return services.close_poll(actor=chair, poll=poll)
