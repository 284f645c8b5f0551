"""The permission matrix over HTTP: every route (web and API) with the action it performs.

The table of who may do what in which state is `thidua.core.policy.POLICY`. Here each route
is tied to the action(s) its view must check and to the object they are checked on; the test
tries every route as every kind of person in every phase of the cycle and expects exactly
what the table says: allowed (any answer but 403/409), or refused (403, or 409 for the wrong
phase). A route missing from PROBES or EXEMPT fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from thidua.core.phases import PHASES
from thidua.core.policy import Action

CYCLE = "/clusters/cum-2/2020"
API = "/api/cycles/cum-2/2020"

#: People, one per kind of role, on the demo's Cụm II 2020 (led by Hà Giang).
PEOPLE = {
    "admin": "Ministry admin",
    "quansat": "observer",
    "hagiang.thuky": "leader's secretary",
    "sonla.thuky": "member unit's secretary",
    "sonla.canbo": "officer of Sơn La",
    "sonla.daibieu2": "delegate of Sơn La",
    "sonla.giamdoc": "director of Sơn La",
    "laocai.daibieu": "counting board chair",
    "hanoi.canbo": "officer of another cluster",
}


@dataclass(frozen=True)
class Probe:
    route: str  # URL name (api:… for the API)
    method: str
    path: str  # "{phase}" is replaced by the cycle's phase
    actions: tuple[Action, ...]  # all must be allowed
    # what they are checked on: cycle, global, unit:<code>, slot:<code>, cluster:<code>, or
    # any-slot (allowed on some member unit's report, of some period)
    on: str = "cycle"
    data: dict = field(default_factory=dict)
    json: bool = False
    setup: Callable | None = None  # prepares data the write needs (not permissions)
    phased: bool = False  # tried in every phase
    signed: str = ""  # a ballot in this poll: signed by the person's phone before it is sent

    @property
    def id(self) -> str:
        return f"{self.route}-{self.method}"

    def allows(self, user, cycle) -> bool:
        """Whether the permission table lets `user` through this probe in `cycle`: every one
        of its actions on its object (on one of them, for `any-slot`)."""
        from thidua.org.authz import can

        return any(
            all(can(user, action, target) for action in self.actions)
            for target in self.checked_on(cycle)
        )

    def checked_on(self, cycle) -> list:
        """The objects the permission table is asked about for this probe in `cycle`: one,
        or every member unit's report of each period for `any-slot`."""
        from thidua.core.indicators import Period
        from thidua.org.authz import UnitInCycle
        from thidua.org.selectors import member_units

        if self.on == "any-slot":
            return [
                UnitInCycle(cycle, unit, period.value)
                for unit in member_units(cycle)
                for period in Period
            ]
        return [self._checked_on(cycle)]

    def _checked_on(self, cycle):
        from thidua.org.authz import UnitInCycle
        from thidua.org.models import Cluster, Unit

        if self.on == "global":
            return None
        if self.on == "cycle":
            return cycle
        kind, code = self.on.split(":")
        if kind == "cluster":
            return Cluster.objects.get(code=code)
        unit = Unit.objects.get(code=code)
        return unit if kind == "unit" else UnitInCycle(cycle, unit)


def _explanations():
    """Two explanations of Lạng Sơn in the demo year: on Sơn La's score (waiting for its
    answer) and on Điện Biên's (kept, waiting for the leader's conclusion)."""
    from thidua.org.models import Cycle, Unit
    from thidua.scoring.models import Criterion, Explanation

    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    criterion = Criterion.objects.get(agreement__cycle=cycle, code="I.1")
    unit = Unit.objects.get(code="lang-son")
    for pk, reviewer, state in ((9001, "son-la", "explained"), (9002, "dien-bien", "kept")):
        Explanation.objects.update_or_create(
            pk=pk,
            defaults={
                "cycle": cycle,
                "unit": unit,
                "reviewer": Unit.objects.get(code=reviewer),
                "criterion": criterion,
                "text": "Đề nghị xem lại",
                "state": state,
            },
        )


def _forget_device_keys():
    from thidua.voting.models import Delegate

    Delegate.objects.update(device_key="")


def _draft_report():
    from thidua.stats.models import Report

    Report.objects.filter(unit__code="son-la", year=2020, period="Y").update(status="draft")


def _awaiting_report():
    from thidua.stats.models import Report

    Report.objects.filter(unit__code="son-la", year=2020, period="Y").update(
        status="awaiting", on_behalf_reason="Đơn vị mất kết nối"
    )


def _draft_sheet():
    from thidua.scoring.models import ScoreSheet

    ScoreSheet.objects.filter(
        cycle__year=2020, scorer__code="son-la", target__code="ha-giang"
    ).update(status="draft")


def _awaiting_sheet():
    from thidua.scoring.models import ScoreSheet

    ScoreSheet.objects.filter(
        cycle__year=2020, scorer__code="son-la", target__code="ha-giang"
    ).update(status="awaiting", on_behalf_reason="Đơn vị mất kết nối")


def _unsigned_agreement():
    from thidua.scoring.models import Agreement

    Agreement.objects.filter(cycle__year=2020, cycle__cluster__code="cum-2").update(signed_at=None)


def _no_handover_yet():
    from thidua.org.models import Handover

    Handover.objects.filter(cluster__code="cum-2", year=2021).delete()  # recorded once a year


def _paper_poll():
    from thidua.voting.models import Poll

    Poll.objects.filter(code="co-bo-cong-an").update(mode="paper")


A = Action
SCORES = {"s_I.1": "5", "action": "save"}
PROBES: list[Probe] = [
    # --- organisation
    Probe("home", "GET", "/", (A.VIEW_CLUSTER,), on="global"),
    Probe("overview", "GET", "/dashboard/", (A.VIEW_OVERVIEW,), on="global"),
    Probe("tokens", "GET", "/accounts/tokens/", (A.MANAGE_OWN_TOKENS,), on="global"),
    Probe("calendar_tokens", "GET", "/accounts/calendar/", (A.MANAGE_OWN_TOKENS,), on="global"),
    Probe("unit", "GET", "/units/son-la/", (A.VIEW_UNIT,), on="unit:son-la"),
    Probe(
        "unit_edit",
        "POST",
        "/units/son-la/edit/",
        (A.EDIT_UNIT,),
        on="unit:son-la",
        data={"head_title": "Giám đốc"},
    ),
    Probe("lineage", "GET", "/lineage/", (A.VIEW_CLUSTER,), on="global"),
    Probe("lineage_new", "POST", "/lineage/new/", (A.RECORD_LINEAGE,), on="global"),
    Probe(
        "document_issue",
        "POST",
        "/clusters/cum-2/2020/documents/score-table/issue/",
        (A.ISSUE_DOCUMENT,),
    ),
    Probe("records", "GET", "/records/", (A.RECEIVE_RECORDS,), on="global"),
    Probe(
        "records",
        "POST",
        "/records/",
        (A.RECEIVE_RECORDS,),
        on="global",
        data={"action": "register", "cluster_code": "cum-2", "year": "2020", "fingerprint": "x"},
    ),
    Probe("cluster", "GET", "/clusters/cum-2/", (A.VIEW_CLUSTER,), on="global"),
    # --- the register of titles: kept by the cluster's current leader (2021: Lào Cai) and
    # the Ministry's office; a year's decision also by that year's leader (2020: Hà Giang)
    Probe("register", "GET", "/clusters/cum-2/register/", (A.VIEW_CLUSTER,), on="global"),
    Probe(
        "register_template",
        "GET",
        "/clusters/cum-2/register/template.xlsx",
        (A.VIEW_CLUSTER,),
        on="global",
    ),
    Probe("decision_pdf", "GET", "/decisions/1/pdf/", (A.VIEW_CLUSTER,), on="global"),
    Probe(
        "register_new",
        "POST",
        "/clusters/cum-2/register/new/",
        (A.RECORD_TITLES,),
        on="cluster:cum-2",
        data={"year": "2019"},
    ),
    Probe(
        "register_import",
        "POST",
        "/clusters/cum-2/register/import/",
        (A.RECORD_TITLES,),
        on="cluster:cum-2",
    ),
    Probe(
        "register_decision",
        "POST",
        f"{CYCLE}/register/decision/",
        (A.RECORD_DECISION,),
        data={"number": "1/QĐ-BCA"},
        phased=True,
    ),
    Probe(
        "api:get_register", "GET", "/api/clusters/cum-2/register", (A.VIEW_CLUSTER,), on="global"
    ),
    Probe(
        "api:record_title",
        "POST",
        "/api/clusters/cum-2/register",
        (A.RECORD_TITLES,),
        on="cluster:cum-2",
        json=True,
        data={
            "unit": "cao-bang",
            "year": 2019,
            "title_code": "co_bo_cong_an",
            "title": "Cờ thi đua của Bộ Công an",
            "level": "ministry",
        },
    ),
    Probe(
        "api:record_decision",
        "POST",
        "/api/decisions",
        (A.RECORD_DECISION,),
        json=True,
        data={
            "number": "1/QĐ-BCA",
            "signed_on": "2021-05-01",
            "issuer": "Bộ Công an",
            "records": [
                {"unit": "ha-giang", "year": 2020, "title_code": "co_chinh_phu", "awarded": True}
            ],
        },
        phased=True,
    ),
    Probe(
        "cycle_new",
        "POST",
        "/clusters/cum-2/cycles/new/",
        (A.CREATE_CYCLE,),
        on="global",
        data={"year": "2023"},
    ),
    Probe("cycle", "GET", f"{CYCLE}/", (A.VIEW_CYCLE,)),
    Probe("cycle_edit", "POST", f"{CYCLE}/edit/", (A.EDIT_CYCLE,), phased=True),
    Probe(
        "phase_action", "POST", f"{CYCLE}/phases/{{phase}}/close/", (A.CLOSE_PHASE,), phased=True
    ),
    Probe(
        "deadline_set",
        "POST",
        f"{CYCLE}/deadlines/",
        (A.SET_DEADLINE,),
        data={"phase": "conference", "due": "2021-01-15"},
        phased=True,
    ),
    Probe("handover_new", "POST", f"{CYCLE}/handover/", (A.RECORD_HANDOVER,), phased=True),
    Probe("merger_apply", "POST", f"{CYCLE}/merger/", (A.RECORD_LINEAGE,)),
    Probe("audit_trail", "GET", f"{CYCLE}/audit/", (A.VIEW_AUDIT,)),
    Probe("audit_export", "GET", f"{CYCLE}/audit/export.xlsx", (A.VIEW_AUDIT,)),
    Probe("dashboard", "GET", f"{CYCLE}/dashboard/", (A.VIEW_RESULTS,)),
    # --- statistics
    Probe("stats", "GET", f"{CYCLE}/stats/", (A.VIEW_REPORT,)),
    Probe("stats_export", "GET", f"{CYCLE}/stats/export.xlsx", (A.VIEW_REPORT,)),
    Probe("stats_template", "GET", f"{CYCLE}/stats/template.xlsx", (A.VIEW_REPORT,)),
    Probe(
        "stats_import",
        "GET",
        f"{CYCLE}/stats/import/",
        (A.EDIT_REPORT,),
        on="any-slot",
        phased=True,
    ),
    Probe(
        "report",
        "POST",
        f"{CYCLE}/stats/son-la/",
        (A.EDIT_REPORT,),
        on="slot:son-la",
        data={"action": "save", "v_social_order_cases": "518"},
        setup=_draft_report,
        phased=True,
    ),
    Probe(
        "report_preview",
        "POST",
        f"{CYCLE}/stats/son-la/preview/",
        (A.EDIT_REPORT,),
        on="slot:son-la",
        data={"v_social_order_cases": "518"},
        phased=True,
    ),
    Probe(
        "report_on_behalf",
        "GET",
        f"{CYCLE}/stats/son-la/on-behalf/",
        (A.ENTER_REPORT_ON_BEHALF,),
        on="slot:son-la",
        phased=True,
    ),
    Probe(
        "report_on_behalf",
        "POST",
        f"{CYCLE}/stats/son-la/on-behalf/",
        (A.ENTER_REPORT_ON_BEHALF,),
        on="slot:son-la",
        data={
            "action": "save",
            "v_social_order_cases": "518",
            "on_behalf_reason": "Đơn vị mất kết nối",
        },
        setup=_draft_report,
        phased=True,
    ),
    Probe(
        "report_confirm",
        "POST",
        f"{CYCLE}/stats/son-la/confirm/",
        (A.CONFIRM_REPORT,),
        on="slot:son-la",
        setup=_awaiting_report,
        phased=True,
    ),
    Probe(
        "report_excuse",
        "POST",
        f"{CYCLE}/stats/son-la/excuse/",
        (A.EXCUSE_REPORT,),
        on="slot:son-la",
        data={"reason": "Đơn vị mất kết nối"},
        setup=_awaiting_report,
        phased=True,
    ),
    Probe(
        "report_return",
        "POST",
        f"{CYCLE}/stats/son-la/return/",
        (A.RETURN_REPORT,),
        on="slot:son-la",
        data={"reason": "Thiếu số liệu"},
        phased=True,
    ),
    # --- agreement and scoring
    Probe("agreement", "GET", f"{CYCLE}/agreement/", (A.VIEW_AGREEMENT,)),
    Probe("agreement_export", "GET", f"{CYCLE}/agreement/export.xlsx", (A.VIEW_AGREEMENT,)),
    Probe(
        "agreement_targets",
        "POST",
        f"{CYCLE}/agreement/targets/",
        (A.EDIT_AGREEMENT,),
        setup=_unsigned_agreement,
        phased=True,
    ),
    Probe(
        "agreement_rules",
        "POST",
        f"{CYCLE}/agreement/rules/",
        (A.EDIT_AGREEMENT,),
        setup=_unsigned_agreement,
        phased=True,
    ),
    Probe(
        "agreement_import",
        "POST",
        f"{CYCLE}/agreement/import/",
        (A.EDIT_AGREEMENT,),
        setup=_unsigned_agreement,
        phased=True,
    ),
    Probe(
        "agreement_confirm",
        "POST",
        f"{CYCLE}/agreement/confirm/son-la/",
        (A.CONFIRM_AGREEMENT,),
        on="slot:son-la",
        setup=_unsigned_agreement,
        phased=True,
    ),
    Probe(
        "agreement_excuse",
        "POST",
        f"{CYCLE}/agreement/excuse/son-la/",
        (A.EDIT_AGREEMENT,),
        data={"reason": "Thủ trưởng đi công tác nước ngoài"},
        setup=_unsigned_agreement,
        phased=True,
    ),
    Probe("scoring", "GET", f"{CYCLE}/scoring/", (A.VIEW_AGREEMENT,)),
    Probe("facts", "POST", f"{CYCLE}/scoring/facts/", (A.RECORD_FACTS,), phased=True),
    Probe(
        "sheet",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/",
        (A.EDIT_SHEET,),
        on="slot:son-la",
        data=SCORES,
        setup=_draft_sheet,
        phased=True,
    ),
    Probe(
        "sheet_preview",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/preview/",
        (A.EDIT_SHEET,),
        on="slot:son-la",
        data=SCORES,
        phased=True,
    ),
    Probe(
        "sheet_reopen",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/reopen/",
        (A.REOPEN_SHEET,),
        on="slot:son-la",
        data={"reason": "Chấm nhầm"},
        phased=True,
    ),
    Probe(
        "sheet_on_behalf",
        "GET",
        f"{CYCLE}/scoring/son-la/ha-giang/on-behalf/",
        (A.ENTER_SHEET_ON_BEHALF,),
        on="slot:son-la",
        phased=True,
    ),
    Probe(
        "sheet_on_behalf",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/on-behalf/",
        (A.ENTER_SHEET_ON_BEHALF,),
        on="slot:son-la",
        data={**SCORES, "on_behalf_reason": "Đơn vị mất kết nối"},
        setup=_draft_sheet,
        phased=True,
    ),
    Probe(
        "sheet_confirm",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/confirm/",
        (A.CONFIRM_SHEET,),
        on="slot:son-la",
        setup=_awaiting_sheet,
        phased=True,
    ),
    Probe(
        "sheet_excuse",
        "POST",
        f"{CYCLE}/scoring/son-la/ha-giang/excuse/",
        (A.EXCUSE_SHEET,),
        on="slot:son-la",
        data={"reason": "Đơn vị mất kết nối"},
        setup=_awaiting_sheet,
        phased=True,
    ),
    Probe(
        "evidence_upload",
        "POST",
        f"{CYCLE}/scoring/evidence/upload/son-la/",
        (A.UPLOAD_EVIDENCE,),
        on="slot:son-la",
        phased=True,
    ),
    Probe("review", "GET", f"{CYCLE}/scoring/review/son-la/", (A.VIEW_RESULTS,)),
    Probe(
        "review_file",
        "POST",
        f"{CYCLE}/scoring/review/son-la/file/",
        (A.FILE_EXPLANATION,),
        on="slot:son-la",
        data={"criterion": "I.1", "reviewer": "ha-giang", "text": "Giải trình"},
        phased=True,
    ),
    Probe(
        "review_answer",
        "POST",
        f"{CYCLE}/scoring/review/item/9001/answer/",
        (A.ANSWER_EXPLANATION,),
        on="slot:son-la",
        data={"decision": "keep", "reason": "Giữ nguyên"},
        setup=_explanations,
        phased=True,
    ),
    Probe(
        "review_finalise",
        "POST",
        f"{CYCLE}/scoring/review/item/9002/finalise/",
        (A.FINALISE_EXPLANATION,),
        on="slot:ha-giang",  # Lạng Sơn's explanation: the leader, Hà Giang, concludes
        data={"outcome": "accept"},
        setup=_explanations,
        phased=True,
    ),
    Probe(
        "review_attachment",
        "GET",
        f"{CYCLE}/scoring/review/item/9001/attachment/",
        (A.VIEW_RESULTS,),
        setup=_explanations,
    ),
    Probe("results", "GET", f"{CYCLE}/results/", (A.VIEW_RESULTS,)),
    Probe("results_export", "GET", f"{CYCLE}/results/export.xlsx", (A.VIEW_RESULTS,)),
    Probe("results_unit", "GET", f"{CYCLE}/results/son-la/", (A.VIEW_RESULTS,)),
    Probe("record", "GET", f"{CYCLE}/record.json", (A.VIEW_RESULTS,)),
    # --- conference
    Probe("conference", "GET", f"{CYCLE}/conference/", (A.VIEW_CONFERENCE,)),
    Probe("screen", "GET", f"{CYCLE}/conference/screen/", (A.VIEW_CONFERENCE,)),
    Probe("run_of_show", "GET", f"{CYCLE}/conference/run-of-show/", (A.VIEW_CONFERENCE,)),
    Probe("board_key", "GET", f"{CYCLE}/conference/board-key/", (A.VIEW_CONFERENCE,)),
    Probe(
        "board_key",
        "POST",
        f"{CYCLE}/conference/board-key/",
        (A.MANAGE_CONFERENCE,),
        data={"threshold": "2"},
        phased=True,
    ),
    Probe(
        "conference_details",
        "GET",
        f"{CYCLE}/conference/details/",
        (A.MANAGE_CONFERENCE,),
        phased=True,
    ),
    Probe(
        "conference_details",
        "POST",
        f"{CYCLE}/conference/details/",
        (A.MANAGE_CONFERENCE,),
        data={"place": "Đồng Văn"},
        phased=True,
    ),
    Probe(
        "poll_new",
        "POST",
        f"{CYCLE}/conference/polls/new/",
        (A.MANAGE_CONFERENCE,),
        data={"code": "bieu-quyet", "title": "Biểu quyết", "purpose": "other"},
        phased=True,
    ),
    Probe(
        "add_delegates",
        "POST",
        f"{CYCLE}/conference/delegates/",
        (A.MANAGE_CONFERENCE,),
        phased=True,
    ),
    Probe(
        "poll",
        "POST",
        f"{CYCLE}/conference/polls/co-bo-cong-an/",
        (A.CAST_BALLOT,),
        data={"step": "cast", "choice": "lao-cai"},
        phased=True,
        signed="co-bo-cong-an",
    ),
    Probe(
        "cast",
        "POST",
        f"{CYCLE}/conference/polls/co-bo-cong-an/cast/",
        (A.CAST_BALLOT,),
        data={"choice": "lao-cai"},
        phased=True,
        signed="co-bo-cong-an",
    ),
    Probe(
        "device_key",
        "POST",
        f"{CYCLE}/conference/device-key/",
        (A.CAST_BALLOT,),
        data={"public_key": "ab" * 32},
        setup=_forget_device_keys,
        phased=True,
    ),
    Probe(
        "poll_action",
        "POST",
        f"{CYCLE}/conference/polls/co-bo-cong-an/close/",
        (A.COUNT_BALLOTS,),
        phased=True,
    ),
    Probe(
        "paper_entry",
        "POST",
        f"{CYCLE}/conference/polls/co-bo-cong-an/paper/",
        (A.COUNT_BALLOTS,),
        data={"entry": "1", "issued": "0", "pile": ""},
        setup=_paper_poll,
        phased=True,
    ),
    Probe(
        "written",
        "POST",
        f"{CYCLE}/conference/polls/co-bo-cong-an/written/",
        (A.COUNT_BALLOTS,),
        phased=True,
    ),
    Probe(
        "conference_handover",
        "POST",
        f"{CYCLE}/conference/handover/",
        (A.RECORD_HANDOVER,),
        phased=True,
    ),
    # --- documents
    Probe("documents", "GET", f"{CYCLE}/documents/", (A.VIEW_RESULTS,)),
    Probe("document", "GET", f"{CYCLE}/documents/score-table/file/", (A.VIEW_RESULTS,)),
    Probe(
        "report_text",
        "POST",
        f"{CYCLE}/documents/report-text/",
        (A.EDIT_REPORT_TEXT,),
        data={"situation": "Tình hình"},
        phased=True,
    ),
    Probe(
        "document_grounds",
        "POST",
        f"{CYCLE}/documents/grounds/",
        (A.EDIT_REPORT_TEXT,),
        data={"grounds": "Quy chế của cụm"},
        phased=True,
    ),
    # --- API
    Probe("api:me", "GET", "/api/me", (A.VIEW_CLUSTER,), on="global"),
    Probe("api:list_units", "GET", "/api/units", (A.VIEW_UNIT,), on="global"),
    Probe("api:get_unit", "GET", "/api/units/son-la", (A.VIEW_UNIT,), on="unit:son-la"),
    Probe(
        "api:stands_for",
        "GET",
        "/api/units/son-la/stands-for?year=2020",
        (A.VIEW_UNIT,),
        on="unit:son-la",
    ),
    Probe(
        "api:create_lineage_event",
        "POST",
        "/api/lineage-events",
        (A.RECORD_LINEAGE,),
        on="global",
        json=True,
        data={
            "kind": "rename",
            "effective_date": "2030-01-01",
            "sources": ["son-la"],
            "targets": ["son-la"],
        },
    ),
    Probe("api:list_clusters", "GET", "/api/clusters", (A.VIEW_CLUSTER,), on="global"),
    Probe("api:get_cluster", "GET", "/api/clusters/cum-2", (A.VIEW_CLUSTER,), on="global"),
    Probe("api:list_cycles", "GET", "/api/cycles", (A.VIEW_CLUSTER,), on="global"),
    Probe(
        "api:create_cycle",
        "POST",
        "/api/cycles",
        (A.CREATE_CYCLE,),
        on="global",
        json=True,
        data={"cluster": "cum-2", "year": 2023, "members": ["son-la", "lai-chau"]},
    ),
    Probe("api:get_cycle", "GET", API, (A.VIEW_CYCLE,)),
    Probe(
        "api:phase_action",
        "POST",
        f"{API}/phases/{{phase}}/close",
        (A.CLOSE_PHASE,),
        json=True,
        phased=True,
    ),
    Probe(
        "api:record_handover",
        "POST",
        f"{API}/handover",
        (A.RECORD_HANDOVER,),
        json=True,
        data={"leader": "lao-cai", "deputy": "son-la", "method": "elected"},
        setup=_no_handover_yet,
        phased=True,
    ),
    Probe("api:cluster_table", "GET", f"{API}/stats", (A.VIEW_REPORT,)),
    Probe("api:get_report", "GET", f"{API}/reports/son-la", (A.VIEW_REPORT,), on="slot:son-la"),
    Probe(
        "api:put_report",
        "PUT",
        f"{API}/reports/son-la",
        (A.EDIT_REPORT,),
        on="slot:son-la",
        json=True,
        data={"figures": {"social_order_cases": 518}},
        setup=_draft_report,
        phased=True,
    ),
    Probe(
        "api:return_report",
        "POST",
        f"{API}/reports/son-la/return",
        (A.RETURN_REPORT,),
        on="slot:son-la",
        json=True,
        data={"reason": "Thiếu"},
        phased=True,
    ),
    Probe("api:get_agreement", "GET", f"{API}/agreement", (A.VIEW_AGREEMENT,)),
    Probe(
        "api:put_sheet",
        "PUT",
        f"{API}/sheets/son-la/ha-giang",
        (A.EDIT_SHEET,),
        on="slot:son-la",
        json=True,
        data={"scores": {"I.1": 5}},
        setup=_draft_sheet,
        phased=True,
    ),
    Probe("api:get_results", "GET", f"{API}/results", (A.VIEW_RESULTS,)),
    Probe("api:get_review", "GET", f"{API}/review/son-la", (A.VIEW_RESULTS,)),
    Probe(
        "api:post_explanation",
        "POST",
        f"{API}/review/son-la/explanations",
        (A.FILE_EXPLANATION,),
        on="slot:son-la",
        json=True,
        data={"criterion": "I.1", "reviewer": "ha-giang", "text": "Giải trình"},
        phased=True,
    ),
    Probe(
        "api:post_answer",
        "POST",
        f"{API}/explanations/9001/answer",
        (A.ANSWER_EXPLANATION,),
        on="slot:son-la",
        json=True,
        data={"keep": True, "reason": "Giữ nguyên"},
        setup=_explanations,
        phased=True,
    ),
    Probe(
        "api:post_finalise",
        "POST",
        f"{API}/explanations/9002/finalise",
        (A.FINALISE_EXPLANATION,),
        on="slot:ha-giang",  # Lạng Sơn's explanation: the leader, Hà Giang, concludes
        json=True,
        data={"accept": True},
        setup=_explanations,
        phased=True,
    ),
    Probe("api:list_polls", "GET", f"{API}/polls", (A.VIEW_CONFERENCE,)),
    Probe(
        "api:create_poll",
        "POST",
        f"{API}/polls",
        (A.MANAGE_CONFERENCE,),
        json=True,
        data={"code": "bieu-quyet", "title": "Biểu quyết", "purpose": "other"},
        phased=True,
    ),
    Probe("api:get_poll", "GET", f"{API}/polls/co-bo-cong-an", (A.VIEW_CONFERENCE,)),
    Probe(
        "api:cast",
        "POST",
        f"{API}/polls/co-bo-cong-an/ballot",
        (A.CAST_BALLOT,),
        json=True,
        data={"choices": ["lao-cai"]},
        phased=True,
        signed="co-bo-cong-an",
    ),
    Probe(
        "api:device_key",
        "PUT",
        f"{API}/device-key",
        (A.CAST_BALLOT,),
        json=True,
        data={"public_key": "ab" * 32},
        setup=_forget_device_keys,
        phased=True,
    ),
    Probe(
        "api:count",
        "POST",
        f"{API}/polls/co-bo-cong-an/close",
        (A.COUNT_BALLOTS,),
        json=True,
        phased=True,
    ),
    Probe(
        "api:paper",
        "POST",
        f"{API}/polls/co-bo-cong-an/paper",
        (A.COUNT_BALLOTS,),
        json=True,
        data={"entry": 1, "issued": 0, "ballots": []},
        setup=_paper_poll,
        phased=True,
    ),
    Probe(
        "api:written",
        "POST",
        f"{API}/polls/co-bo-cong-an/written",
        (A.COUNT_BALLOTS,),
        json=True,
        data={"delegate": "sonla.daibieu3", "ballot": {"choices": []}},
        phased=True,
    ),
    Probe(
        "api:start_ceremony",
        "POST",
        f"{API}/ceremony",
        (A.MANAGE_CONFERENCE,),
        json=True,
        data={"trustees": ["laocai.daibieu", "sonla.daibieu", "caobang.daibieu"], "threshold": 2},
        phased=True,
    ),
    Probe("api:get_ceremony", "GET", f"{API}/ceremony", (A.VIEW_CONFERENCE,)),
    *(
        Probe(
            route,
            "POST",
            f"{API}/ceremony/{path}",
            (A.COUNT_BALLOTS,),
            json=True,
            data=data,
            phased=True,
        )
        for route, path, data in (
            ("api:announce", "announcement", {}),
            ("api:send_shares", "shares", {"messages": []}),
            ("api:complain", "complaints", {}),
            ("api:confirm", "confirmation", {"verification_key": "00"}),
        )
    ),
    Probe("api:sealed_poll", "GET", f"{API}/polls/co-bo-cong-an/sealed", (A.VIEW_CONFERENCE,)),
    Probe(
        "api:spoil",
        "POST",
        f"{API}/polls/co-bo-cong-an/spoiled",
        (A.CAST_BALLOT,),
        json=True,
        phased=True,
    ),
    Probe(
        "api:decrypt",
        "POST",
        f"{API}/polls/co-bo-cong-an/decryption",
        (A.COUNT_BALLOTS,),
        json=True,
        data={"partial": {}, "turnout": 0},
        phased=True,
    ),
    Probe("api:transcript", "GET", f"{API}/ballot-transcript", (A.VIEW_CONFERENCE,)),
    Probe("api:list_documents", "GET", f"{API}/documents", (A.VIEW_RESULTS,)),
    Probe("api:get_document", "GET", f"{API}/documents/score-table", (A.VIEW_RESULTS,)),
]

#: Routes outside the matrix, and why.
EXEMPT = {
    "login": "open to everyone (signing in)",
    "logout": "ends one's own session",
    "set_language": "open to everyone (language cookie)",
    "about": "open to everyone: the installation key's fingerprint, public (tests/audit)",
    "record_quarantined": "same view checks as records (RECEIVE_RECORDS; tests/record)",
    "conference_join": "a one-time QR key stands for the person (tested in tests/voting)",
    "conference_join_code": "only redirects a typed key to conference_join (tests/voting)",
    "token_revoke": "one's own tokens only: others' are 404 (tested in tests/org)",
    "calendar_feed": "a secret key in the address stands for the person; wrong or revoked "
    "keys are 404 (tests/org/test_calendar.py)",
    "agreement_copy": "same view checks as agreement_import (EDIT_AGREEMENT)",
    "agreement_sign": "same view checks as agreement_import (EDIT_AGREEMENT)",
    "evidence": "a file of a cycle's readers, VIEW_RESULTS (tested in tests/scoring)",
    "check_in": "same view checks as add_delegates (MANAGE_CONFERENCE)",
    "receipt": "one's own receipt code (tested in tests/voting)",
    "api:openapi-json": "the API's description, for signed-in users",
    "api:openapi-view": "the API's documentation page, for signed-in users",
    "api:api-root": "no endpoint",
    "api:list_indicators": "the catalog, for every signed-in user",
    "api:get_sheet": "same checks as the sheet page (VIEW_DRAFT_SHEET / VIEW_RESULTS)",
    "api:check_in": "same view checks as add_delegates (MANAGE_CONFERENCE)",
    "api:published": "receipts and ballot multiset once counted, VIEW_CONFERENCE",
}
#: Actions no HTTP route performs: they are command-line or service-only (tested there).
NOT_OVER_HTTP = {
    A.RECORD_BASELINE: "thidua import-stats / the demo loader",
    A.EDIT_PUBLISHED_FIGURES: "service only (the demo loader)",
    A.REOPEN_PHASE: "the same route as close, with a reason (tests/org)",
    A.OPEN_PHASE: "the same route as close (tests/org)",
    A.VIEW_DRAFT_SHEET: "the sheet page's GET (tests/scoring)",
    A.ASSIGN_LEADER: "the hand-over route with method=assigned (tests/org)",
}
PHASES_TRIED = [phase.value for phase in PHASES]
