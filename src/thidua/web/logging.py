"""Logging filters."""

import logging

from django.core.exceptions import PermissionDenied


class QuietRefusals(logging.Filter):
    """A refused request (403) is an ordinary answer, not a fault: keep Django's one-line
    "Forbidden (Permission denied): /path" and drop the traceback that buries real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
