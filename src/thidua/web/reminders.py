"""Reminders of deadlines: once a day, each person whose tasks belong to a phase (or the
mid-year review) due within a week (or overdue) gets one reminder per phase, in the app and,
with an e-mail address, by e-mail (Django's mail API: the console unless SMTP is configured)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from thidua.core.deadlines import STEP_LABELS, needs_reminder
from thidua.core.messages import format_day
from thidua.org import selectors as org_selectors
from thidua.org import services as org_services
from thidua.web import tasks

#: Remind of a deadline this many days ahead (and every day once it has passed).
WITHIN_DAYS = 7


def _subject(deadline, cycle) -> str:
    phase = _(STEP_LABELS[deadline.phase])
    if deadline.overdue:
        return _("Quá hạn %(days)s ngày: %(phase)s – %(cycle)s %(year)s") % {
            "days": -deadline.days_left,
            "phase": phase,
            "cycle": cycle.title,
            "year": cycle.year,
        }
    return _("Còn %(days)s ngày: %(phase)s – %(cycle)s %(year)s") % {
        "days": deadline.days_left,
        "phase": phase,
        "cycle": cycle.title,
        "year": cycle.year,
    }


def send(today: date, within_days: int = WITHIN_DAYS) -> tuple[int, int]:
    """Send today's reminders not sent yet; returns (reminders recorded, e-mails sent)."""
    recorded = emailed = 0
    for user in org_selectors.users_to_remind():
        grouped = defaultdict(list)
        for task in tasks.for_user(user, today=today):
            if task.deadline is not None and needs_reminder(task.deadline, within_days):
                grouped[(task.cycle.pk, task.deadline.phase)].append(task)
        for items in grouped.values():
            cycle, deadline = items[0].cycle, items[0].deadline
            subject = _subject(deadline, cycle)
            lines = [f"- {task.text}" for task in items]
            text = "; ".join(task.text for task in items)
            reminder = org_services.record_reminder(
                user=user, cycle=cycle, phase=deadline.phase, day=today, due=deadline.due, text=text
            )
            if reminder is None:
                continue
            recorded += 1
            if user.email:
                body = "\n".join(
                    [
                        subject,
                        _("Thời hạn: %(day)s") % {"day": format_day(deadline.due)},
                        "",
                        *lines,
                    ]
                )
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                org_services.mark_emailed(reminder)
                emailed += 1
    return recorded, emailed
