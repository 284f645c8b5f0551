"""The calendar feed of deadlines: a revocable secret address per person, text/calendar."""

import re

import pytest
from django.test import Client

from thidua.core.icalendar import unfold
from thidua.org.models import CalendarToken

pytestmark = pytest.mark.django_db


def _new_feed(client) -> str:
    page = client.post("/accounts/calendar/", {"action": "create"}).content.decode()
    return re.search(r"http://testserver(/calendar/[^<\s]+\.ics)", page).group(1)


def test_a_person_makes_a_feed_and_reads_it_without_signing_in(client_for, get_user):
    path = _new_feed(client_for("laocai.thuky"))
    token = CalendarToken.objects.get(user=get_user("laocai.thuky"))
    key = path.removeprefix("/calendar/").removesuffix(".ics")
    assert key not in token.key_hash  # only the hash is stored
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert "\n" not in body.replace("\r\n", "")
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR"
    # Cụm II 2020 and 2021, five phases and the mid-year review each, all with a deadline
    assert lines.count("BEGIN:VEVENT") == 12
    assert "DTSTART;VALUE=DATE:20200331" in lines  # 2020's agreement (set by Hà Giang)
    assert "DTSTART;VALUE=DATE:20210331" in lines  # 2021's, the rule set's default
    assert any(line.startswith("SUMMARY:Hạn Ký kết giao ước") for line in lines)


def test_a_wrong_or_revoked_key_is_not_found(client_for):
    client = client_for("laocai.thuky")
    path = _new_feed(client)
    assert Client().get("/calendar/not-a-key.ics").status_code == 404
    assert Client().get(path).status_code == 200
    client.post("/accounts/calendar/", {"action": "revoke"})
    assert Client().get(path).status_code == 404
    assert "Chưa bật." in client.get("/accounts/calendar/").content.decode()


def test_a_new_address_ends_the_old_one(client_for):
    client = client_for("sonla.canbo")
    first = _new_feed(client)
    second = _new_feed(client)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_each_key_shows_its_own_persons_cycles_only(client_for):
    hanoi = _new_feed(client_for("hanoi.canbo"))
    sonla = _new_feed(client_for("sonla.canbo"))
    hanoi_body, sonla_body = (
        Client().get(hanoi).content.decode(),
        Client().get(sonla).content.decode(),
    )
    assert "BEGIN:VEVENT" in hanoi_body  # Cụm I's deadlines
    assert "cum-2-2021-planning@" in "".join(unfold(sonla_body))
    assert "cum-2-2021-planning@" not in "".join(unfold(hanoi_body))
    # revoking one's own leaves the other person's feed working
    client_for("hanoi.canbo").post("/accounts/calendar/", {"action": "revoke"})
    assert Client().get(sonla).status_code == 200
    assert Client().get(hanoi).status_code == 404


def test_the_calendar_page_needs_a_sign_in():
    response = Client().get("/accounts/calendar/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]
