"""Reads of the audit log."""

from itertools import groupby

from django.db.models import Q

from thidua.audit.models import AuditEntry
from thidua.core.audit import first_break
from thidua.core.phases import Phase
from thidua.core.record import AuditAction


def chain_breaks(chains: list[str] | None = None) -> list[int]:
    """Ids of the first entry of each chain (of `chains`, else all) that does not follow from
    the one before it (empty when every chain is whole)."""
    broken = []
    entries = AuditEntry.objects.order_by("chain", "seq")
    if chains is not None:
        entries = entries.filter(chain__in=chains)
    entries = entries.iterator()
    for chain, links in groupby(entries, key=lambda entry: entry.chain):
        found = list(links)
        where = first_break(chain, (entry.link() for entry in found))
        if where is not None:
            broken.append(found[where.position].pk)
    return broken


def checkpoint_after(
    chain: str, action: str, object_id: str | None = None, **written
) -> AuditEntry | None:
    """The signed checkpoint that follows the last entry of `chain` with `action` (on
    `object_id`, and writing those `after` fields, e.g. `phase="conference"`, if given), or
    None: what the paper minutes print, so that a record can be held against them
    (`thidua verify --anchor`)."""
    entries = AuditEntry.objects.filter(chain=chain, action=action, origin__isnull=True)
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    for field, value in written.items():
        entries = entries.filter(**{f"after__{field}": value})
    last = entries.order_by("-seq").first()
    if last is None:
        return None
    return AuditEntry.objects.filter(
        chain=chain, seq=last.seq + 1, action=AuditAction.CHECKPOINT
    ).first()


def poll_log_id(chain: str, code: str) -> str | None:
    """The id the log gives poll `code` of a cycle: the database id of the installation that
    created it (a cycle taken in from a laptop keeps the laptop's), read from its creation."""
    created = AuditEntry.objects.filter(
        chain=chain, action=AuditAction.POLL_CREATE, after__code=code
    ).first()
    return created.object_id if created else None


# --- the audit page ------------------------------------------------------------------------

#: Entries the audit page and its export never list one by one. No entry records a ballot
#: being cast (who has voted and the encrypted ballots are stored apart, outside the log),
#: but a delegate's check-in and a new check-in key are each written at the moment that
#: delegate's phone is made ready to vote: listed per delegate with their minute, they could
#: be lined up with the order in which ballots arrived and so name the author of a ballot.
#: The page counts them instead (`unlisted_count`); the full chain stays in the record.
UNLISTED = frozenset({AuditAction.DELEGATE_CHECK_IN, AuditAction.DELEGATE_REISSUE})

#: The acts that start a phase; the cycle's first phase starts with the chain.
_PHASE_STARTS = (AuditAction.PHASE_OPEN, AuditAction.PHASE_REOPEN)
FIRST_PHASE = Phase.PLANNING.value


def listed(chain: str):
    """The entries of `chain` the audit page may list, newest first (a queryset: the page
    counts and slices it, one query each)."""
    return AuditEntry.objects.filter(chain=chain).exclude(action__in=UNLISTED).order_by("-seq")


def unlisted_count(chain: str) -> int:
    """How many entries of `chain` the page leaves out (see `UNLISTED`)."""
    return AuditEntry.objects.filter(chain=chain, action__in=UNLISTED).count()


def phase_spans(chain: str) -> dict[str, list[tuple[int, int | None]]]:
    """Phase → the (first, last) `seq` ranges of `chain` written while it was the phase last
    opened (last None: up to now). An entry written between a phase's close and the next
    opening belongs to the phase just closed. One query."""
    starts = [(1, FIRST_PHASE)]
    for seq, after in (
        AuditEntry.objects.filter(chain=chain, action__in=_PHASE_STARTS)
        .order_by("seq")
        .values_list("seq", "after")
    ):
        phase = (after or {}).get("phase") if isinstance(after, dict) else None
        if phase:
            starts.append((seq, phase))
    spans: dict[str, list[tuple[int, int | None]]] = {}
    for index, (first, phase) in enumerate(starts):
        last = starts[index + 1][0] - 1 if index + 1 < len(starts) else None
        spans.setdefault(phase, []).append((first, last))
    return spans


def filtered(
    chain: str,
    *,
    phase: str = "",
    unit: str = "",
    actor: str = "",
    action: str = "",
):
    """`listed(chain)` narrowed by the page's filters (each one left out when empty): the
    phase in which an entry was written (`phase_spans`, one more query), the unit that acted
    or whose report or score sheet the entry is about, the person who acted (user name as
    the log keeps it), the action's code."""
    entries = listed(chain)
    if phase:
        spans = phase_spans(chain).get(phase, [])
        within = Q(pk__in=[])
        for first, last in spans:
            within |= Q(seq__gte=first) & (Q(seq__lte=last) if last is not None else Q())
        entries = entries.filter(within)
    if unit:
        entries = entries.filter(
            Q(unit=unit)
            | Q(object_type="stats.report", object_id__startswith=f"{unit}/")
            | Q(object_type="scoring.sheet", object_id__startswith=f"{unit}->")
            | Q(object_type="scoring.sheet", object_id__endswith=f"->{unit}")
            | Q(object_type="org.unit", object_id=unit)
        )
    if actor:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    return entries


def filter_choices(chain: str) -> tuple[list[str], list[str], list[str]]:
    """(people, units, actions) that appear among the listed entries of `chain`, for the
    page's filters: user names, unit codes and action codes, each once. Three queries."""
    entries = listed(chain).order_by()
    return (
        sorted(entries.values_list("actor", flat=True).distinct()),
        sorted(entries.exclude(unit="").values_list("unit", flat=True).distinct()),
        sorted(entries.values_list("action", flat=True).distinct()),
    )


def polls_by_log_id(chain: str, object_ids) -> dict[str, tuple[str, str]]:
    """Log id of a poll → (its code, its title), read from the polls' creation in `chain`
    (the ids of the installation that created them): one query."""
    return {
        object_id: (after.get("code", ""), after.get("title", ""))
        for object_id, after in AuditEntry.objects.filter(
            chain=chain, action=AuditAction.POLL_CREATE, object_id__in=list(object_ids)
        ).values_list("object_id", "after")
        if isinstance(after, dict)
    }


def issued_digest(chain: str, reference: str) -> str | None:
    """The digest the log wrote when document number `reference` was issued in `chain`: what
    its frozen bytes must still hash to (the log is chained and signed; the stored file is
    not)."""
    entry = (
        AuditEntry.objects.filter(
            chain=chain, action=AuditAction.DOCUMENT_ISSUE, after__number=reference
        )
        .order_by("-seq")
        .first()
    )
    return entry.after.get("digest") if entry is not None else None
