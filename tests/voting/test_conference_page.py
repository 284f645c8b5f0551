"""The conference page the secretary and the phones reload while the hall casts (issue 18): as
many SQL queries for a hall of 40 more delegates, and the secretary's list of delegates read
as the columns it shows, the same as the delegates themselves say."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.org.models import User, UserKind
from thidua.voting import selectors, services
from thidua.voting.models import Delegate

pytestmark = pytest.mark.django_db

PAGE = "/clusters/cum-2/2020/conference/"
SECRETARY = "hagiang.thuky"


def _more_delegates(conference, count: int) -> None:
    """`count` delegates of Hà Giang's, every other one checked in, one on the board."""
    secretary = User.objects.get(username=SECRETARY)
    for number in range(count):
        user = User.objects.create(
            username=f"hall{number}",
            kind=UserKind.DELEGATE,
            unit_id=secretary.unit_id,
            last_name="Nguyễn Văn",
            first_name=f"Số {number}",
        )
        delegate = services.add_delegate(actor=secretary, conference=conference, user=user)
        if number == 0:  # named before the box opened: the demo's poll is open now
            Delegate.objects.filter(pk=delegate.pk).update(board="member")
        if number % 2:
            services.check_in(actor=secretary, delegate=delegate)


def _queries(client) -> int:
    client.get(PAGE)  # what a first request caches (sessions, content types) is not the page's
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("username", [SECRETARY, "hagiang.daibieu2"])
def test_the_conference_page_reads_as_much_for_more_delegates(client_for, conference, username):
    client = client_for(username)
    before = _queries(client)
    _more_delegates(conference, 40)
    assert _queries(client) == before


def test_the_secretarys_list_shows_what_the_delegates_say(client_for, conference):
    _more_delegates(conference, 6)
    rows = selectors.delegate_rows(conference)
    delegates = selectors.delegates_of(conference)
    assert [
        (row.pk, row.user_id, row.name, row.unit_name, str(row.board_label), row.checked_in_at)
        for row in rows
    ] == [
        (
            d.pk,
            d.user_id,
            d.user.display_name,
            d.unit.short_name,
            d.get_board_display(),
            d.checked_in_at,
        )
        for d in delegates
    ]
    page = client_for(SECRETARY).get(PAGE).content.decode()
    assert "<strong>Nguyễn Văn Số 3</strong>" in page
    assert "Thành viên ban kiểm phiếu" in page
    reissue = page.count("Cấp lại mã QR")
    assert reissue == sum(1 for d in delegates if d.checked_in_at)
    assert page.count("Điểm danh, cấp mã QR") == len(delegates) - reissue
