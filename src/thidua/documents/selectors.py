"""Reads of what the documents carry that no other stage keeps: the texts people wrote, and
the register of issued documents."""

from django.db.models import Max

from thidua.documents.models import IssuedDocument, ReportSection
from thidua.org.models import Cycle


def report_texts(cycle: Cycle) -> dict[str, str]:
    """Section key → the text people wrote for the year-end report (one query)."""
    return {section.key: section.text for section in ReportSection.objects.filter(cycle=cycle)}


def issued_of(cycle: Cycle) -> dict[str, IssuedDocument]:
    """Document key → its issued version in force (the last correction, if corrected)."""
    found = IssuedDocument.objects.filter(cycle=cycle, replaced_by__isnull=True).select_related(
        "issued_by", "replaces"
    )
    return {issued.key: issued for issued in found.defer("content")}


def issued_content(issued: IssuedDocument) -> bytes:
    """The frozen bytes of an issued document (left out of the listing above)."""
    return bytes(IssuedDocument.objects.values_list("content", flat=True).get(pk=issued.pk))


def next_number(cycle: Cycle) -> int:
    """The next number of the cycle's register: one sequence for all the cluster issues in
    the year, drafts never take one."""
    last = IssuedDocument.objects.filter(cycle=cycle).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1
