"""Writes of the documents app: the texts people write (the year-end report's sections, the
year's own grounds), and the issue of a document for signing."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from thidua.audit.services import record as audit
from thidua.core import record as core_record
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.documents import builders
from thidua.documents.models import TEXTS, ReportSection
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
        section.text, section.updated_at = text.strip(), timezone.now()
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
def issue_document(*, actor, cycle: Cycle, key: str) -> dict:
    """Issue document `key` for signing: the file as it is now goes into the cycle's log by
    its digest (the same digest as the record's `documents`), and the installation signs the
    chain after it. What is printed and signed can then be told from any other version."""
    require(actor, Action.ISSUE_DOCUMENT, cycle)
    built = builders.produce(cycle, key)  # 404 unknown, 409 not ready, with the reason
    issued = {
        "key": key,
        "filename": built.filename,
        "digest": core_record.document_digest(built.content),
    }
    audit(
        actor=actor,
        action=AuditAction.DOCUMENT_ISSUE,
        object_type="documents.document",
        object_id=key,
        cycle=cycle,
        after=issued,
    )
    return issued
