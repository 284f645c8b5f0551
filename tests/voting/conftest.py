import pytest

from thidua.voting.models import Conference, Poll


@pytest.fixture
def conference(cycle):
    return Conference.objects.get(cycle=cycle("cum-2", 2020))


@pytest.fixture
def open_poll(conference):
    """The Ministry-flag poll the demo leaves open (3 seats, among the six units other than
    Hà Giang, the Government-flag nominee)."""
    return Poll.objects.get(conference=conference, code="co-bo-cong-an")


@pytest.fixture
def gov_poll(conference):
    """The Government-flag poll, counted first: Hà Giang, who leads the 2020 ranking."""
    return Poll.objects.get(conference=conference, code="co-chinh-phu")
