"""A lineage event cannot rewrite the history of the years in which its units are used."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from thidua.errors import DomainError
from thidua.org import selectors, services
from thidua.org.models import Cycle, LineageEvent, LineageLink, Unit

pytestmark = pytest.mark.django_db

CUM_II_2021 = "Cụm thi đua số II – Bộ Công an – 2021"


def validity(*codes):
    return {
        unit.code: (unit.valid_from, unit.valid_to) for unit in Unit.objects.filter(code__in=codes)
    }


def codes(error):
    return [problem.code for problem in error.value.problems]


def test_where_units_are_used(units):
    in_use = selectors.units_in_use(["son-la", "ha-giang", "lao-cai", "ha-noi", "hue"])
    assert {2020, 2021} <= set(in_use["son-la"])
    assert "Cụm thi đua số II – Bộ Công an – 2020" in in_use["ha-giang"][2020]
    assert CUM_II_2021 in in_use["lao-cai"][2021]
    assert 2021 in in_use["ha-noi"] or 2020 in in_use["ha-noi"]
    assert "hue" not in in_use


def test_where_units_are_used_takes_a_constant_number_of_queries():
    with CaptureQueriesContext(connection) as few:
        selectors.units_in_use(["son-la", "lai-chau"])
    with CaptureQueriesContext(connection) as many:
        selectors.units_in_use(["son-la", "lai-chau", "ha-giang", "lao-cai", "cao-bang", "ha-noi"])
    assert len(few) == len(many)


def test_an_existing_member_cannot_become_the_target_of_a_merger(get_user, units):
    before = (LineageEvent.objects.count(), LineageLink.objects.count())
    with pytest.raises(DomainError) as error:
        services.record_lineage_event(
            actor=get_user("admin"),
            kind="merge",
            effective_date=date(2022, 1, 1),
            sources=[units["lai-chau"], units["dien-bien"]],
            targets=[units["son-la"]],
        )
    assert codes(error) == ["target_in_use"]
    message = error.value.messages()[0]
    # 2019: its baseline statistics; 2020, 2021: Cụm II.
    assert message.startswith("Công an tỉnh Sơn La đã được dùng trong năm 2019, 2020, 2021 (")
    assert CUM_II_2021 in message
    assert "01/01/2022" in message
    with translation.override("en"):
        assert "Công an tỉnh Sơn La" in error.value.messages()[0]
    assert (LineageEvent.objects.count(), LineageLink.objects.count()) == before
    assert validity("son-la", "lai-chau", "dien-bien") == {
        "son-la": (None, None),
        "lai-chau": (None, None),
        "dien-bien": (None, None),
    }


def test_a_source_used_by_a_later_cycle_cannot_end(get_user, units):
    new = Unit.objects.create(code="tay-bac", name="Công an khu Tây Bắc", short_name="Tây Bắc")
    with pytest.raises(DomainError) as error:
        services.record_lineage_event(
            actor=get_user("admin"),
            kind="merge",
            effective_date=date(2021, 1, 1),
            sources=[units["son-la"], units["lai-chau"]],
            targets=[new],
        )
    assert codes(error) == ["source_in_use", "source_in_use"]
    messages = error.value.messages()
    assert messages[0].startswith("Công an tỉnh Sơn La đang được dùng trong năm 2021 (")
    assert CUM_II_2021 in messages[0]
    assert "31/12/2020" in messages[0]
    assert "Công an tỉnh Lai Châu" in messages[1]
    assert validity("son-la", "lai-chau", "tay-bac") == {
        "son-la": (None, None),
        "lai-chau": (None, None),
        "tay-bac": (None, None),
    }
    # Cụm II 2021 can still be edited: its members still exist in 2021.
    cycle_2021 = Cycle.objects.get(cluster__code="cum-2", year=2021)
    services.update_cycle(
        actor=get_user("admin"),
        cycle=cycle_2021,
        members=list(cycle_2021.members.all()),
        leader=cycle_2021.leader,
        deputy=cycle_2021.deputy,
        note="Không đổi",
    )


def test_a_source_may_end_during_a_year_it_is_used_in(get_user, units):
    """A unit that existed in part of a year may be that year's member."""
    new = Unit.objects.create(code="tay-bac", name="Công an khu Tây Bắc", short_name="Tây Bắc")
    services.record_lineage_event(
        actor=get_user("admin"),
        kind="merge",
        effective_date=date(2021, 7, 1),
        sources=[units["son-la"], units["lai-chau"]],
        targets=[new],
    )
    assert validity("son-la", "tay-bac") == {
        "son-la": (None, date(2021, 6, 30)),
        "tay-bac": (date(2021, 7, 1), None),
    }


def test_recording_an_event_takes_a_constant_number_of_queries(get_user):
    def record(size: int, year: int) -> int:
        sources = [
            Unit.objects.create(code=f"q{year}-{n}", name=f"Đơn vị {n}", short_name=f"Q{n}")
            for n in range(size)
        ]
        target = Unit.objects.create(code=f"q{year}-new", name="Đơn vị mới", short_name="QM")
        with CaptureQueriesContext(connection) as queries:
            services.record_lineage_event(
                actor=get_user("admin"),
                kind="merge",
                effective_date=date(year, 1, 1),
                sources=sources,
                targets=[target],
            )
        return len(queries)

    assert record(2, 2030) == record(6, 2031)
