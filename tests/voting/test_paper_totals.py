"""Paper ballots and written opinions stay paper: once the box is closed they are kept, and
published in the record, by their totals only — never one row per ballot (an absent
delegate's written opinion, listed alone, would be its known author's vote)."""

import gzip
import importlib
import json

import pytest
from django.apps import apps

from tests.record import roundtrip
from tests.voting import phones, sealed
from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.ballots import Ballot
from thidua.core.verify import verify
from thidua.org.models import User, UserKind
from thidua.record.export import export_json as export
from thidua.voting import services
from thidua.voting.models import Ballot as StoredBallot
from thidua.voting.models import Poll

pytestmark = pytest.mark.django_db

BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
migration = importlib.import_module("thidua.voting.migrations.0007_poll_paper_totals")


def _absent(conference, get_user, username):
    """A delegate convened who does not come (added before the poll opens, never checked in)."""
    user = User.objects.create(
        username=username, kind=UserKind.DELEGATE, unit=get_user("caobang.daibieu").unit
    )
    return services.add_delegate(actor=get_user("hagiang.thuky"), conference=conference, user=user)


def _poll(get_user, conference, code, **kwargs):
    poll = services.create_poll(
        actor=get_user("hagiang.thuky"),
        conference=conference,
        code=code,
        title="Thử phiếu giấy và ý kiến bằng văn bản",
        purpose="other",
        seats=1,
        **kwargs,
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=poll)


def _written(get_user, poll, delegate, *choices) -> str:
    return services.record_written(
        actor=get_user("laocai.daibieu"), poll=poll, delegate=delegate, ballot=Ballot(choices)
    )


def _paper_poll_counted(get_user, conference):
    """A paper poll: a pile of 18 (one invalid, one blank) entered twice, and two written
    opinions of absent delegates."""
    absent = [_absent(conference, get_user, name) for name in ("vang.mot", "vang.hai")]
    poll = _poll(get_user, conference, "giay", mode="paper")
    receipts = [
        _written(get_user, poll, absent[0], "lao-cai"),
        _written(get_user, poll, absent[1], "son-la"),
    ]
    pile = (
        [Ballot(choices=("lao-cai",))] * 10
        + [Ballot(choices=("son-la",))] * 6
        + [Ballot(choices=("son-la", "lao-cai"))]  # two ticks, one seat: invalid
        + [Ballot()]
    )
    for entry, user in ((1, "laocai.daibieu"), (2, "sonla.daibieu")):
        services.save_paper_entry(
            actor=get_user(user), poll=poll, entry=entry, ballots=pile, issued=19
        )
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    poll.refresh_from_db()
    return poll, receipts


def _record_poll(record, code):
    return next(p for p in record["polls"] if p["code"] == code)


def test_a_paper_poll_is_kept_and_published_by_its_totals(get_user, conference, cycle):
    poll, receipts = _paper_poll_counted(get_user, conference)
    assert poll.status == Poll.Status.CLOSED
    result = poll.result
    assert (result["returned"], result["valid"], result["invalid"], result["blank"]) == (
        20,
        19,
        1,
        1,
    )
    assert (result["votes"]["lao-cai"], result["votes"]["son-la"]) == (11, 7)
    assert result["issued"] == 21  # 19 paper ballots handed out and two written opinions
    assert result["electorate"] == 23
    assert poll.paper == {
        "ballots": 20,
        "written": 2,
        "invalid": 1,
        "blank": 1,
        "yes": {**dict.fromkeys(poll.paper["yes"], 0), "lao-cai": 11, "son-la": 7},
        "no": dict.fromkeys(poll.paper["yes"], 0),
    }
    # the database: no row per paper ballot; a written opinion keeps its receipt, not its content
    rows = list(StoredBallot.objects.filter(poll=poll).values("source", "content", "receipt"))
    assert sorted(r["receipt"] for r in rows) == sorted(receipts)
    assert {(r["source"], r["content"] is None) for r in rows} == {("written", True)}
    # the record: totals, no ballot listed, the receipts; it verifies
    record = export(cycle("cum-2", 2020))
    assert verify(record) == []
    published = _record_poll(record, "giay")
    assert published["ballots"] == []
    assert published["receipts"] == sorted(receipts)
    assert published["paper"] == poll.paper
    assert "son-la" not in json.dumps(published["ballots"])


def test_an_electronic_poll_lists_its_phone_ballots_and_totals_its_written_opinions(
    get_user, conference, cycle, client_for
):
    absent = _absent(conference, get_user, "vang.mot")
    poll = _poll(get_user, conference, "dien-tu", sealed=False)
    _written(get_user, poll, absent, "dien-bien")
    for username in ("sonla.daibieu", "laichau.daibieu"):
        phones.cast(actor=get_user(username), poll=poll, ballot=Ballot(choices=("lao-cai",)))
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    record = export(cycle("cum-2", 2020))
    assert verify(record) == []
    published = _record_poll(record, "dien-tu")
    assert published["ballots"] == [{"content": {"choices": ["lao-cai"]}}] * 2
    assert len(published["receipts"]) == 3  # two phones, one written opinion
    assert published["paper"]["written"] == published["paper"]["ballots"] == 1
    assert published["result"]["votes"]["dien-bien"] == 1
    # the page shows the phone ballots only: the written opinion is in the totals
    page = client_for("hagiang.thuky").get(f"/clusters/cum-2/2020/conference/polls/{poll.code}/")
    assert page.status_code == 200
    shown = page.content.decode().split("không theo thứ tự")[1].split("</ul>")[0]
    assert "2 × " in shown
    assert "Điện Biên" not in shown


def test_an_encrypted_poll_counts_its_written_opinions_by_their_totals(get_user, conference, cycle):
    _, members = sealed.run_ceremony(
        get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD]
    )
    absent = _absent(conference, get_user, "vang.mot")
    poll = _poll(get_user, conference, "ma-hoa")
    assert poll.sealed
    _written(get_user, poll, absent, "dien-bien")
    form = poll.form
    for username in ("sonla.daibieu", "laichau.daibieu"):
        bits = [int(s == "choice:lao-cai") for s in form["selections"]]
        sealed.cast(get_user(username), poll, bits)
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED
    assert (poll.result["votes"]["lao-cai"], poll.result["votes"]["dien-bien"]) == (2, 1)
    assert poll.result["returned"] == 3
    record = export(cycle("cum-2", 2020))
    assert verify(record) == []
    published = _record_poll(record, "ma-hoa")
    assert published["ballots"] == []
    assert published["paper"]["written"] == 1
    assert len(published["receipts"]) == 3


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda p: p["paper"]["yes"].update({"lao-cai": 12}), "polls[giay].result.votes.lao-cai"),
        (lambda p: p["paper"]["yes"].update({"ha-noi": 1}), "polls[giay].paper.yes"),
        (lambda p: p["paper"].update(blank=21), "polls[giay].paper.blank"),
        (lambda p: p["paper"].update(written=21), "polls[giay].paper.written"),
        (lambda p: p["paper"].update(written=3), "polls[giay].receipts"),
        (lambda p: p.update(mode="electronic"), "polls[giay].paper.ballots"),
        (lambda p: p.update(status="void"), "polls[giay].ballots"),  # published uncounted
        (
            lambda p: p["ballots"].append({"content": {"choices": ["son-la"]}}),
            "polls[giay].result.returned",
        ),
    ],
)
def test_forged_totals_are_named(get_user, conference, cycle, change, where):
    _paper_poll_counted(get_user, conference)
    record = export(cycle("cum-2", 2020))
    change(_record_poll(record, "giay"))
    found = [finding.where for finding in verify(record)]
    assert any(f.startswith(where) for f in found), found


def test_a_record_with_paper_totals_restores_exactly(get_user, conference, tmp_path):
    _paper_poll_counted(get_user, conference)
    again = roundtrip.restores_exactly(tmp_path, "paper")
    restored = json.loads(gzip.decompress((again / "cum-2-2020.json.gz").read_bytes()))
    assert _record_poll(restored, "giay")["paper"]["ballots"] == 20


def test_the_migration_turns_a_counted_poll_s_rows_into_totals(get_user, conference):
    """A poll counted before totals were kept: its paper and written rows become totals."""
    poll, receipts = _paper_poll_counted(get_user, conference)
    totals = poll.paper
    Poll.objects.filter(pk=poll.pk).update(paper=None)
    StoredBallot.objects.filter(poll=poll).delete()
    StoredBallot.objects.bulk_create(
        [
            StoredBallot(poll=poll, filled=True, content=content, source="paper")
            for content in (
                [{"choices": ["lao-cai"]}] * 10
                + [{"choices": ["son-la"]}] * 6
                + [{"choices": ["son-la", "lao-cai"]}, {"choices": []}]
            )
        ]
        + [
            StoredBallot(
                poll=poll,
                filled=True,
                content={"choices": [code]},
                source="written",
                receipt=receipt,
            )
            for code, receipt in zip(("lao-cai", "son-la"), receipts, strict=True)
        ]
    )
    migration.to_totals(apps, None)
    poll.refresh_from_db()
    assert poll.paper == totals
    rows = StoredBallot.objects.filter(poll=poll)
    assert sorted(rows.values_list("receipt", flat=True)) == sorted(receipts)
    assert not rows.exclude(content=None).exists()


def test_record_totals_read_back_as_the_core_s(get_user, conference, cycle):
    _paper_poll_counted(get_user, conference)
    published = _record_poll(export(cycle("cum-2", 2020)), "giay")
    poll = typed.read(core_record.Poll, published)[0]
    assert poll.paper.as_core().as_json() == {
        k: v for k, v in published["paper"].items() if k != "written"
    }
