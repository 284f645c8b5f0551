"""What the merger tests share: the test cluster's merger page, an account with the demo's
password, and the lineage event that forms a unit."""

from thidua.org.demo import DEMO_PASSWORD
from thidua.org.models import LineageEvent, LineageLink, User

MERGER_URL = "/clusters/cum-thu/2025/merger/"


def account(username, kind, unit) -> User:
    user = User(username=username, kind=kind, unit=unit, last_name="Thử", first_name=username)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def event_forming(target_code) -> LineageEvent:
    return LineageEvent.objects.get(
        links__unit__code=target_code, links__role=LineageLink.Role.TARGET
    )
