"""Reads of what the documents carry that no other stage keeps: the report's written text."""

from thidua.documents.models import ReportSection
from thidua.org.models import Cycle


def report_texts(cycle: Cycle) -> dict[str, str]:
    """Section key → the text people wrote for the year-end report (one query)."""
    return {section.key: section.text for section in ReportSection.objects.filter(cycle=cycle)}
