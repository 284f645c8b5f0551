import pytest

from thidua.voting.models import Conference, Poll


@pytest.fixture
def conference(cycle):
    return Conference.objects.get(cycle=cycle("cum-2", 2020))


@pytest.fixture
def gov_poll(conference):
    """The Government-flag poll the demo leaves open."""
    return Poll.objects.get(conference=conference, code="co-chinh-phu")
