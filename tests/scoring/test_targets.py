"""Targets ("Chỉ tiêu giao") fit their indicator; the form refuses all or nothing, names every
bad cell and keeps what was typed."""

from decimal import Decimal

import pytest

from thidua.errors import DomainError
from thidua.scoring import selectors, services
from thidua.scoring.models import Agreement

pytestmark = pytest.mark.django_db

URL = "/clusters/cum-2/2021/agreement/targets/"


@pytest.fixture
def drafting_2021(cycle, get_user):
    """Cụm II 2021 in planning, with last year's table and targets copied."""
    current = cycle("cum-2", 2021)
    services.copy_agreement(
        actor=get_user("laocai.thuky"), cycle=current, source=cycle("cum-2", 2020)
    )
    return current


def _stored(cycle):
    return selectors.targets_of(Agreement.objects.get(cycle=cycle))


def test_a_rate_target_above_100_is_refused(drafting_2021, get_user):
    with pytest.raises(DomainError) as error:
        services.set_targets(
            actor=get_user("laocai.thuky"),
            cycle=drafting_2021,
            targets={("cao-bang", "II.1"): Decimal("1234.5"), ("son-la", "II.2"): Decimal(-5)},
        )
    assert [problem.render() for problem in error.value.problems] == [
        "Cao Bằng – II.1: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100% (đã nhập 1.234,5).",
        "Sơn La – II.2: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100% (đã nhập -5).",
    ]
    assert _stored(drafting_2021)[("cao-bang", "II.1")] == 75


def test_the_form_refuses_an_out_of_range_target(drafting_2021, client_for):
    client = client_for("laocai.thuky")
    response = client.post(URL, {"t_cao-bang_II.1": "1.234,5"}, follow=True)
    assert "Cao Bằng – II.1: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100% (đã nhập 1.234,5)." in (
        response.content.decode()
    )
    assert _stored(drafting_2021)[("cao-bang", "II.1")] == 75
