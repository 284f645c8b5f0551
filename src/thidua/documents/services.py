"""Writes of the documents app: the year-end report's written sections."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from thidua.audit.services import record as audit
from thidua.core.policy import Action
from thidua.core.record import AuditAction
from thidua.documents.models import SECTIONS, ReportSection
from thidua.org.authz import require
from thidua.org.models import Cycle


@transaction.atomic
def save_report_text(*, actor, cycle: Cycle, texts: Mapping[str, str]) -> None:
    require(actor, Action.EDIT_REPORT_TEXT, cycle)
    keys = {key for key, _label in SECTIONS}
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
