"""Restore a record into this database (e.g. a conference laptop's year onto the ministry
server): all or nothing, only a record that verifies, only a cycle the database lacks.

Units, lineage events, rule sets, indicators and earlier years' reports already on the server
are kept when they agree with the record and refused when they differ. People are not in a
record: delegates come back as inactive accounts carrying the names the documents print.
The cycle's audit chain comes back exactly as written; the import itself is an entry of this
server's own chain (the installation's), naming the cycle and its chain's head.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.db import transaction
from django.utils import timezone

from thidua.audit import services as audit_services
from thidua.audit.models import AuditEntry, AuditHead
from thidua.audit.services import record as audit
from thidua.core import record as core_record
from thidua.core import typed
from thidua.core.messages import Label, Problem, gettext_noop
from thidua.core.record import AuditAction, Record
from thidua.core.verify import verify
from thidua.documents.models import ReportSection
from thidua.errors import DomainError
from thidua.org.authz import SYSTEM
from thidua.org.models import (
    Cluster,
    Cycle,
    Handover,
    LineageEvent,
    LineageLink,
    Membership,
    RuleSet,
    Unit,
    User,
    UserKind,
)
from thidua.scoring.models import (
    Agreement,
    Criterion,
    Fact,
    InspectionTeam,
    Score,
    ScoreSheet,
    Target,
)
from thidua.stats.models import Indicator, PublishedFigure, Report, ReportValue
from thidua.voting.models import (
    Ballot,
    Candidate,
    Conference,
    Decryption,
    Delegate,
    Elector,
    KeyCeremony,
    Poll,
    Reissue,
    SpoiledBallot,
    Trustee,
    TrusteeComplaint,
    TrusteeMessage,
)


def _differs(what: Label, code: str) -> Problem:
    return Problem(
        "record_conflict",
        gettext_noop(
            "%(what)s “%(code)s” đã có trên máy chủ nhưng khác với bản ghi; không nhập gì."
        ),
        {"what": what, "code": code},
    )


def _units(record: Record) -> dict[str, Unit]:
    units = {}
    for data in record.units:
        fields = {
            "name": data.name,
            "short_name": data.short_name,
            "kind": data.kind,
            "valid_from": data.valid_from,
            "valid_to": data.valid_to,
            "head_rank": data.head_rank,
            "head_title": data.head_title,
            "head_name": data.head_name,
        }
        unit, created = Unit.objects.get_or_create(code=data.code, defaults=fields)
        if not created and any(
            getattr(unit, key) != fields[key] for key in ("name", "valid_from", "valid_to")
        ):
            raise DomainError([_differs(Label(gettext_noop("Đơn vị")), unit.code)])
        units[unit.code] = unit
    return units


def _lineage(record: Record, units: dict[str, Unit]) -> None:
    existing = {
        (e.kind, e.effective_date): {
            (link.role, link.unit.code) for link in e.links.select_related("unit")
        }
        for e in LineageEvent.objects.prefetch_related("links")
    }
    for data in record.lineage:
        links = {("source", code) for code in data.sources} | {
            ("target", code) for code in data.targets
        }
        if existing.get((data.kind, data.effective_date)) == links:
            continue
        event = LineageEvent.objects.create(
            kind=data.kind, effective_date=data.effective_date, legal_basis=data.legal_basis
        )
        LineageLink.objects.bulk_create(
            LineageLink(event=event, unit=units[code], role=role) for role, code in sorted(links)
        )


def _rule_set(data: core_record.RuleSet) -> RuleSet:
    fields = {
        "name": data.name,
        "legal_basis": data.legal_basis,
        "effective_from": data.effective_from,
        "effective_to": data.effective_to,
        "data": data.data,
    }
    rule_set, created = RuleSet.objects.get_or_create(
        code=data.code, version=data.version, defaults=fields
    )
    if not created and rule_set.data != data.data:
        raise DomainError(
            [_differs(Label(gettext_noop("Bộ quy tắc")), f"{data.code}@{data.version}")]
        )
    return rule_set


INDICATOR_FIELDS = (
    "name",
    "name_en",
    "section",
    "section_en",
    "measure",
    "measure_en",
    "kind",
    "direction",
    "decimals",
    "scope",
    "position",
    "active",
    "plausible_relative",
    "plausible_absolute",
)


def _indicators(record: Record) -> dict[str, Indicator]:
    found = {}
    for data in record.indicators:
        fields = {key: getattr(data, key) for key in INDICATOR_FIELDS}
        indicator, created = Indicator.objects.get_or_create(code=data.code, defaults=fields)
        if not created and (indicator.kind, indicator.decimals) != (data.kind, data.decimals):
            raise DomainError([_differs(Label(gettext_noop("Chỉ tiêu")), indicator.code)])
        found[indicator.code] = indicator
    code_of = {indicator.pk: code for code, indicator in found.items()}
    for data in record.indicators:
        indicator = found[data.code]
        if data.numerator and indicator.numerator_id is None:
            indicator.numerator = found[data.numerator]
            indicator.denominator = found[data.denominator]
            indicator.save(update_fields=["numerator", "denominator"])
        elif (code_of.get(indicator.numerator_id), code_of.get(indicator.denominator_id)) != (
            data.numerator,
            data.denominator,
        ):  # a rate this installation computes over other figures than the record's log
            raise DomainError([_differs(Label(gettext_noop("Chỉ tiêu")), indicator.code)])
    return found


def _reports(record: Record, cycle: Cycle, units, indicators) -> None:
    for data in record.reports:
        existing = Report.objects.filter(
            unit=units[data.unit], year=data.year, period=data.period
        ).first()
        if existing is not None:
            stored = {
                v.indicator.code: v.value for v in existing.values.select_related("indicator")
            }
            if stored != data.figures or data.in_cycle:
                raise DomainError(
                    [
                        _differs(
                            Label(gettext_noop("Báo cáo")),
                            f"{data.unit}/{data.year}/{data.period}",
                        )
                    ]
                )
            continue
        report = Report.objects.create(
            unit=units[data.unit],
            year=data.year,
            period=data.period,
            cycle=cycle if data.in_cycle else None,
            status=data.status,
            source=data.source,
            returned_reason=data.returned_reason,
            on_behalf_reason=data.on_behalf_reason,
            excuse=data.excuse,
            highlights=data.highlights,
            notes=dict(data.notes),
        )
        ReportValue.objects.bulk_create(
            ReportValue(report=report, indicator=indicators[code], value=value)
            for code, value in data.figures.items()
        )


def _agreement(record: Record, cycle: Cycle, units, indicators) -> None:
    data = record.agreement
    if data is None:
        return
    agreement = Agreement.objects.create(
        cycle=cycle,
        declared_total=data.declared_total,
        rules=data.rules,
        assignment=data.assignment_kind,
        signed_at=data.signed_at,
        note=data.note,
    )
    agreement.approved_by.set([units[code] for code in data.approved_by])
    criteria: dict[str, Criterion] = {}
    for item in data.criteria:
        criteria[item.code] = Criterion.objects.create(
            agreement=agreement,
            code=item.code,
            parent=criteria.get(item.parent) if item.parent else None,
            position=item.position,
            name=item.name,
            kind=item.kind,
            max_points=item.max_points,
            min_points=item.min_points,
            indicator=indicators.get(item.indicator) if item.indicator else None,
            points_each=item.points_each,
            penalty_each=item.penalty_each,
            guidance=item.guidance,
        )
    Target.objects.bulk_create(
        Target(criterion=criteria[criterion], unit=units[unit], value=value)
        for unit, criterion, value in data.targets
    )
    Fact.objects.bulk_create(
        Fact(
            criterion=criteria[fact.criterion],
            unit=units[fact.unit],
            achieved=fact.achieved,
            count=fact.count,
            penalties=fact.penalties,
        )
        for fact in data.facts
    )
    if data.assignment_kind == Agreement.Assignment.TEAMS:
        for target, scorers in data.assignment.items():
            team = InspectionTeam.objects.create(agreement=agreement, inspected=units[target])
            team.scorers.set([units[code] for code in scorers])
    for sheet in record.sheets:
        saved = ScoreSheet.objects.create(
            cycle=cycle,
            scorer=units[sheet.scorer],
            target=units[sheet.target],
            kind=sheet.kind,
            status=sheet.status,
            on_behalf_reason=sheet.on_behalf_reason,
            excuse=sheet.excuse,
        )
        Score.objects.bulk_create(
            Score(sheet=saved, criterion=criteria[code], value=value)
            for code, value in sheet.scores.items()
        )


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _named(cycle: Cycle, name: str, kind: str, unit: Unit | None) -> User:
    """A person of the record: a name for the documents, not an account anyone signs in to."""
    person = User(
        username=f"ban-ghi-{cycle.cluster.code}-{cycle.year}-{secrets.token_hex(4)}",
        first_name=name,
        kind=kind,
        unit=unit,
        is_active=False,
    )
    person.set_unusable_password()
    person.save()
    return person


def _conference(record: Record, cycle: Cycle, units) -> None:
    data = record.conference
    if data is None:
        return
    conference = Conference.objects.create(
        cycle=cycle,
        held_on=data.held_on,
        starts_at=_clock(data.starts_at),
        ends_at=_clock(data.ends_at),
        place=data.place,
        agenda=data.agenda,
        chair_name=data.chair,
        chair_rank=data.chair_rank,
        chair_position=data.chair_position,
        secretary_name=data.secretary,
        secretary_rank=data.secretary_rank,
        secretary_position=data.secretary_position,
        guests=data.guests,
        conclusions=data.conclusions,
    )
    delegates: dict[str, Delegate] = {}
    count: dict[str, int] = {}
    for delegate in data.delegates:
        count[delegate.unit] = count.get(delegate.unit, 0) + 1
        delegates[f"{delegate.unit}/{count[delegate.unit]}"] = Delegate.objects.create(
            conference=conference,
            unit=units[delegate.unit],
            user=_named(cycle, delegate.name, UserKind.DELEGATE, units[delegate.unit]),
            board=delegate.board,
            checked_in_at=timezone.now() if delegate.checked_in else None,
        )
    for reissue in data.reissues:
        Reissue.objects.create(
            delegate=delegates[reissue.delegate],
            issued_by=_named(cycle, reissue.by, UserKind.SECRETARY, None) if reissue.by else None,
            issued_at=reissue.at,
            reason=reissue.reason,
        )
    ceremony = _ceremony(conference, data.ceremony)
    polls: dict[str, Poll] = {}
    for item in record.polls:
        poll = Poll.objects.create(
            conference=conference,
            code=item.code,
            title=item.title,
            purpose=item.purpose,
            title_code=item.title_code,
            mode=item.mode,
            rules=item.rules,
            status=item.status,
            electorate=item.electorate,
            opened_at=item.opened_at,
            closed_at=item.closed_at,
            runoff_of=polls.get(item.runoff_of) if item.runoff_of else None,
            result=item.result,
            paper=item.score_paper.as_core().as_json() if item.score_paper else _paper(item.paper),
        )
        polls[poll.code] = poll
        if item.sealed is not None:
            _sealed_poll(poll, ceremony, item)
        Candidate.objects.bulk_create(
            Candidate(
                poll=poll,
                unit=units[code],
                position=position,
                kept_reason=item.kept.get(code, ""),
            )
            for position, code in enumerate(item.candidates)
        )
        Elector.objects.bulk_create(  # who voted is not in a record: none is marked
            Elector(poll=poll, delegate=delegates[key]) for key in item.electors
        )
        trackers = {b["tracker"] for b in (item.sealed or {}).get("ballots", ())}
        receipts = iter(r for r in item.receipts if r not in trackers)
        phone = [(ballot.content, "electronic") for ballot in item.ballots]
        written = [(None, "written")] * (item.paper.written if item.paper else 0)
        Ballot.objects.bulk_create(  # a written opinion keeps its receipt, not its content
            Ballot(
                poll=poll, filled=True, content=content, source=source, receipt=next(receipts, "")
            )
            for content, source in phone + written
        )


def _paper(totals: core_record.Totals | None) -> dict | None:
    """A poll's paper totals as the poll keeps them."""
    if totals is None:
        return None
    return {**totals.as_core().as_json(), "written": totals.written}


def _ceremony(conference: Conference, data: dict | None) -> KeyCeremony | None:
    """The board's ceremony as the record holds it: what its members published stands
    without their accounts (restored members are not tied to delegates)."""
    if data is None:
        return None
    ceremony = KeyCeremony.objects.create(
        conference=conference,
        label=data["label"],
        members=data["members"],
        threshold=data["threshold"],
        status=KeyCeremony.Status.READY,
        public_key=data["public_key"],
        key_fingerprint=data["key_fingerprint"],
    )
    Trustee.objects.bulk_create(
        Trustee(
            ceremony=ceremony,
            index=announcement["index"],
            announcement={k: v for k, v in announcement.items() if k != "fingerprint"},
            fingerprint=announcement["fingerprint"],
            confirmed=True,
        )
        for announcement in data["announcements"]
    )
    TrusteeMessage.objects.bulk_create(
        TrusteeMessage(ceremony=ceremony, sender=m["from"], recipient=m["to"], body=m)
        for m in data["shares"]
    )
    TrusteeComplaint.objects.bulk_create(
        TrusteeComplaint(ceremony=ceremony, body=c, upheld=c["upheld"]) for c in data["complaints"]
    )
    return ceremony


def _sealed_poll(poll: Poll, ceremony: KeyCeremony | None, item) -> None:
    sealed = item.sealed
    if ceremony is None:
        raise ValueError("an encrypted poll without the board's ceremony")
    poll.ceremony, poll.public_key, poll.form = ceremony, ceremony.public_key, sealed["form"]
    poll.sealed_tally = {
        "ballots": sealed["turnout"],
        "sums": sealed["sums"],
        "counts": sealed["counts"],
        "issued": (item.result or {}).get("issued"),
        "voters": None,
        **({"cast_by_unit": sealed["cast_by_unit"]} if "cast_by_unit" in sealed else {}),
    }
    poll.save(update_fields=["ceremony", "public_key", "form", "sealed_tally"])
    Ballot.objects.bulk_create(
        Ballot(
            poll=poll,
            filled=True,
            content={k: v for k, v in ballot.items() if k != "tracker"},
            source="electronic",
            receipt=ballot["tracker"],
        )
        for ballot in sealed["ballots"]
    )
    SpoiledBallot.objects.bulk_create(SpoiledBallot(poll=poll, body=s) for s in sealed["spoiled"])
    trustees = {t.index: t for t in ceremony.trustees.all()}
    Decryption.objects.bulk_create(
        Decryption(
            poll=poll,
            trustee=trustees[partial["member"]],
            body=partial,
            turnout_typed=sealed["turnout"],
        )
        for partial in sealed["partials"]
    )


def _audit_chain(record: Record, *, mirror: bool) -> list[AuditEntry]:
    """The entries of the cycle's chain this database lacks, exactly as the record holds
    them (so their hashes still follow on from those it has), and the chain's head, sealed
    as the record is sealed, so that what extends it next follows on."""
    chain = record.audit.chain
    hashes = list(
        AuditEntry.objects.filter(chain=chain).order_by("seq").values_list("hash", flat=True)
    )
    held = len(hashes)
    if [item.hash for item in record.audit.entries[:held]] != hashes:
        raise DomainError(  # the head is attested below: only over entries the record holds
            [
                Problem(
                    "chain_differs",
                    gettext_noop(
                        "Nhật ký “%(chain)s” đã có trong cơ sở dữ liệu và khác với nhật ký của "
                        "bản ghi: không nhập gì."
                    ),
                    {"chain": chain},
                )
            ]
        )
    restored = AuditEntry.objects.bulk_create(
        AuditEntry(
            at=item.payload.at,
            actor=item.payload.actor,
            unit=item.payload.unit,
            cycle=item.payload.cycle,
            action=item.payload.action,
            object_type=item.payload.object_type,
            object_id=item.payload.object_id,
            before=item.payload.before,
            after=item.payload.after,
            chain=chain,
            seq=item.seq,
            origin=typed.write(item.origin),
            prev_hash=item.prev_hash,
            hash=item.hash,
        )
        for item in record.audit.entries[held:]
    )
    registered = [e for e in record.audit.entries if e.payload.action == AuditAction.KEY_REGISTER]
    catalogs = [
        e.payload.after for e in record.audit.entries if e.payload.action == AuditAction.CATALOG
    ]
    AuditHead.objects.update_or_create(
        chain=chain,
        defaults={
            "hash": record.audit.head,
            "count": len(record.audit.entries),
            # attested here: the record verified before anything was written
            "mac": audit_services.head_mac(chain, len(record.audit.entries), record.audit.head),
            "key": registered[-1].payload.after["fingerprint"] if registered else "",
            "seal": typed.write(record.seal),
            "mirror": mirror,
            "catalog": audit_services.catalog_digest(typed.write(catalogs[-1])) if catalogs else "",
        },
    )
    # the catalog as this installation has it (the record's indicators added to it), logged
    # in its own chains; a chain mirrored from a laptop keeps the laptop's
    audit_services.log_catalog()
    return restored


def refuse_unless_verified(document: dict) -> Record:
    """The record in `document`, or DomainError naming (up to ten of) its differences."""
    findings = verify(document)
    if findings:
        raise DomainError(
            [
                Problem(
                    "record_does_not_verify",
                    gettext_noop("Bản ghi không khớp khi kiểm tra lại: %(finding)s"),
                    {"finding": finding.render()},
                )
                for finding in findings[:10]
            ]
        )
    return core_record.read(document)[0]


@transaction.atomic
def restore(document: dict, *, actor=SYSTEM) -> Cycle:
    """Write the cycle of a record (`document`: its parsed JSON) into this database, or
    nothing: a backup of this installation, whose chains it goes on writing."""
    record = refuse_unless_verified(document)
    data = record.cycle
    if Cycle.objects.filter(cluster__code=data.cluster, year=data.year).exists():
        raise DomainError(
            [
                Problem(
                    "cycle_exists",
                    gettext_noop("Năm thi đua %(cycle)s đã có trên máy chủ; không nhập gì."),
                    {"cycle": f"{data.cluster}/{data.year}"},
                )
            ]
        )
    cycle, restored = write_cycle(record, mirror=False)
    audit(
        actor=actor,
        action=AuditAction.RECORD_IMPORT,
        object_type="org.cycle",
        object_id=f"{cycle.cluster.code}/{cycle.year}",
        after={
            "chain": record.audit.chain,
            "entries": len(restored),
            "head": record.audit.head,
        },
    )
    return cycle


def write_cycle(record: Record, *, mirror: bool) -> tuple[Cycle, list[AuditEntry]]:
    """Write the record's cycle (this database lacks it, or has just forgotten its data) and
    the entries of its chain this database lacks; returns the cycle and those entries.
    `mirror`: the chain is a cluster laptop's, which nothing here may write to."""
    data = record.cycle
    units = _units(record)
    _lineage(record, units)
    cluster, _created = Cluster.objects.get_or_create(
        code=data.cluster,
        defaults={
            "name": data.cluster_name,
            "parent_body": data.parent_body,
            "movement": data.movement,
        },
    )
    cycle = Cycle.objects.create(
        cluster=cluster,
        year=data.year,
        title=data.title,
        rule_set=_rule_set(data.rule_set),
        leader=units[data.leader],
        deputy=units[data.deputy] if data.deputy else None,
        phase=data.phase,
        phase_is_open=data.phase_is_open,
        note=data.note,
    )
    Membership.objects.bulk_create(
        Membership(cycle=cycle, unit=units[code]) for code in data.members
    )
    for item in record.handovers:
        fields = {
            "cluster": cluster,
            "year": item.year,
            "leader": units[item.leader],
            "deputy": units[item.deputy] if item.deputy else None,
            "method": item.method,
            "decision_ref": item.decision_ref,
            "note": item.note,
        }
        if not item.from_this_cycle and Handover.objects.filter(**fields).exists():
            continue  # recorded by last year's cycle, restored with it
        Handover.objects.create(**fields, from_cycle=cycle if item.from_this_cycle else None)
    indicators = _indicators(record)
    _reports(record, cycle, units, indicators)
    PublishedFigure.objects.bulk_create(
        PublishedFigure(
            cycle=cycle,
            period=item.period,
            indicator=indicators[item.indicator],
            value=item.value,
            source=item.source,
        )
        for item in record.published
    )
    ReportSection.objects.bulk_create(
        ReportSection(cycle=cycle, key=key, text=text) for key, text in record.report_text.items()
    )
    _agreement(record, cycle, units, indicators)
    _conference(record, cycle, units)
    return cycle, _audit_chain(record, mirror=mirror)
