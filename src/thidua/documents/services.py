"""Writes of the documents app: the texts people write (the year-end report's sections, the
year's own grounds), and the issue of a document for signing."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from thidua.audit import clock
from thidua.audit.services import record as audit
from thidua.core import record as core_record
from thidua.core.messages import Problem, gettext_noop
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.documents import builders, selectors
from thidua.documents.models import TEXTS, IssuedDocument, ReportSection
from thidua.errors import StateConflict
from thidua.org.authz import require
from thidua.org.models import Cycle


@transaction.atomic
def save_report_text(*, actor, cycle: Cycle, texts: Mapping[str, str]) -> None:
    require(actor, Action.EDIT_REPORT_TEXT, cycle)
    keys = {key for key, _label in TEXTS}
    before, after = {}, {}
    for key, text in texts.items():
        if key not in keys:
            continue
        section, _created = ReportSection.objects.get_or_create(cycle=cycle, key=key)
        before[key], after[key] = section.text, text.strip()
        section.text, section.updated_at = text.strip(), clock.now()
        section.save()
    audit(
        actor=actor,
        action=AuditAction.REPORT_TEXT_SAVE,
        object_type="documents.reportsection",
        object_id=f"{cycle.cluster.code}/{cycle.year}",
        cycle=cycle,
        before=before,
        after=after,
    )


@transaction.atomic
def issue_document(*, actor, cycle: Cycle, key: str, reason: str = "") -> IssuedDocument:
    """Issue document `key`: it takes the next number of the cycle's register, and its bytes
    are frozen and go into the cycle's log by their digest (the record's document digest),
    signed by the checkpoint after it. Issued means frozen: issuing it again is a correction,
    which needs a reason and names the number it replaces."""
    require(actor, Action.ISSUE_DOCUMENT, cycle)
    Cycle.objects.select_for_update().get(pk=cycle.pk)  # the register gives one number at a time
    previous = selectors.issued_of(cycle).get(key)
    reason = reason.strip()
    if previous is not None and not reason:
        raise StateConflict(
            [
                Problem(
                    "document_issued",
                    gettext_noop(
                        "Văn bản này đã phát hành (số %(reference)s); phát hành lại là đính "
                        "chính, cần ghi lý do."
                    ),
                    {"reference": previous.reference},
                    field="reason",
                )
            ]
        )
    plan = builders.ready_plan(cycle, key)  # 404 unknown, 409 not ready, with the reason
    if not plan.issuable:
        scorers = key.startswith("scorer-sheet-")  # a scoring unit's own sheet
        raise StateConflict(
            [
                Problem(
                    "document_not_issuable",
                    gettext_noop(
                        "Văn bản này do đơn vị chấm điểm ký và vào sổ văn bản của đơn vị; cụm "
                        "không cấp số cho văn bản này."
                    )
                    if scorers
                    else gettext_noop(
                        "Văn bản này do đơn vị được đề nghị ký và vào sổ văn bản của đơn vị; "
                        "cụm không cấp số cho văn bản này."
                    ),
                )
            ]
        )
    today = timezone.localdate()
    number = selectors.next_number(cycle, today.year)
    replaces = (
        f"(Thay thế văn bản số {previous.reference} phát hành ngày "
        f"{timezone.localtime(previous.issued_at):%d/%m/%Y}; lý do: {reason})"
        if previous is not None
        else ""
    )
    # issuing dates the document: a paper dated by hand carries the day it is issued
    built = plan.build(builders.Issue(number, replaces, today))
    issued = IssuedDocument.objects.create(
        cycle=cycle,
        cluster_id=cycle.cluster_id,
        year=today.year,
        key=key,
        number=number,
        reference=builders.reference(key, number),
        issued_by=actor if getattr(actor, "pk", None) else None,
        filename=built.filename,
        content=built.content,
        digest=core_record.document_digest(built.content),
        replaces=previous,
        reason=reason,
    )
    audit(
        actor=actor,
        action=AuditAction.DOCUMENT_ISSUE,
        object_type="documents.document",
        object_id=key,
        cycle=cycle,
        after={
            "key": key,
            "number": issued.reference,
            "filename": issued.filename,
            "digest": issued.digest,
            "replaces": previous.reference if previous is not None else None,
            "reason": reason,
        },
    )
    return issued
