"""`thidua verify RECORD [--key FP] [--trusted-keys FILE] [--anchor CODE] [--lang en]`:
recompute every result of a record, and check its chain, signatures and origin, without Django.

Only `thidua.core` (with libsodium for the signatures) is used, so anyone can check a
published record on any machine: no database, no settings. Exit status 0 when every result
follows from the record's data and its origin is confirmed, 1 when something differs (each
difference is named), 2 when the file cannot be read as a record, 3 when everything agrees
but nothing confirms whose keys signed it ("nguồn gốc chưa xác thực": a forger can sign a
whole record with a key of his own).
"""

from __future__ import annotations

import argparse
import gettext
import sys
from pathlib import Path

from thidua.core import record as core_record
from thidua.core import signing
from thidua.core.verify import Anchor, Provenance, provenance, verify_file

CATALOGUE = Path(__file__).parent / "locale"
UNVERIFIED = 3


def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "vi":
        return gettext.NullTranslations()
    return gettext.translation("django", CATALOGUE, languages=[language], fallback=True)


def trusted_lines(path: Path) -> list[tuple[str, list[str]]]:
    """A trusted-keys file: one fingerprint per line (as `signing.ungrouped` reads it),
    optionally followed by the cycles it holds for (`cum-2/2020`; none: every cycle), `#`
    starting a comment. Raises `UnreadableKey` at the first fingerprint that is not one."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.partition("#")[0].split()
        if not words:
            continue
        key = signing.ungrouped(words[0])
        if key is None:
            raise UnreadableKey(words[0], number)
        found.append((key, words[1:]))
    return found


class UnreadableKey(ValueError):
    """A fingerprint given to trust that is not at least 128 bits of hexadecimal: dropping
    it would leave the origin unconfirmed without saying why."""

    def __init__(self, typed: str, line: int | None = None):
        super().__init__(typed)
        self.typed, self.line = typed, line


def run(argv: list[str], out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="thidua verify", description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path)
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        help="a trusted key's fingerprint (its first 32 hexadecimal digits at least)",
    )
    parser.add_argument("--trusted-keys", type=Path, help="a file of trusted fingerprints")
    parser.add_argument("--anchor", help="the checkpoint printed on the signed minutes")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    options = parser.parse_args(argv)
    catalogue = _catalogue(options.lang)
    _ = catalogue.gettext
    try:
        given = _given_keys(options)
    except UnreadableKey as error:
        print(_unreadable_key(options, error, _), file=out)
        return 2
    try:
        checked = verify_file(options.record)
    except core_record.Unreadable as error:
        print(
            _("Không đọc được bản ghi %(path)s: %(reason)s")
            % {"path": options.record, "reason": error.phrase.render(_)},
            file=out,
        )
        return 2
    anchor = Anchor.parse(options.anchor) if options.anchor else None
    if options.anchor and anchor is None:
        print(
            _(
                "Mốc “%(anchor)s” không đọc được: cần ít nhất 32 chữ số thập lục phân (như in "
                "trên biên bản) hoặc nội dung mã QR."
            )
            % {"anchor": options.anchor},
            file=out,
        )
        return 2
    findings, record, name = checked.findings, checked.record, checked.name
    if record is not None:
        trusted = [key for key, cycles in given if not cycles or name in cycles]
        found, anchor_findings = provenance(record, trusted=trusted, anchor=anchor)
        findings += anchor_findings
    if findings:
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
    counted = {
        "reports": len(record.reports),
        "sheets": len(record.sheets),
        "polls": len(record.polls),
        "ballots": sum(  # phone, paper, written and encrypted: every ballot counted
            poll.result["returned"] for poll in record.polls if poll.status == "closed"
        ),
        "entries": len(record.audit.entries),
    }
    print(
        _(
            "Bản ghi %(name)s: mọi kết quả khớp với dữ liệu (%(reports)s báo cáo, "
            "%(sheets)s phiếu chấm, %(polls)s cuộc bỏ phiếu, %(ballots)s lá phiếu, "
            "%(entries)s mục nhật ký); chuỗi nhật ký liền mạch và đúng chữ ký."
        )
        % {"name": name, **counted},
        file=out,
    )
    _print_provenance(found, record, _, out)
    return 0 if found.verified else UNVERIFIED


def _given_keys(options) -> list[tuple[str, list[str]]]:
    """The fingerprints to trust, each with the cycles it holds for (none: every one), from
    `--key` and `--trusted-keys`, read before the record: `UnreadableKey` (with an
    `OSError` or `UnicodeDecodeError` as its cause for a file that cannot be read)."""
    given = []
    for typed in options.key:
        key = signing.ungrouped(typed)
        if key is None:
            raise UnreadableKey(typed)
        given.append((key, []))
    if options.trusted_keys:
        try:
            given += trusted_lines(options.trusted_keys)
        except (OSError, UnicodeDecodeError) as error:
            raise UnreadableKey(str(options.trusted_keys)) from error
    return given


def _unreadable_key(options, error: UnreadableKey, _) -> str:
    """Why the keys given cannot be read, in the reader's language."""
    cause = error.__cause__
    if cause is not None:
        return _("Không đọc được tệp khóa tin cậy %(path)s: %(reason)s") % {
            "path": options.trusted_keys,
            "reason": cause.strerror if isinstance(cause, OSError) else cause.reason,
        }
    if error.line is not None:
        return _(
            "%(path)s, dòng %(line)s: dấu vân tay “%(key)s” không đọc được: cần ít nhất 32 "
            "chữ số thập lục phân."
        ) % {"path": options.trusted_keys, "line": error.line, "key": error.typed}
    return _(
        "Dấu vân tay “%(key)s” không đọc được: cần ít nhất 32 chữ số thập lục phân (như trên "
        "trang giới thiệu của máy, hoặc `thidua key show`)."
    ) % {"key": error.typed}


def _print_provenance(found: Provenance, record, _, out) -> None:
    for key in found.keys:
        trusted = key not in found.untrusted
        print(
            (_("Khóa ký %(key)s: tin cậy.") if trusted else _("Khóa ký %(key)s: chưa xác thực."))
            % {"key": signing.grouped(key)},
            file=out,
        )
    if found.anchored is not None:
        entry = record.audit.entries[found.anchored]
        print(
            _(
                "Mốc trên biên bản khớp mục số %(seq)s của chuỗi: bản ghi chứa đúng trạng thái "
                "đã ký trên giấy; %(after)s mục sau mốc chỉ được khóa ký của máy xác nhận."
            )
            % {"seq": entry.seq, "after": found.after_anchor},
            file=out,
        )
    else:
        print(
            _(
                "Không có mốc trên biên bản (--anchor): nếu phần cuối của bản ghi bị cắt bỏ, "
                "không phân biệt được với một bản ghi ngắn hơn."
            ),
            file=out,
        )
    if not found.verified:
        print(
            _(
                "Nguồn gốc chưa xác thực: khóa ký chỉ do chính bản ghi khai báo, người làm giả "
                "có thể ký bằng khóa của mình. Đối chiếu bằng --key (dấu vân tay đã so trên "
                "giấy), --trusted-keys hoặc --anchor (mốc in trên biên bản đã ký)."
            ),
            file=out,
        )
