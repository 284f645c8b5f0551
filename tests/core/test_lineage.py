"""Lineage: who stands for whom across merges, splits and renames."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.core.lineage import EventKind, Lineage, LineageEvent, UnitSpan, check_usage

MERGER = date(2025, 7, 1)


def merger_2025() -> Lineage:
    """Hà Giang + Tuyên Quang → Tuyên Quang (new); Yên Bái + Lào Cai → Lào Cai (new)."""
    lineage = Lineage(
        [
            UnitSpan("ha-giang", "Hà Giang"),
            UnitSpan("tuyen-quang", "Tuyên Quang"),
            UnitSpan("yen-bai", "Yên Bái"),
            UnitSpan("lao-cai", "Lào Cai"),
            UnitSpan("son-la", "Sơn La"),
            UnitSpan("tuyen-quang-2025", "Tuyên Quang (mới)"),
            UnitSpan("lao-cai-2025", "Lào Cai (mới)"),
        ],
        [],
    )
    for sources, target in [
        (("ha-giang", "tuyen-quang"), "tuyen-quang-2025"),
        (("yen-bai", "lao-cai"), "lao-cai-2025"),
    ]:
        event = LineageEvent(EventKind.MERGE, MERGER, sources, (target,))
        assert lineage.check_event(event) == []
        lineage = lineage.with_event(event)
    return lineage


def test_applying_a_merge_ends_sources_the_day_before_and_starts_the_target():
    lineage = merger_2025()
    assert lineage.units["ha-giang"].end == date(2025, 6, 30)
    assert lineage.units["tuyen-quang-2025"].start == MERGER
    assert lineage.units["son-la"].end is None


def test_a_merged_unit_stands_for_its_predecessors_before_the_merger():
    lineage = merger_2025()
    assert lineage.stands_for("tuyen-quang-2025", 2020).units == {"ha-giang", "tuyen-quang"}
    assert lineage.stands_for("lao-cai-2025", 2024).units == {"yen-bai", "lao-cai"}
    assert not lineage.stands_for("lao-cai-2025", 2024).partial


def test_a_period_belongs_to_the_units_existing_on_its_last_day():
    lineage = merger_2025()
    assert lineage.stands_for("tuyen-quang-2025", 2025).units == {"tuyen-quang-2025"}
    assert lineage.stands_for("tuyen-quang-2025", 2026).units == {"tuyen-quang-2025"}
    first_half = lineage.ancestors_on("tuyen-quang-2025", date(2025, 6, 30))
    assert first_half.units == {"ha-giang", "tuyen-quang"}


def test_predecessors_before_a_date():
    lineage = merger_2025()
    assert lineage.predecessors_before("lao-cai-2025", MERGER).units == {"yen-bai", "lao-cai"}
    assert lineage.predecessors_before("lao-cai-2025", MERGER + timedelta(days=1)).units == {
        "lao-cai-2025"
    }


def test_unchanged_and_ended_units():
    lineage = merger_2025()
    assert lineage.stands_for("son-la", 2020).units == {"son-la"}
    assert lineage.stands_for("son-la", 2026).units == {"son-la"}
    # Hà Giang does not stand for anything after it ended; its successor carries it on.
    assert lineage.stands_for("ha-giang", 2026).units == frozenset()
    forward = lineage.successors_on("ha-giang", date(2026, 1, 1))
    assert forward.units == {"tuyen-quang-2025"}
    assert forward.partial  # the successor covers Tuyên Quang's old territory too


def test_related_units_share_territory():
    lineage = merger_2025()
    assert lineage.related("ha-giang", "tuyen-quang-2025")
    assert lineage.related("tuyen-quang-2025", "ha-giang")
    assert not lineage.related("ha-giang", "tuyen-quang")
    assert not lineage.related("ha-giang", "lao-cai-2025")


def test_split_is_partial_looking_back():
    lineage = Lineage([UnitSpan("a", "A"), UnitSpan("b", "B"), UnitSpan("c", "C")], [])
    event = LineageEvent(EventKind.SPLIT, date(2004, 1, 1), ("a",), ("b", "c"))
    assert lineage.check_event(event) == []
    lineage = lineage.with_event(event)
    back = lineage.stands_for("b", 2003)
    assert back.units == {"a"}
    assert back.partial
    assert lineage.successors_on("a", date(2005, 1, 1)).units == {"b", "c"}
    assert not lineage.successors_on("a", date(2005, 1, 1)).partial


def test_chained_events_are_followed():
    lineage = Lineage([UnitSpan(code, code.upper()) for code in "abcde"], [])
    for event in [
        LineageEvent(EventKind.RENAME, date(2010, 1, 1), ("a",), ("c",)),
        LineageEvent(EventKind.MERGE, date(2020, 1, 1), ("b", "c"), ("d",)),
        LineageEvent(EventKind.RENAME, date(2022, 1, 1), ("d",), ("e",)),
    ]:
        assert lineage.check_event(event) == []
        lineage = lineage.with_event(event)
    assert lineage.stands_for("e", 2005).units == {"a", "b"}
    assert lineage.stands_for("e", 2015).units == {"b", "c"}
    assert lineage.stands_for("e", 2021).units == {"d"}
    assert lineage.all_ancestors("e") == {"a", "b", "c", "d"}


def codes(problems):
    return [problem.code for problem in problems]


def test_overlapping_events_are_refused():
    lineage = merger_2025()
    again = LineageEvent(
        EventKind.MERGE, date(2025, 8, 1), ("ha-giang", "son-la"), ("lao-cai-2025",)
    )
    problems = lineage.check_event(again)
    assert "source_already_ended" in codes(problems)
    assert "target_already_created" in codes(problems)
    message = next(p for p in problems if p.code == "source_already_ended").render()
    assert "Hà Giang" in message
    assert "01/07/2025" in message


def test_a_source_must_exist_on_the_day_before():
    lineage = merger_2025()
    too_late = LineageEvent(EventKind.RENAME, date(2025, 9, 1), ("yen-bai",), ("son-la",))
    assert "source_already_ended" in codes(lineage.check_event(too_late))
    fresh = Lineage([UnitSpan("x", "X", start=date(2020, 1, 1)), UnitSpan("y", "Y")], [])
    early = LineageEvent(EventKind.RENAME, date(2019, 6, 1), ("x",), ("y",))
    assert codes(fresh.check_event(early)) == ["source_not_valid"]


def test_dates_must_match_recorded_validity():
    lineage = Lineage(
        [
            UnitSpan("x", "X", end=date(2024, 12, 31)),
            UnitSpan("y", "Y", start=date(2025, 2, 1)),
        ],
        [],
    )
    event = LineageEvent(EventKind.RENAME, date(2024, 6, 1), ("x",), ("y",))
    assert codes(lineage.check_event(event)) == ["source_end_mismatch", "target_start_mismatch"]


def test_shape_of_each_kind():
    lineage = merger_2025()
    day = date(2030, 1, 1)
    assert "bad_shape" in codes(
        lineage.check_event(LineageEvent(EventKind.MERGE, day, ("son-la",), ("lao-cai-2025",)))
    )
    assert "bad_shape" in codes(
        lineage.check_event(LineageEvent(EventKind.SPLIT, day, ("son-la",), ("lao-cai-2025",)))
    )
    assert "bad_shape" in codes(
        lineage.check_event(LineageEvent(EventKind.RENAME, day, ("son-la", "x"), ("y",)))
    )
    assert "source_is_target" in codes(
        lineage.check_event(LineageEvent(EventKind.RENAME, day, ("son-la",), ("son-la",)))
    )
    assert "repeated_unit" in codes(
        lineage.check_event(
            LineageEvent(EventKind.MERGE, day, ("son-la", "son-la"), ("lao-cai-2025",))
        )
    )
    assert "unknown_unit" in codes(
        lineage.check_event(LineageEvent(EventKind.RENAME, day, ("nowhere",), ("son-la",)))
    )


def border_units() -> Lineage:
    return Lineage(
        [
            UnitSpan("son-la", "Sơn La"),
            UnitSpan("lai-chau", "Lai Châu"),
            UnitSpan("dien-bien", "Điện Biên"),
            UnitSpan("tay-bac", "Tây Bắc"),
        ],
        [],
    )


def test_an_existing_unit_used_in_earlier_years_cannot_become_a_new_target():
    lineage = border_units()
    event = LineageEvent(EventKind.MERGE, date(2022, 1, 1), ("lai-chau", "dien-bien"), ("son-la",))
    in_use = {"son-la": {2020: {"Cụm II – 2020"}, 2021: {"Cụm II – 2021"}, 2022: set()}}
    problems = lineage.check_event(event, in_use)
    assert codes(problems) == ["target_in_use"]
    assert problems[0].field == "targets"
    assert problems[0].render() == (
        "Sơn La đã được dùng trong năm 2020, 2021 (Cụm II – 2020; Cụm II – 2021) nên không "
        "thể là đơn vị mới hình thành ngày 01/01/2022: sự kiện sẽ xoá đơn vị khỏi những năm đó."
    )
    # The same check as a plain function, with a plain set of years.
    assert codes(check_usage(event, {"son-la": {2021}}, {"son-la": "Sơn La"})) == ["target_in_use"]
    assert "Sơn La đã được dùng trong năm 2021 nên" in (
        check_usage(event, {"son-la": {2021}}, {"son-la": "Sơn La"})[0].render()
    )


def test_a_target_formed_during_a_year_may_be_used_in_that_year():
    lineage = border_units()
    mid_year = LineageEvent(
        EventKind.MERGE, date(2021, 7, 1), ("lai-chau", "dien-bien"), ("tay-bac",)
    )
    assert lineage.check_event(mid_year, {"tay-bac": {2021, 2022}}) == []
    new_year = LineageEvent(
        EventKind.MERGE, date(2022, 1, 1), ("lai-chau", "dien-bien"), ("tay-bac",)
    )
    assert lineage.check_event(new_year, {"tay-bac": {2022}}) == []
    assert codes(lineage.check_event(new_year, {"tay-bac": {2021}})) == ["target_in_use"]


def test_a_source_cannot_end_before_a_year_it_is_used_in():
    lineage = border_units()
    event = LineageEvent(EventKind.MERGE, date(2021, 1, 1), ("son-la", "lai-chau"), ("tay-bac",))
    in_use = {
        "son-la": {2020: {"Cụm II – 2020"}, 2021: {"Cụm II – 2021"}},
        "lai-chau": {2021: {"Cụm II – 2021"}},
    }
    problems = lineage.check_event(event, in_use)
    assert codes(problems) == ["source_in_use", "source_in_use"]
    assert problems[0].render() == (
        "Sơn La đang được dùng trong năm 2021 (Cụm II – 2021) nên không thể kết thúc ngày "
        "31/12/2020: đơn vị phải còn tồn tại trong những năm đó."
    )
    assert "Lai Châu" in problems[1].render()
    # A unit that existed in part of a year may still be that year's member.
    mid_year = LineageEvent(EventKind.MERGE, date(2021, 7, 1), ("son-la", "lai-chau"), ("tay-bac",))
    assert lineage.check_event(mid_year, in_use) == []
    new_year_day = LineageEvent(
        EventKind.MERGE, date(2022, 1, 1), ("son-la", "lai-chau"), ("tay-bac",)
    )
    assert lineage.check_event(new_year_day, in_use) == []
    assert codes(lineage.check_event(new_year_day, {"son-la": {2022}})) == ["source_in_use"]


# --- properties ---------------------------------------------------------------------------


@st.composite
def histories(draw):
    """A random history: units merge, split and rename at increasing dates."""
    count = draw(st.integers(min_value=2, max_value=6))
    alive = [f"u{index}" for index in range(count)]
    lineage = Lineage([UnitSpan(code, code) for code in alive], [])
    day = date(2000, 1, 1)
    serial = count
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        day += timedelta(days=draw(st.integers(min_value=1, max_value=900)))
        kind = draw(st.sampled_from(list(EventKind)))
        if kind == EventKind.MERGE and len(alive) < 2:
            kind = EventKind.RENAME
        if kind == EventKind.MERGE:
            sources = draw(st.lists(st.sampled_from(alive), min_size=2, max_size=3, unique=True))
            targets_count = 1
        else:
            sources = [draw(st.sampled_from(alive))]
            targets_count = 1 if kind == EventKind.RENAME else draw(st.integers(2, 3))
        targets = [f"u{serial + index}" for index in range(targets_count)]
        serial += targets_count
        units = [*lineage.units.values(), *(UnitSpan(code, code) for code in targets)]
        lineage = Lineage(units, lineage.events)
        event = LineageEvent(kind, day, tuple(sources), tuple(targets))
        assert lineage.check_event(event) == [], "a well-formed history must be accepted"
        lineage = lineage.with_event(event)
        alive = [code for code in alive if code not in sources] + targets
    return lineage, day


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(min_value=-200, max_value=6000))
def test_ancestors_are_valid_on_the_day_and_lead_to_the_unit(history, offset):
    lineage, last_day = history
    day = date(2000, 1, 1) + timedelta(days=offset)
    for code in lineage.units:
        ancestry = lineage.ancestors_on(code, day)
        for ancestor in ancestry.units:
            assert lineage.units[ancestor].valid_on(day)
            assert ancestor == code or ancestor in lineage.all_ancestors(code)
            # Looking forward from an ancestor finds the unit again.
            if lineage.units[code].valid_on(last_day) and lineage.units[code].start:
                assert code in lineage.successors_on(ancestor, lineage.units[code].start).units


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(min_value=0, max_value=6000))
def test_units_valid_on_a_day_have_disjoint_ancestries_without_splits(history, offset):
    lineage, _ = history
    if any(event.kind == EventKind.SPLIT for event in lineage.events):
        return
    day = date(2000, 1, 1) + timedelta(days=offset)
    later = max((span.start for span in lineage.units.values() if span.start), default=day)
    alive_later = [code for code, span in lineage.units.items() if span.valid_on(later)]
    seen: set[str] = set()
    for code in alive_later:
        units = lineage.ancestors_on(code, day).units
        assert not (units & seen)
        seen |= units


@settings(max_examples=100, deadline=None)
@given(histories())
def test_every_recorded_event_is_refused_a_second_time(history):
    lineage, _ = history
    for event in lineage.events:
        assert lineage.check_event(event) != []
