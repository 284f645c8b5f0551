"""Lists of units read in Vietnamese alphabetical order (Đ after D), on every database."""

import pytest

pytestmark = pytest.mark.django_db


def _positions(page: str, names: list[str]) -> list[int]:
    return [page.index(name) for name in names]


def test_the_agreement_lists_approving_units_in_vietnamese_order(client_for):
    page = client_for("quansat").get("/clusters/cum-2/2020/agreement/").content.decode()
    line = page.split("Đơn vị thông qua")[1].split("</p>")[0]
    order = _positions(line, ["Cao Bằng", "Điện Biên", "Hà Giang", "Lạng Sơn", "Sơn La"])
    assert order == sorted(order)


def test_delegates_are_listed_by_unit_in_vietnamese_order(cycle):
    from thidua.voting import selectors
    from thidua.voting.models import Conference

    conference = Conference.objects.get(cycle=cycle("cum-2", 2020))
    units = [delegate.unit.short_name for delegate in selectors.delegates_of(conference)]
    assert units[:3] == ["Cao Bằng"] * 3
    seen = list(dict.fromkeys(units))
    assert seen == [
        "Cao Bằng",
        "Điện Biên",
        "Hà Giang",
        "Lai Châu",
        "Lạng Sơn",
        "Lào Cai",
        "Sơn La",
    ]


def test_the_delegate_picker_lists_accounts_by_unit_in_vietnamese_order(client_for):
    from thidua.core.text import collation_key

    page = client_for("hagiang.thuky").get("/clusters/cum-2/2020/conference/")
    units = list(dict.fromkeys(user.unit.short_name for user in page.context["addable"]))
    assert "Điện Biên" in units
    assert units == sorted(units, key=collation_key)
