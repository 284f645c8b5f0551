"""Delegates' phones in the tests: each delegate gets a device key the first time it casts
(as a browser registers one on its first conference page) and its ballots are signed."""

from __future__ import annotations

from thidua.core.ballots import Answer, Ballot
from thidua.voting import devices, services
from thidua.voting.models import Delegate, Poll

_PHONES: dict[tuple[int, str], devices.Phone] = {}


def phone_of(delegate: Delegate) -> devices.Phone:
    """The delegate's phone, its key registered with the delegate (the real service)."""
    delegate.refresh_from_db(fields=["device_key"])
    known = _PHONES.get((delegate.pk, delegate.device_key))
    if known is not None:
        return known
    phone = devices.Phone()
    # as `services.register_device_key` stores it, whatever the phase (a test's re-issue)
    Delegate.objects.filter(pk=delegate.pk).update(device_key=phone.public_key)
    _PHONES[(delegate.pk, phone.public_key)] = phone
    return phone


def signature(user, poll: Poll, ballot: Ballot) -> str:
    """The signature of `user`'s phone; empty for someone who is not a delegate there."""
    delegate = (
        Delegate.objects.select_related("user", "conference")
        .filter(conference=poll.conference, user=user)
        .first()
    )
    if delegate is None:
        return ""
    cycle = poll.conference.cycle
    return phone_of(delegate).sign(cycle.cluster.code, cycle.year, poll.code, user.username, ballot)


def cast(*, actor, poll: Poll, ballot: Ballot) -> str:
    """`services.cast` from the delegate's phone: the ballot signed by its device key."""
    return services.cast(
        actor=actor, poll=poll, ballot=ballot, signature=signature(actor, poll, ballot)
    )


def _poll(code: str, cluster: str, year: int) -> Poll:
    return Poll.objects.select_related("conference__cycle__cluster").get(
        conference__cycle__cluster__code=cluster, conference__cycle__year=year, code=code
    )


def _user(username):
    from thidua.org.models import User

    return User.objects.get(username=username)


def form(username: str, code: str, data: dict, cluster: str = "cum-2", year: int = 2020) -> dict:
    """The cast form a phone posts: `data` (choice / a_<unit> fields) and its signature."""
    answers = {key[2:]: value for key, value in data.items() if key.startswith("a_")}
    choice = data.get("choice", [])
    ballot = (
        Ballot(answers={unit: Answer(value) for unit, value in answers.items()})
        if answers
        else Ballot(choices=tuple([choice] if isinstance(choice, str) else choice))
    )
    return {**data, "signature": signature(_user(username), _poll(code, cluster, year), ballot)}


def api_ballot(
    username: str, code: str, data: dict, cluster: str = "cum-2", year: int = 2020
) -> dict:
    """An API ballot (`choices` or `answers`) with the phone's signature."""
    ballot = Ballot(
        choices=tuple(data.get("choices", ())),
        answers={unit: Answer(value) for unit, value in data.get("answers", {}).items()},
    )
    return {**data, "signature": signature(_user(username), _poll(code, cluster, year), ballot)}
