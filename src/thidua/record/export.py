"""A cycle as a record: its data and the results as the app computes them (selectors).

Only what the year was decided from goes in, with no time of day except the polls' (printed
on the vote-count minutes); people appear by the names printed in the documents, never by
their accounts, and ballots without any link to who cast them or when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Q

from thidua.audit import services as audit_services
from thidua.audit import versions
from thidua.audit.models import AuditEntry
from thidua.audit.services import chain_of
from thidua.core import record as core_record
from thidua.core.audit import canonical_json
from thidua.core.indicators import Period
from thidua.core.messages import format_clock
from thidua.core.numbers import tidy
from thidua.documents import builders
from thidua.documents.models import ReportSection
from thidua.org import selectors as org_selectors
from thidua.org.models import Cycle, Handover, LineageLink, Unit
from thidua.scoring import selectors as scoring_selectors
from thidua.scoring.models import Fact
from thidua.stats import selectors as stats_selectors
from thidua.stats.models import PublishedFigure, Report, ReportValue
from thidua.voting import selectors as voting_selectors
from thidua.voting.models import Ballot, Elector, Poll


def _moment(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value else None


def _relevant_units(
    cycle: Cycle, members: list[Unit]
) -> tuple[set[str], list[core_record.LineageEvent]]:
    """The members and every unit they stood for a year earlier, with the lineage events
    between them (what the baseline is computed from)."""
    links = LineageLink.objects.select_related("event", "unit").order_by("event_id", "unit__code")
    events: dict[int, dict] = {}
    for link in links:
        entry = events.setdefault(
            link.event_id,
            {
                "kind": link.event.kind,
                "effective_date": link.event.effective_date,
                "legal_basis": link.event.legal_basis,
                "sources": [],
                "targets": [],
            },
        )
        entry[f"{link.role}s"].append(link.unit.code)
    codes = {unit.code for unit in members}
    chosen: dict[int, dict] = {}
    grown = True
    while grown:
        grown = False
        for pk, event in events.items():
            if pk not in chosen and codes & set(event["targets"]):
                chosen[pk] = event
                codes |= set(event["sources"]) | set(event["targets"])
                grown = True
    ordered = sorted(
        chosen.values(), key=lambda e: (e["effective_date"], e["sources"], e["targets"])
    )
    return codes, [core_record.LineageEvent(**event) for event in ordered]


def _units(codes: set[str]) -> list[core_record.Unit]:
    return [
        core_record.Unit(
            code=unit.code,
            name=unit.name,
            short_name=unit.short_name,
            kind=unit.kind,
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            head_rank=unit.head_rank,
            head_title=unit.head_title,
            head_name=unit.head_name,
        )
        for unit in Unit.objects.filter(code__in=codes).order_by("code")
    ]


def _indicators(cycle: Cycle) -> list[core_record.Indicator]:
    """The catalog's indicators the cycle's chain logged last: all of this installation's
    (its chains log every change), those of the laptop's catalog for a chain mirrored from
    one (one query: the last catalog entry)."""
    catalog = stats_selectors.record_catalog()
    logged = (
        AuditEntry.objects.filter(chain=chain_of(cycle), action=core_record.AuditAction.CATALOG)
        .order_by("-seq")
        .values_list("after", flat=True)
        .first()
    )
    if logged is None:
        return catalog
    codes = set(logged.get("indicators", {}))
    return [indicator for indicator in catalog if indicator.code in codes]


def _reports(cycle: Cycle, members: list[Unit], earlier: set[str]) -> list[core_record.Report]:
    wanted = [(code.code, cycle.year) for code in members] + [
        (code, cycle.year - 1) for code in earlier
    ]
    reports = Report.objects.filter(period=Period.YEAR.value).select_related("unit", "cycle")
    reports = reports.filter(
        unit__code__in={code for code, _year in wanted}, year__in={cycle.year - 1, cycle.year}
    )
    figures: dict[int, dict[str, Decimal]] = {}
    for report_id, code, value in ReportValue.objects.filter(report__in=reports).values_list(
        "report_id", "indicator__code", "value"
    ):
        figures.setdefault(report_id, {})[code] = tidy(value)
    return sorted(
        (
            core_record.Report(
                unit=report.unit.code,
                year=report.year,
                period=report.period,
                status=report.status,
                in_cycle=report.cycle_id == cycle.pk,
                source=report.source,
                returned_reason=report.returned_reason,
                figures=figures.get(report.pk, {}),
                notes=dict(report.notes or {}),
                on_behalf_reason=report.on_behalf_reason,
                excuse=report.excuse,
                highlights=report.highlights,
            )
            for report in reports
            if (report.unit.code, report.year) in set(wanted)
        ),
        key=lambda r: (r.year, r.unit, r.period),
    )


def _statistics(cycle: Cycle) -> core_record.Statistics:
    """The cluster table as the statistics pages compute it (active indicators)."""
    table = stats_selectors.cluster_table(cycle, Period.YEAR)

    def row(cells) -> core_record.StatisticsRow:
        return core_record.StatisticsRow(
            values={c.indicator.code: c.value for c in cells},
            baseline={c.indicator.code: c.before for c in cells},
        )

    return core_record.Statistics(
        units={item.unit.code: row(item.cells) for item in table.rows},
        total=row(table.total.cells),
    )


def _agreement(
    cycle: Cycle, members: list[Unit]
) -> tuple[core_record.Agreement | None, core_record.Scoring | None]:
    agreement = scoring_selectors.agreement_of(cycle)
    if agreement is None:
        return None, None
    criteria = scoring_selectors.criteria_of(agreement)
    table = scoring_selectors.table_of(criteria)
    by_code = {row.code: row for row in criteria}
    facts = Fact.objects.filter(criterion__agreement=agreement).select_related("criterion", "unit")
    data = core_record.Agreement(
        declared_total=agreement.declared_total,
        rules=agreement.rules,
        assignment_kind=agreement.assignment,
        assignment=scoring_selectors.assignment(agreement, members),
        criteria=[
            core_record.Criterion(
                code=c.code,
                name=c.name,
                kind=c.kind,
                max_points=c.max_points,
                parent=c.parent,
                min_points=c.min_points,
                indicator=c.indicator,
                points_each=c.points_each,
                penalty_each=c.penalty_each,
                measure=c.measure,
                position=by_code[c.code].position,
                guidance=by_code[c.code].guidance,
            )
            for c in table.criteria.values()
        ],
        targets=sorted(
            (unit, criterion, value)
            for (unit, criterion), value in scoring_selectors.targets_of(agreement).items()
        ),
        facts=sorted(
            (
                core_record.Fact(
                    unit=fact.unit.code,
                    criterion=fact.criterion.code,
                    achieved=fact.achieved,
                    count=fact.count,
                    penalties=fact.penalties,
                )
                for fact in facts
            ),
            key=lambda f: (f.unit, f.criterion),
        ),
        approved_by=sorted(unit.code for unit in agreement.approved_by.all()),
        signed_at=_moment(agreement.signed_at),
        note=agreement.note,
    )
    results = scoring_selectors.results(cycle)
    scoring = core_record.Scoring(
        ranking=[
            core_record.Standing(
                unit=unit.code,
                rank=result.rank,
                total=result.total,
                self_total=result.self_total,
                band=result.band,
                points={code: item.points for code, item in result.criteria.items()},
            )
            for unit, result in results.standings
        ]
    )
    return data, scoring


def _sheets(cycle: Cycle) -> list[core_record.Sheet]:
    return sorted(
        (
            core_record.Sheet(
                scorer=sheet.scorer.code,
                target=sheet.target.code,
                kind=sheet.kind,
                status=sheet.status,
                scores={s.criterion.code: s.value for s in sheet.scores.all()},
                on_behalf_reason=sheet.on_behalf_reason,
                excuse=sheet.excuse,
            )
            for sheet in scoring_selectors.sheets_of(cycle, submitted_only=False)
        ),
        key=lambda s: (s.scorer, s.target),
    )


def _conference(cycle: Cycle) -> tuple[core_record.Conference | None, list[core_record.Poll]]:
    conference = voting_selectors.conference_of(cycle)
    if conference is None:
        return None, []
    delegates = voting_selectors.delegates_of(conference)
    keys = delegate_keys(delegates)
    data = core_record.Conference(
        held_on=conference.held_on,
        starts_at=format_clock(conference.starts_at),
        ends_at=format_clock(conference.ends_at),
        place=conference.place,
        agenda=conference.agenda,
        chair=conference.chair_name,
        chair_rank=conference.chair_rank,
        chair_position=conference.chair_position,
        secretary=conference.secretary_name,
        secretary_rank=conference.secretary_rank,
        secretary_position=conference.secretary_position,
        guests=conference.guests,
        conclusions=conference.conclusions,
        delegates=[
            core_record.Delegate(
                name=delegate.user.display_name,
                unit=delegate.unit.code,
                board=delegate.board,
                checked_in=delegate.checked_in_at is not None,
            )
            for delegate in delegates
        ],
        reissues=[
            core_record.Reissue(
                delegate=keys[reissue.delegate_id],
                at=_moment(reissue.issued_at),
                by=reissue.issued_by.display_name if reissue.issued_by else "",
                reason=reissue.reason,
            )
            for reissue in voting_selectors.reissues_before(conference, None)
        ],
        ceremony=_ceremony(conference),
    )
    electors: dict[int, list[str]] = {}
    for poll_id, delegate_id in Elector.objects.filter(poll__conference=conference).values_list(
        "poll_id", "delegate_id"
    ):
        electors.setdefault(poll_id, []).append(keys[delegate_id])
    polls = list(voting_selectors.polls_of(conference))
    codes = {poll.pk: poll.code for poll in polls}
    ballots: dict[int, list] = {}
    for row in Ballot.objects.filter(
        poll__conference=conference, poll__status=Poll.Status.CLOSED, filled=True
    ).values("poll_id", "content", "source", "receipt"):
        ballots.setdefault(row["poll_id"], []).append(row)
    found = []
    for poll in polls:
        mine = ballots.get(poll.pk, [])
        counted = poll.status == Poll.Status.CLOSED
        sealed = voting_selectors.sealed_section(poll) if counted else None
        # a score poll's paper ballots are published ballot by ballot too (trimmed means and
        # `thidua verify` need every ballot's scores; core.score_ballots)
        score = voting_selectors.is_score(poll)
        paper = "paper" if score else "electronic"
        phone = [b for b in mine if b["source"] in ("electronic", paper) and sealed is None]
        found.append(
            core_record.Poll(
                code=poll.code,
                title=poll.title,
                purpose=poll.purpose,
                title_code=poll.title_code,
                mode=poll.mode,
                rules=poll.rules,
                status=poll.status,
                electorate=poll.electorate,
                opened_at=_moment(poll.opened_at),
                closed_at=_moment(poll.closed_at),
                runoff_of=codes.get(poll.runoff_of_id),
                candidates=[c.unit.code for c in poll.candidates.all()],
                kept={c.unit.code: c.kept_reason for c in poll.candidates.all() if c.kept_reason},
                electors=sorted(electors.get(poll.pk, [])),
                # published only once counted, never linked to their receipts
                ballots=sorted(
                    (core_record.Ballot(content=b["content"]) for b in phone),
                    key=lambda ballot: canonical_json(ballot.content),
                ),
                receipts=sorted(b["receipt"] for b in mine if b["receipt"]),
                result=poll.result
                if poll.status in (Poll.Status.CLOSED, Poll.Status.VOID)
                else None,
                paper=core_record.Totals(**poll.paper)
                if counted and poll.paper and not score
                else None,
                score_paper=core_record.ScorePaper(**poll.paper)
                if counted and poll.paper and score
                else None,
                sealed=sealed,
            )
        )
    return data, found


def _ceremony(conference) -> dict | None:
    """The board's key ceremony, once its key is ready (the polls it sealed rest on it)."""
    ceremony = voting_selectors.ready_ceremony(conference)
    return voting_selectors.ceremony_section(ceremony) if ceremony else None


def delegate_keys(delegates) -> dict[int, str]:
    """Delegate id → `unit/n`: how a record names a delegate (the unit's n-th in the
    conference's order, which is the order they were added), never by account."""
    count: dict[str, int] = {}
    keys = {}
    for delegate in delegates:
        count[delegate.unit.code] = count.get(delegate.unit.code, 0) + 1
        keys[delegate.pk] = f"{delegate.unit.code}/{count[delegate.unit.code]}"
    return keys


def _documents(cycle: Cycle, conference: core_record.Conference | None) -> list:
    """Digests of the documents whose every line comes from the record (dated by the
    conference; without its date a document carries the day it is made). Each document
    built once per version of the cycle: what the record holds is audited, so a new version
    is what can change them (building them is most of an export: a second of 18 files)."""
    if conference is None or conference.held_on is None:
        return []
    return versions.cached(cycle, "record.documents", lambda: _digests(cycle))


def _digests(cycle: Cycle) -> list[core_record.Document]:
    found = []
    for plan in builders.plans(cycle):
        if plan.ready and plan.in_record:
            built = plan.build()
            found.append(
                core_record.Document(
                    key=plan.key,
                    filename=built.filename,
                    digest=core_record.document_digest(built.content),
                )
            )
    return found


def _audit(cycle: Cycle) -> core_record.Audit:
    """The cycle's audit chain, whole (with what it carries from other chains)."""
    chain = chain_of(cycle)
    entries = list(AuditEntry.objects.filter(chain=chain).order_by("seq"))
    return core_record.Audit(
        chain=chain,
        entries=[
            core_record.Entry(
                seq=e.seq,
                prev_hash=e.prev_hash,
                hash=e.hash,
                origin=core_record.Origin(**e.origin) if e.origin else None,
                payload=core_record.Payload(
                    at=e.at.astimezone(UTC),
                    actor=e.actor,
                    unit=e.unit,
                    cycle=e.cycle,
                    action=e.action,
                    object_type=e.object_type,
                    object_id=e.object_id,
                    before=e.before,
                    after=e.after,
                ),
            )
            for e in entries
        ],
        head=entries[-1].hash if entries else None,
    )


def export(cycle: Cycle) -> core_record.Record:
    """The record of `cycle` (see docs/record.md): the results computed once for its scoring
    part and every document it carries the digest of."""
    with scoring_selectors.results_shared():
        return _export(cycle)


def _export(cycle: Cycle) -> core_record.Record:
    members = org_selectors.member_units(cycle)
    codes, lineage = _relevant_units(cycle, members)
    every_unit = org_selectors.lineage()  # once: it reads every unit and lineage event
    last_year = Period.YEAR.end(cycle.year - 1)
    earlier = {
        unit for member in members for unit in every_unit.ancestors_on(member.code, last_year).units
    }
    codes |= earlier
    reports = _reports(cycle, members, earlier)
    agreement, scoring = _agreement(cycle, members)
    conference, polls = _conference(cycle)
    rule_set = cycle.rule_set
    return core_record.Record(
        format=core_record.FORMAT,
        version=core_record.VERSION,
        cycle=core_record.Cycle(
            cluster=cycle.cluster.code,
            cluster_name=cycle.cluster.name,
            parent_body=cycle.cluster.parent_body,
            movement=cycle.cluster.movement,
            year=cycle.year,
            title=cycle.title,
            phase=cycle.phase,
            phase_is_open=cycle.phase_is_open,
            leader=cycle.leader.code,
            deputy=cycle.deputy.code if cycle.deputy else None,
            members=[unit.code for unit in members],
            note=cycle.note,
            rule_set=core_record.RuleSet(
                code=rule_set.code,
                version=rule_set.version,
                name=rule_set.name,
                legal_basis=rule_set.legal_basis,
                effective_from=rule_set.effective_from,
                effective_to=rule_set.effective_to,
                data=rule_set.data,
            ),
        ),
        units=_units(codes),
        lineage=lineage,
        handovers=[
            core_record.Handover(
                year=handover.year,
                leader=handover.leader.code,
                deputy=handover.deputy.code if handover.deputy else None,
                method=handover.method,
                decision_ref=handover.decision_ref,
                note=handover.note,
                from_this_cycle=handover.from_cycle_id == cycle.pk,
            )
            for handover in Handover.objects.filter(
                Q(cluster=cycle.cluster, year=cycle.year) | Q(from_cycle=cycle)
            )
            .select_related("leader", "deputy")
            .order_by("year", "id")
        ],
        indicators=_indicators(cycle),
        reports=reports,
        published=sorted(
            (
                core_record.PublishedFigure(
                    period=figure.period,
                    indicator=figure.indicator.code,
                    value=figure.value,
                    source=figure.source,
                )
                for figure in PublishedFigure.objects.filter(cycle=cycle).select_related(
                    "indicator"
                )
            ),
            key=lambda f: (f.period, f.indicator),
        ),
        report_text={
            section.key: section.text for section in ReportSection.objects.filter(cycle=cycle)
        },
        statistics=_statistics(cycle),
        agreement=agreement,
        sheets=_sheets(cycle),
        scoring=scoring,
        conference=conference,
        polls=polls,
        documents=_documents(cycle, conference),
        audit=_audit(cycle),
        seal=_seal(cycle),
    )


def _seal(cycle: Cycle) -> core_record.Seal:
    public_key, signature = audit_services.seal(chain_of(cycle))
    return core_record.Seal(public_key=public_key, signature=signature)


def export_json(cycle: Cycle) -> dict:
    """The record of `cycle` as plain JSON values (what a file holds)."""
    return core_record.to_json(export(cycle))
