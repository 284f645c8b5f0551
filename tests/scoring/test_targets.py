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


def test_the_form_names_every_bad_cell_and_keeps_what_was_typed(drafting_2021, client_for):
    response = client_for("laocai.thuky").post(
        URL, {"t_cao-bang_II.1": "1.234,5", "t_son-la_II.2": "abc", "t_ha-giang_II.1": "80"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cao Bằng – II.1: chỉ tiêu là tỷ lệ nên phải từ 0 đến 100% (đã nhập 1.234,5)." in page
    assert "Sơn La – II.2: " in page
    # what was typed stays in the form, the good cell as well as the bad ones
    assert 'name="t_cao-bang_II.1" value="1.234,5"' in page
    assert 'name="t_son-la_II.2" value="abc"' in page
    assert 'name="t_ha-giang_II.1" value="80"' in page
    assert page.count('aria-invalid="true"') == 2
    # all or nothing: the good cell was not saved either
    assert _stored(drafting_2021)[("cao-bang", "II.1")] == 75
    assert _stored(drafting_2021).get(("ha-giang", "II.1")) != 80


def test_a_sheet_says_why_an_automatic_criterion_has_no_points(
    scoring_2021_with_reports, client_for
):
    """Lai Châu's report is only a draft: its automatic criteria say so instead of a bare 0."""
    client = client_for("hagiang.canbo")
    draft = client.get("/clusters/cum-2/2021/scoring/ha-giang/lai-chau/").content.decode()
    assert "Chưa có báo cáo số liệu đã nộp của Lai Châu: tạm tính 0 điểm." in draft
    submitted = client.get("/clusters/cum-2/2021/scoring/ha-giang/son-la/").content.decode()
    assert "Chưa có báo cáo số liệu đã nộp" not in submitted
    assert "A = " in submitted
