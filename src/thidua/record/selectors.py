"""Reads of what the server received."""

from thidua.record.models import ReceivedRecord, RegisteredKey


def registered_keys() -> list[RegisteredKey]:
    return list(RegisteredKey.objects.select_related("registered_by"))


def received_records(limit: int = 200) -> list[ReceivedRecord]:
    """The newest records received, first; a fork's file is not loaded."""
    return list(ReceivedRecord.objects.defer("content").select_related("received_by")[:limit])


def quarantined():
    return ReceivedRecord.objects.filter(outcome=ReceivedRecord.Outcome.QUARANTINED)
