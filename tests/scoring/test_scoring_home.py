"""The scoring page: one line per scorer unit (its sheets in, and which are not), and one
unit's sheets on demand with the leader secretary's forms, so the page stays short at 50
units (2.500 sheets)."""

import re
from decimal import Decimal

import pytest

from tests.scoring.clusters import given_sheets, in_scoring
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle, User, UserKind
from thidua.scoring import services
from thidua.scoring.models import ScoreSheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster():
    """4 units; T1 has given every sheet, T2 a draft for T3 and nothing else, the rest none."""
    cycle, units = in_scoring("h", 4, 2)
    given = [(units[1], target, ScoreSheet.Status.SUBMITTED) for target in units]
    given.append((units[2], units[3], ScoreSheet.Status.DRAFT))
    given_sheets(cycle, given)
    people = {
        "leader": User.objects.create(username="h.thuky", kind=UserKind.SECRETARY, unit=units[0]),
        "officer": User.objects.create(username="h.canbo", kind=UserKind.OFFICER, unit=units[2]),
    }
    return f"/clusters/{cycle.cluster.code}/2021/scoring/", units, people


def _rows(page: str) -> dict[str, list[str]]:
    """The overview's lines: scorer's short name → its cells as text."""
    table = page.split("Tiến độ nộp phiếu", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:  # after the head
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td>")][:-1]
        rows[cells[0]] = cells
    return rows


def test_the_overview_gives_each_scorer_its_count_and_what_is_missing(client, cluster):
    url, _units, people = cluster
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert "Tiến độ nộp phiếu: 4/16" in page
    rows = _rows(page)
    assert list(rows) == ["T0", "T1", "T2", "T3"]
    assert rows["T1"][1:3] == ["4/4", "—"]
    assert rows["T2"][1:3] == ["0/4", "T0; T1; tự chấm; T3 (bản nháp)"]
    assert rows["T0"][1] == "0/4"
    # no unit's list of sheets until asked, and no form for anyone but the leader
    assert "Phiếu chấm của" not in page
    assert 'name="reason"' not in page
    # the officer's own sheets are listed to fill
    assert "Phiếu của đơn vị tôi" in page
    assert "Chấm Thử 3" in page


def test_the_overview_follows_each_sheet_submitted(client, cluster):
    """The sheets' states are kept per version of the cycle (`sheets_progress`): a sheet
    submitted through the services moves the version, and the next page counts it."""
    url, units, people = cluster
    client.force_login(people["officer"])
    assert _rows(client.get(url).content.decode())["T2"][1] == "0/4"
    services.save_sheet(
        actor=SYSTEM,
        cycle=Cycle.objects.get(year=2021, memberships__unit=units[2]),
        scorer=units[2],
        target=units[3],
        scores={"A.0": Decimal(8), "A.1": Decimal(9)},
        submit=True,
    )
    page = client.get(url).content.decode()
    assert "Tiến độ nộp phiếu: 5/16" in page
    assert _rows(page)["T2"][1:3] == ["1/4", "T0; T1; tự chấm"]


def test_one_scorers_sheets_carry_the_leader_secretarys_forms(client, cluster):
    url, units, people = cluster
    client.force_login(people["leader"])
    page = client.get(f"{url}?scorer={units[1].code}").content.decode()
    assert "Phiếu chấm của Thử 1" in page
    listed = page.split('id="phieu"', 1)[1]
    assert listed.count("Đã nộp") == 4
    assert listed.count('name="reason"') == 4  # each submitted sheet may be reopened
    page = client.get(f"{url}?scorer={units[2].code}").content.decode()
    listed = page.split('id="phieu"', 1)[1]
    assert listed.count("/on-behalf/") == 3  # the peer sheets not in; never its own
    assert "Bản nháp" in listed
    assert 'name="reason"' not in listed


def test_the_leader_secretary_enters_a_missing_sheet_from_the_overview(client, cluster):
    url, units, people = cluster
    client.force_login(people["leader"])
    page = client.get(url).content.decode()
    form = f"{url}{units[2].code}/{units[3].code}/on-behalf/"
    assert f'href="{form}"' in page
    assert f'href="{url}{units[0].code}/{units[1].code}/on-behalf/"' not in page  # the leader's own
    client.force_login(people["officer"])
    assert "/on-behalf/" not in client.get(url).content.decode()


def test_an_unknown_scorer_shows_the_overview_only(client, cluster):
    url, _units, people = cluster
    client.force_login(people["leader"])
    response = client.get(f"{url}?scorer=khong-co")
    assert response.status_code == 200
    assert "Phiếu chấm của" not in response.content.decode()


def test_the_explanation_button_leads_to_the_users_own_unit_only(client, cluster):
    """A member unit's person is offered its own unit's explanations; someone of no member
    unit (the admin) only the list of every unit's."""
    url, units, people = cluster
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert f'href="{url}review/{units[2].code}/">Giải trình điểm</a>' in page
    client.force_login(User.objects.get(username="admin"))
    page = client.get(url).content.decode()
    assert ">Giải trình điểm</a>" not in page
    assert ">Giải trình điểm các đơn vị</a>" in page


def test_a_sheet_entered_on_behalf_is_marked_escaped_and_the_leader_may_excuse_it(client, cluster):
    """The rows are built in Python (`thidua.rows`): what a person typed (the reason) is
    escaped there; the excuse link is the leader secretary's, while the sheet awaits."""
    url, units, people = cluster
    ScoreSheet.objects.filter(scorer=units[2], target=units[3]).update(
        status=ScoreSheet.Status.AWAITING,
        on_behalf_reason='Mất điện <script>alert("x")</script>',
        on_behalf_by=people["leader"],
    )
    client.force_login(people["officer"])
    page = client.get(url).content.decode()
    assert "<script>alert" not in page
    mine = page.split("Phiếu của đơn vị tôi", 1)[1].split("</ul>", 1)[0]
    assert 'title="Mất điện &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"' in mine
    assert "nhập thay (h.thuky)" in mine
    assert "Nhập thay, chờ đơn vị xác nhận" in mine
    assert _rows(page)["T2"][2] == "T0; T1; tự chấm; T3 (nhập thay, chờ xác nhận)"
    assert "Ghi lý do không xác nhận được" not in page
    client.force_login(people["leader"])
    page = client.get(f"{url}?scorer={units[2].code}").content.decode()
    assert '<tr aria-current="true"><td>T2</td>' in page
    listed = page.split('id="phieu"', 1)[1]
    assert (
        f'<a href="{url}{units[2].code}/{units[3].code}/">Ghi lý do không xác nhận được</a>'
        in listed
    )


def test_a_delegate_is_given_no_sheets_to_fill(client, cluster):
    """A delegate of a unit votes at the conference and reads the results; scoring is the
    unit's officers' work, so the page lists no sheet of theirs (each link would be a 403)."""
    url, units, people = cluster
    delegate = User.objects.create(username="h.daibieu", kind=UserKind.DELEGATE, unit=units[2])
    client.force_login(delegate)
    page = client.get(url).content.decode()
    assert "Tiến độ nộp phiếu: 4/16" in page
    assert "Phiếu của đơn vị tôi" not in page
    assert "Chấm Thử 3" not in page
    client.force_login(people["officer"])  # the same unit's officer: the sheets to fill
    assert "Chấm Thử 3" in client.get(url).content.decode()
