"""The deadline beside each step, as people read it: days in Vietnamese figures."""

from datetime import date

from django.utils import translation

from thidua.core.deadlines import Deadline, Standing
from thidua.core.phases import Phase
from thidua.web.templatetags.thidua import deadline_note


def _note(standing: Standing, days_left: int) -> str:
    deadline = Deadline(Phase.SCORING, date(2020, 10, 26), standing, days_left)
    with translation.override("vi"):
        return deadline_note(deadline)


def test_days_are_written_as_vietnamese_write_them():
    assert _note(Standing.OVERDUE, -2209) == "quá hạn 2.209 ngày"
    assert _note(Standing.OVERDUE, -3) == "quá hạn 3 ngày"
    assert _note(Standing.DUE, 1500) == "còn 1.500 ngày"
    assert _note(Standing.DUE, 0) == "hết hạn hôm nay"
