"""A new poll's own fields are checked on the server, whoever sends them: its code is in the
address of every page that links to it, and its kind, purpose and mode are read by every
page after. A poll saved with a code no address can hold would take the conference page
down for everyone (a 500 for each delegate, the chair and the observer alike)."""

import pytest

from thidua.errors import DomainError
from thidua.voting import services
from thidua.voting.models import Conference, Poll

pytestmark = pytest.mark.django_db

NEW = "/clusters/cum-2/2020/conference/polls/new/"
API = "/api/cycles/cum-2/2020/polls"
CONFERENCE = "/clusters/cum-2/2020/conference/"


@pytest.mark.parametrize(
    "code", ["", "bình-xét", "Co-BCA", "co bo", "co_bo", "-co", "co-", "x" * 41]
)
def test_the_page_refuses_a_code_no_address_can_hold(client_for, code):
    secretary = client_for("hagiang.thuky")
    polls = Poll.objects.count()
    page = secretary.post(NEW, {"code": code, "title": "Bình xét", "seats": "1"}, follow=True)
    assert "Mã cuộc bỏ phiếu chỉ gồm chữ thường không dấu" in page.content.decode()
    assert Poll.objects.count() == polls
    for username in ("hagiang.thuky", "laocai.daibieu", "quansat"):
        assert client_for(username).get(CONFERENCE).status_code == 200


def test_the_api_refuses_a_bad_code(api_as):
    """(Its schema already refuses a kind, purpose or mode it does not list: 422.)"""
    api = api_as("hagiang.thuky")
    polls = Poll.objects.count()
    refused = api.post(API, {"code": "Có dấu", "title": "x"}, content_type="application/json")
    assert refused.status_code == 400
    assert "Mã cuộc bỏ phiếu chỉ gồm chữ thường không dấu" in refused.json()["detail"]
    assert Poll.objects.count() == polls
    assert api.get(API).status_code == 200


def _create(get_user, **fields) -> Poll:
    """A poll of Cụm II 2020's conference created by its secretary, `fields` over a plain
    vote of the members."""
    return services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=Conference.objects.get(cycle__cluster__code="cum-2", cycle__year=2020),
        **{"code": "moi", "title": "Bình xét", "purpose": "other", **fields},
    )


@pytest.mark.parametrize(
    ("fields", "fault"),
    [
        ({"kind": "bogus"}, "kind"),
        ({"purpose": "bogus"}, "purpose"),
        ({"mode": "bogus"}, "mode"),
        ({"title": " "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"seats": 8}, "seats"),  # the seven members
    ],
)
def test_the_service_names_the_field_at_fault(get_user, fields, fault):
    polls = Poll.objects.count()
    with pytest.raises(DomainError) as refusal:
        _create(get_user, **fields)
    assert [problem.field for problem in refusal.value.problems] == [fault]
    assert Poll.objects.count() == polls


def test_as_many_seats_as_candidates_is_taken(get_user):
    assert _create(get_user, seats=7).rules["seats"] == 7


def test_seats_not_a_whole_number_are_said_so(client_for):
    page = client_for("hagiang.thuky").post(
        NEW, {"code": "moi", "title": "x", "seats": "ba"}, follow=True
    )
    assert "Số suất phải là số nguyên." in page.content.decode()
    assert not Poll.objects.filter(code="moi").exists()


def test_a_quota_above_the_candidates_is_the_titles_and_is_taken(get_user, units):
    """Seats typed above the candidates are a slip; the title's own quota (the Ministry flag's
    three) stands when fewer units are candidates."""
    poll = _create(
        get_user,
        title="Cờ thi đua của Bộ Công an",
        purpose="title",
        title_code="co_bo_cong_an",
        candidates=[units["son-la"], units["lao-cai"]],
    )
    assert poll.rules["seats"] == 3


def _form_fields(html: str) -> dict:
    """The new-poll form's fields as the page shows them: each input's value, each select's
    chosen option, the ticked candidates (read as a browser would, not as text)."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.select, self.found = False, None, {"candidates": []}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("action", "").endswith("/conference/polls/new/")
            elif self.inside and tag == "input" and attrs.get("name") == "candidates":
                if "checked" in attrs:
                    self.found["candidates"].append(attrs["value"])
            elif (
                self.inside
                and tag == "input"
                and attrs.get("name") not in (None, "csrfmiddlewaretoken")
            ):
                self.found[attrs["name"]] = attrs.get("value", "")
            elif self.inside and tag == "select":
                self.select = attrs["name"]
                self.found.setdefault(self.select, None)
            elif self.inside and tag == "option" and "selected" in attrs:
                self.found[self.select] = attrs["value"]

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False

    form = Form()
    form.feed(html)
    return form.found


SENT = {
    "code": "Co Bo",  # refused: capitals and a space
    "title": "Bình xét Cờ thi đua của Bộ Công an",
    "purpose": "title",
    "title_code": "co_bo_cong_an",
    "seats": "2",
    "kind": "approval",
    "mode": "paper",
    "candidates": ["son-la", "lao-cai"],
    "keep_son-la": "Đã khắc phục theo kết luận thanh tra",
}


@pytest.mark.parametrize(
    "changes", [{}, {"seats": "hai"}], ids=["a field the service refuses", "seats not a number"]
)
def test_a_refused_poll_form_comes_back_as_it_was_typed(client_for, changes):
    """On conference day the secretary types a whole poll; a refusal shows the reason above
    the form with every field still as sent, not an empty form to type again."""
    sent = {**SENT, **changes}
    polls = Poll.objects.count()
    page = client_for("hagiang.thuky").post(NEW, sent)
    assert page.status_code == 400
    assert Poll.objects.count() == polls
    html = page.content.decode()
    reason = "Số suất phải là số nguyên." if changes else "Mã cuộc bỏ phiếu chỉ gồm chữ thường"
    assert reason in html
    shown = _form_fields(html)
    assert sorted(shown.pop("candidates")) == sorted(sent["candidates"])
    assert shown.pop("keep_son-la") == sent["keep_son-la"]
    assert all(value == "" for name, value in shown.items() if name.startswith("keep_"))
    assert {name: value for name, value in shown.items() if not name.startswith("keep_")} == {
        name: sent[name]
        for name in ("code", "title", "purpose", "title_code", "seats", "kind", "mode")
    }


def test_the_form_first_shows_empty(client_for):
    shown = _form_fields(client_for("hagiang.thuky").get(CONFERENCE).content.decode())
    assert shown.pop("candidates") == []
    assert set(shown.values()) == {"", None}  # nothing typed, no option chosen (the first shows)


def test_a_poll_created_goes_back_to_the_conference_page(client_for):
    done = client_for("hagiang.thuky").post(NEW, {**SENT, "code": "co-bo-moi"})
    assert done.status_code == 302
    assert done["Location"] == CONFERENCE
    assert Poll.objects.filter(code="co-bo-moi").exists()
