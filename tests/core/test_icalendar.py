"""The iCalendar writer: escaping, folding at 75 octets (UTF-8 safe), CRLF."""

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.icalendar import CRLF, Event, calendar, escape, fold, unfold


def test_text_is_escaped():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape("x\r\ny") == "x\\ny"


def test_a_short_line_is_left_alone():
    assert fold("SUMMARY:ngắn") == "SUMMARY:ngắn"


def test_long_vietnamese_lines_fold_without_splitting_a_character():
    line = "SUMMARY:" + "Hội nghị tổng kết phong trào thi đua Vì an ninh Tổ quốc " * 4
    folded = fold(line)
    parts = folded.split(CRLF)
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert unfold(folded + CRLF) == [line]


@given(st.text(min_size=0, max_size=400))
def test_folding_keeps_the_text_and_the_limit(text):
    line = "DESCRIPTION:" + escape(text)
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split(CRLF))
    assert unfold(folded + CRLF) == [line]


def test_a_calendar_has_one_all_day_event_per_deadline():
    text = calendar(
        [
            Event("a@thidua", date(2021, 3, 31), "Ký kết giao ước, Cụm II", "dòng 1\ndòng 2"),
            Event("b@thidua", date(2021, 12, 31), "Hội nghị", url="https://x/y"),
        ],
        name="Thời hạn",
        stamp=datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC),
        prodid="-//thidua//VI",
    )
    assert text.endswith(CRLF)
    assert "\n" not in text.replace(CRLF, "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2
    assert "DTSTART;VALUE=DATE:20210331" in lines
    assert "DTEND;VALUE=DATE:20210401" in lines
    assert "DTEND;VALUE=DATE:20220101" in lines
    assert "SUMMARY:Ký kết giao ước\\, Cụm II" in lines
    assert "DESCRIPTION:dòng 1\\ndòng 2" in lines
    assert "DTSTAMP:20210102T030405Z" in lines
