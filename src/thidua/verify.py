"""`thidua verify RECORD [--lang en]`: recompute every result of a record, without Django.

Only `thidua.core` and the standard library are used, so anyone can check a published record
on any machine: no database, no settings. Exit status 0 when every result follows from the
record's data, 1 when something differs (each difference is named), 2 when the file cannot
be read as a record.
"""

from __future__ import annotations

import argparse
import gettext
import sys
from pathlib import Path

from thidua.core import record as core_record
from thidua.core.verify import verify

CATALOGUE = Path(__file__).parent / "locale"


def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "vi":
        return gettext.NullTranslations()
    return gettext.translation("django", CATALOGUE, languages=[language], fallback=True)


def run(argv: list[str], out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="thidua verify", description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path)
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    options = parser.parse_args(argv)
    catalogue = _catalogue(options.lang)
    _ = catalogue.gettext
    try:
        record = core_record.load(options.record)
    except core_record.Unreadable as error:
        print(
            _("Không đọc được bản ghi %(path)s: %(reason)s")
            % {"path": options.record, "reason": error.phrase.render(_)},
            file=out,
        )
        return 2
    findings = verify(record)
    cycle = record.get("cycle", {}) if isinstance(record, dict) else {}
    name = f"{cycle.get('cluster', '?')}/{cycle.get('year', '?')}"
    if not findings:
        counted = {
            "reports": len(record["reports"]),
            "sheets": len(record["sheets"]),
            "polls": len(record["polls"]),
            "ballots": sum(len(poll["ballots"]) for poll in record["polls"]),
            "entries": len(record["audit"].get("entries", [])),
        }
        print(
            _(
                "Bản ghi %(name)s: mọi kết quả khớp với dữ liệu (%(reports)s báo cáo, "
                "%(sheets)s phiếu chấm, %(polls)s cuộc bỏ phiếu, %(ballots)s lá phiếu, "
                "%(entries)s mục nhật ký)."
            )
            % {"name": name, **counted},
            file=out,
        )
        return 0
    print(
        catalogue.ngettext(
            "Bản ghi %(name)s: %(count)s điểm không khớp:",
            "Bản ghi %(name)s: %(count)s điểm không khớp:",
            len(findings),
        )
        % {"name": name, "count": len(findings)},
        file=out,
    )
    for finding in findings:
        print(f"- {finding.render(_)}", file=out)
    return 1
