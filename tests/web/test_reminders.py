"""`thidua remind`: due and overdue phases, in the app and by e-mail, once a day."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from thidua.org.models import Reminder, User

pytestmark = pytest.mark.django_db


def _remind(day: str) -> str:
    out = StringIO()
    call_command("remind", "--date", day, stdout=out)
    return out.getvalue()


def test_reminders_go_out_once_a_day_by_mail_to_those_with_an_address(get_user):
    User.objects.filter(username="laocai.thuky").update(email="thuky@laocai.example")
    # 2021 is being planned (due 28/02/2021); Hà Giang's 2020 conference was due 20/11/2020
    out = _remind("2021-02-25")
    assert "e-mails" in out
    mine = Reminder.objects.filter(user=get_user("laocai.thuky"), cycle__year=2021)
    assert mine.count() == 1
    reminder = mine.get()
    assert reminder.emailed
    assert reminder.due == date(2021, 2, 28)
    sent = [m for m in mail.outbox if m.to == ["thuky@laocai.example"]]
    assert len(sent) == 1
    assert sent[0].subject.startswith("Còn 3 ngày: Lập kế hoạch")
    assert "Soạn và ký giao ước thi đua 2021" in sent[0].body
    # people without an address get the in-app reminder only
    assert Reminder.objects.filter(emailed=False).exists()
    # again the same day: nothing new
    count, outbox = Reminder.objects.count(), len(mail.outbox)
    _remind("2021-02-25")
    assert Reminder.objects.count() == count
    assert len(mail.outbox) == outbox
    # the next day: once more (overdue items keep being reminded daily)
    _remind("2021-03-02")
    assert mine.count() == 2
    assert mail.outbox[-1].subject.startswith("Quá hạn 2 ngày: Lập kế hoạch")


def test_nothing_far_ahead_is_reminded():
    _remind("2021-01-10")  # 2021 planning due 28/02: more than a week away
    assert not Reminder.objects.filter(cycle__year=2021).exists()


def test_the_home_page_lists_ones_reminders(client_for):
    _remind("2021-02-25")
    page = client_for("laocai.thuky").get("/").content.decode()
    assert "Nhắc việc" in page
    assert "Soạn và ký giao ước thi đua 2021" in page
    other = client_for("hanoi.canbo").get("/").content.decode()
    # Hà Nội's reminders are its own (its Cụm I 2020 first-half report), not Lào Cai's
    assert "Soạn và ký giao ước thi đua 2021" not in other
