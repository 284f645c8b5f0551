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


DETAILS = "/clusters/cum-2/2020/conference/details/"


def test_the_details_are_edited_on_their_own_page_not_carried_by_the_conference_page(
    client_for, conference
):
    """The page reloaded all day carries a link, not the thirteen fields of the minutes'
    details; the details page shows them as recorded."""
    client = client_for(SECRETARY)
    page = client.get(PAGE).content.decode()
    assert f'href="{DETAILS}"' in page
    assert 'name="chair_name"' not in page
    assert 'name="conclusions"' not in page
    details = client.get(DETAILS)
    assert details.status_code == 200
    assert f'value="{conference.place}"' in details.content.decode()
    assert f'value="{conference.chair_name}"' in details.content.decode()


def test_refused_details_are_shown_again_as_typed_and_change_nothing(client_for, conference):
    before = (conference.place, conference.starts_at, conference.ends_at)
    page = client_for(SECRETARY).post(
        DETAILS,
        {
            "held_on": "2020-11-16",
            "place": "Hội trường tầng 3",
            "starts_at": "11:30",
            "ends_at": "08:00",
        },
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "Giờ bế mạc phải sau giờ khai mạc." in text
    assert 'value="Hội trường tầng 3"' in text  # what was typed is not lost
    conference.refresh_from_db()
    assert (conference.place, conference.starts_at, conference.ends_at) == before


def test_saved_details_go_back_to_the_conference_page(client_for, conference):
    response = client_for(SECRETARY).post(
        DETAILS, {"held_on": "2020-11-16", "place": "Hội trường tầng 3"}, follow=True
    )
    assert response.redirect_chain[-1][0] == PAGE
    assert "Đã lưu thông tin hội nghị." in response.content.decode()
    conference.refresh_from_db()
    assert conference.place == "Hội trường tầng 3"


def test_a_delegate_may_not_open_the_details_page(client_for, conference):
    assert client_for("hagiang.daibieu2").get(DETAILS).status_code == 403


def test_the_details_page_takes_only_get_and_post(client_for, conference):
    assert client_for(SECRETARY).put(DETAILS).status_code == 405
