"""Score review with explanations (giải trình) over HTTP: reasons, filing, answering, concluding."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from thidua.audit import clock
from thidua.audit.models import AuditEntry
from thidua.core.phases import Phase
from thidua.errors import StateConflict
from thidua.org import services as org_services
from thidua.org.authz import SYSTEM
from thidua.scoring import selectors, services
from thidua.scoring.demo import TABLE
from thidua.scoring.models import Explanation, Score

pytestmark = pytest.mark.django_db

JUDGED = [spec.code for spec in TABLE if spec.kind == "peer"]
IN_TIME = datetime(2021, 11, 15, 3, 0, tzinfo=UTC)  # before the scoring deadline, 10/12/2021


def sheet(value):
    return {code: Decimal(value) for code in JUDGED}


def base(cycle):
    return f"/clusters/{cycle.cluster.code}/{cycle.year}/scoring/"


@pytest.fixture
def reviewed(scoring_2021, units):
    """Điện Biên and Lào Cai (the leader) assess themselves at 5; Cao Bằng scores Điện Biên 4
    and Điện Biên scores Lào Cai 4, each with its reasons."""
    assert scoring_2021.leader.code == "lao-cai"
    assert scoring_2021.deputy.code == "son-la"
    with clock.dated(IN_TIME):
        for code in ("dien-bien", "lao-cai"):
            unit = units[code]
            services.save_sheet(
                actor=SYSTEM, cycle=scoring_2021, scorer=unit, target=unit, scores=sheet("5")
            )
        for scorer, target in (("cao-bang", "dien-bien"), ("dien-bien", "lao-cai")):
            services.save_sheet(
                actor=SYSTEM,
                cycle=scoring_2021,
                scorer=units[scorer],
                target=units[target],
                scores=sheet("4"),
                submit=True,
                reasons=dict.fromkeys(JUDGED, "Hồ sơ chưa đủ"),
            )
    return scoring_2021


def _file(client, cycle, unit, reviewer, criterion="I.1", text="Đã có kế hoạch số 12/KH"):
    return client.post(
        base(cycle) + f"review/{unit}/file/",
        {"criterion": criterion, "reviewer": reviewer, "text": text},
    )


def test_submitting_a_lower_score_needs_a_reason_naming_the_criterion(
    scoring_2021, units, client_for
):
    with clock.dated(IN_TIME):
        services.save_sheet(
            actor=SYSTEM,
            cycle=scoring_2021,
            scorer=units["lai-chau"],
            target=units["lai-chau"],
            scores=sheet("5"),
        )
        client = client_for("sonla.canbo")
        url = base(scoring_2021) + "son-la/lai-chau/"
        data = {f"s_{code}": "5" for code in JUDGED} | {"s_I.1": "4", "action": "submit"}
        refused = client.post(url, data)
        assert refused.status_code == 400
        assert "Ban hành kế hoạch, hướng dẫn, phát động phong trào kịp thời" in (
            refused.content.decode()
        )
        assert "phải ghi lý do" in refused.content.decode()
        accepted = client.post(url, data | {"r_I.1": "Kế hoạch ban hành chậm"})
    assert accepted.status_code == 302
    stored = selectors.sheet_of(scoring_2021, units["son-la"], units["lai-chau"])
    assert selectors.reasons_by_code(stored) == {"I.1": "Kế hoạch ban hành chậm"}


def test_the_chain_over_http(reviewed, units, client_for):
    page = client_for("dienbien.thuky").get(base(reviewed) + "review/dien-bien/")
    assert page.status_code == 200
    assert "Hồ sơ chưa đủ" in page.content.decode()
    assert "chờ đơn vị giải trình" in page.content.decode()
    with clock.dated(IN_TIME):
        assert (
            _file(client_for("dienbien.thuky"), reviewed, "dien-bien", "cao-bang").status_code
            == 302
        )
        item = Explanation.objects.get(cycle=reviewed, unit=units["dien-bien"])
        assert item.state == "explained"
        # another unit's reviewer cannot answer; the reviewer answers, changing its score
        other = client_for("sonla.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/answer/",
            {"decision": "change", "value": "5", "reason": "x"},
        )
        assert other.status_code == 403
        no_reason = client_for("caobang.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/answer/", {"decision": "keep", "reason": ""}
        )
        assert no_reason.status_code == 400
        answered = client_for("caobang.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/answer/",
            {"decision": "change", "value": "4,5", "reason": "Đã xem kế hoạch gửi kèm"},
        )
        assert answered.status_code == 302
        score = Score.objects.get(
            sheet__cycle=reviewed,
            sheet__scorer=units["cao-bang"],
            sheet__target=units["dien-bien"],
            criterion__code="I.1",
        )
        assert score.value == Decimal("4.5")
        entry = AuditEntry.objects.filter(action="scoring.review.answer").latest("pk")
        assert entry.before == {"value": "4.00"} or entry.before["value"] in ("4.00", "4")
        assert entry.after["value"] in ("4.5", "4.50")
        # the result follows the changed sheet
        result = next(r for u, r in selectors.results(reviewed).standings if u.code == "dien-bien")
        assert result.criteria["I.1"].by_scorer["cao-bang"] == Decimal("4.5")
        # answering twice is a conflict
        again = client_for("caobang.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/answer/", {"decision": "keep", "reason": "y"}
        )
        assert again.status_code == 400
        # the deputy does not conclude on another unit's explanation; the leader does
        deputy = client_for("sonla.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/", {"outcome": "accept"}
        )
        assert deputy.status_code == 403
        leader = client_for("laocai.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/",
            {"outcome": "accept", "note": "Chấp nhận"},
        )
        assert leader.status_code == 302
    item.refresh_from_db()
    assert item.state == "accepted"
    assert AuditEntry.objects.filter(action="scoring.review.finalise").exists()
    page = client_for("dienbien.thuky").get(base(reviewed) + "review/dien-bien/").content.decode()
    assert "giải trình được chấp nhận" in page


def test_the_leader_cannot_conclude_its_own_units_explanation(reviewed, units, client_for):
    with clock.dated(IN_TIME):
        assert (
            _file(client_for("laocai.thuky"), reviewed, "lao-cai", "dien-bien").status_code == 302
        )
        item = Explanation.objects.get(cycle=reviewed, unit=units["lao-cai"])
        kept = client_for("dienbien.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/answer/",
            {"decision": "keep", "reason": "Không có căn cứ"},
        )
        assert kept.status_code == 302
        own = client_for("laocai.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/", {"outcome": "accept"}
        )
        assert own.status_code == 403
        deputy = client_for("sonla.thuky").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/", {"outcome": "refuse"}
        )
        assert deputy.status_code == 302
    item.refresh_from_db()
    assert item.state == "refused"


def test_only_a_secretary_concludes(reviewed, units, client_for, get_user):
    with clock.dated(IN_TIME):
        assert (
            _file(client_for("dienbien.canbo"), reviewed, "dien-bien", "cao-bang").status_code
            == 302
        )
        item = Explanation.objects.get(cycle=reviewed, unit=units["dien-bien"])
        services.answer_explanation(
            actor=get_user("caobang.canbo"), explanation=item, keep=True, reason="Giữ"
        )
        officer = client_for("laocai.canbo").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/", {"outcome": "accept"}
        )
        assert officer.status_code == 403
        admin = client_for("admin").post(
            base(reviewed) + f"review/item/{item.pk}/finalise/", {"outcome": "accept"}
        )
        assert admin.status_code == 403


def test_filing_refusals(reviewed, units, client_for):
    with clock.dated(IN_TIME):
        # another unit's secretary or officer: forbidden
        assert (
            _file(client_for("caobang.thuky"), reviewed, "dien-bien", "cao-bang").status_code == 403
        )
        assert (
            _file(client_for("caobang.canbo"), reviewed, "dien-bien", "cao-bang").status_code == 403
        )
        # a reviewer who did not score below the self-assessment, an empty text: refused
        assert (
            _file(client_for("dienbien.thuky"), reviewed, "dien-bien", "son-la").status_code == 400
        )
        empty = _file(client_for("dienbien.thuky"), reviewed, "dien-bien", "cao-bang", text=" ")
        assert empty.status_code == 400
        # an unknown criterion or unit: not found
        assert (
            _file(
                client_for("dienbien.thuky"), reviewed, "dien-bien", "cao-bang", "Z.9"
            ).status_code
            == 404
        )
    # after the scoring deadline (10/12/2021): too late
    late = _file(client_for("dienbien.thuky"), reviewed, "dien-bien", "cao-bang")
    assert late.status_code == 400
    assert "quá hạn giải trình" in late.content.decode()
    assert not Explanation.objects.filter(cycle=reviewed).exists()


@pytest.fixture
def media(tmp_path):
    """Uploaded files in a directory of their own, to see what was stored."""
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def test_an_explanation_with_an_attachment(reviewed, units, client_for, media):
    """The unit files its explanation with a PDF; it and the reviewer download the same bytes.
    The review is open to the whole cluster (VIEW_RESULTS, as the security matrix says), so
    another member reads it too; someone of another cluster does not. A file that is not a
    document is refused, naming the field, and nothing is stored."""
    content = b"%PDF-1.4 ke hoach so 12/KH"
    with clock.dated(IN_TIME):
        bad = client_for("dienbien.thuky").post(
            base(reviewed) + "review/dien-bien/file/",
            {
                "criterion": "I.1",
                "reviewer": "cao-bang",
                "text": "Đã có kế hoạch",
                "file": SimpleUploadedFile("ke-hoach.exe", b"MZ\x90\x00", "application/pdf"),
            },
        )
        assert bad.status_code == 400
        assert "Chỉ nhận tệp PDF, DOCX, PNG hoặc JPEG." in bad.content.decode()
        assert not Explanation.objects.filter(cycle=reviewed).exists()
        assert not any(media.rglob("*.*"))
        filed = client_for("dienbien.thuky").post(
            base(reviewed) + "review/dien-bien/file/",
            {
                "criterion": "I.1",
                "reviewer": "cao-bang",
                "text": "Đã có kế hoạch số 12/KH, gửi kèm",
                "file": SimpleUploadedFile("ke-hoach.pdf", content, "application/pdf"),
            },
        )
        assert filed.status_code == 302
    item = Explanation.objects.get(cycle=reviewed, unit=units["dien-bien"])
    assert [p.read_bytes() for p in media.rglob("*.pdf")] == [content]
    assert (item.file_name, item.content_type, item.size) == (
        "ke-hoach.pdf",
        "application/pdf",
        len(content),
    )
    url = base(reviewed) + f"review/item/{item.pk}/attachment/"
    page = client_for("caobang.thuky").get(base(reviewed) + "review/dien-bien/").content.decode()
    assert f'href="{url}">ke-hoach.pdf</a>' in page
    for reader in ("dienbien.thuky", "caobang.thuky", "sonla.canbo"):
        download = client_for(reader).get(url)
        assert download.status_code == 200, reader
        assert b"".join(download.streaming_content) == content
        assert "ke-hoach.pdf" in download["Content-Disposition"]
    assert client_for("hanoi.canbo").get(url).status_code == 403
    # another cycle's number for the same explanation: not found
    other_year = f"/clusters/cum-2/2020/scoring/review/item/{item.pk}/attachment/"
    assert client_for("dienbien.thuky").get(other_year).status_code == 404


def test_the_conference_waits_for_every_explanation(reviewed, units, get_user):
    with clock.dated(IN_TIME):
        services.file_explanation(
            actor=get_user("dienbien.thuky"),
            cycle=reviewed,
            unit=units["dien-bien"],
            criterion=selectors.criterion_at(selectors.agreement_of(reviewed), "I.1"),
            reviewer=units["cao-bang"],
            text="Đề nghị xem lại",
        )
    problems = services.review_settled(reviewed)
    assert [p.code for p in problems] == ["review_unfinalised"]
    reviewed = org_services.close_phase(actor=SYSTEM, cycle=reviewed, phase=Phase.SCORING)
    with pytest.raises(StateConflict) as refused:
        org_services.open_phase(actor=SYSTEM, cycle=reviewed, phase=Phase.CONFERENCE)
    assert "chưa được kết luận" in str(refused.value.problems[0].render())


def test_a_criterion_nobody_scores_is_flagged(scoring_2021, units):
    agreement = selectors.agreement_of(scoring_2021)
    agreement.assignment = "teams"
    agreement.save()
    team = agreement.teams.create(inspected=units["lai-chau"])
    team.scorers.set([units["dien-bien"]])
    problems = services.review_settled(scoring_2021)
    assert problems
    assert all(p.code == "criterion_unassigned" for p in problems)
    rendered = " ".join(p.render() for p in problems)
    assert "Lai Châu" not in rendered  # Lai Châu has a scorer
    assert "chưa được giao cho đơn vị nào chấm" in rendered


def test_the_conference_does_not_open_while_a_criterion_has_no_scorer(
    scoring_2021, units, api_as, client_for
):
    """The guard sits on opening the conference (the scoring phase itself closes): over the
    API it is refused (409, `criterion_unassigned`, naming the unit and the criterion) while
    one member's criteria have no scorer, and allowed once an inspection team is assigned."""
    agreement = selectors.agreement_of(scoring_2021)
    agreement.assignment = "teams"
    agreement.save()
    members = [unit for unit in scoring_2021.members.all() if unit.code != "lai-chau"]
    for inspected in members:
        team = agreement.teams.create(inspected=inspected)
        team.scorers.set([units["lai-chau"] if inspected.code != "lai-chau" else units["son-la"]])
    api = api_as("laocai.thuky")

    def move(phase, action):
        return api.post(
            f"/api/cycles/cum-2/2021/phases/{phase}/{action}", content_type="application/json"
        )

    assert move("scoring", "close").status_code == 200
    refused = move("conference", "open")
    assert refused.status_code == 409
    errors = refused.json()["errors"]
    assert len(errors) == len(JUDGED)  # every judged criterion of Lai Châu
    assert {e["code"] for e in errors} == {"criterion_unassigned"}
    assert all("Lai Châu" in e["message"] for e in errors)
    assert "Ban hành kế hoạch, hướng dẫn, phát động phong trào kịp thời" in refused.json()["detail"]
    # the web form says the same and leaves the phase where it was
    page = client_for("laocai.thuky").post(
        "/clusters/cum-2/2021/phases/conference/open/", follow=True
    )
    said = "của đơn vị Công an tỉnh Lai Châu chưa được giao cho đơn vị nào chấm"
    assert said in page.content.decode()
    scoring_2021.refresh_from_db()
    assert (scoring_2021.phase, scoring_2021.phase_is_open) == ("scoring", False)
    team = agreement.teams.create(inspected=units["lai-chau"])
    team.scorers.set([units["dien-bien"]])
    opened = move("conference", "open")
    assert opened.status_code == 200
    assert (opened.json()["phase"], opened.json()["phase_is_open"]) == ("conference", True)


def test_the_results_say_why_a_score_is_below_the_units_own(client_for):
    """Issue 19, item 6: where a reviewer scored a unit below its self-assessment, the
    results say why (the reviewer's reason) and what came of the unit's explanation."""
    observer = client_for("quansat")
    page = observer.get("/clusters/cum-2/2020/results/").content.decode()
    assert 'href="/clusters/cum-2/2020/results/lang-son/"' in page  # each unit's own page
    lang_son = observer.get("/clusters/cum-2/2020/results/lang-son/").content.decode()
    assert "(thấp hơn điểm tự chấm, lý do: " in lang_son
    # the demo's accepted explanation (Lạng Sơn, I.2: raised by its lowest reviewer) …
    assert "— giải trình: chấp nhận, 6,00 → 6,25)" in lang_son
    assert 'href="/clusters/cum-2/2020/scoring/review/lang-son/">Giải trình điểm' in lang_son
    # … and its refused one (Hà Giang, I.3: the score kept)
    ha_giang = observer.get("/clusters/cum-2/2020/results/ha-giang/").content.decode()
    assert "— giải trình: không chấp nhận)" in ha_giang
