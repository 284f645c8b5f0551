"""The register of titles (sổ danh hiệu thi đua): reads, writes and the XLSX import.

A line says that a unit (or a person) was proposed for a title in a year, then awarded it or
not by a decision. A person's line names the person as officials write them (full name, rank,
position, unit: `PersonData`), found again by their unit and key (`models.Person`), never by a
login account. Past years come in through the same import as any other data, never from
a table in code. A year with no line is *unknown* ("chưa có dữ liệu"), never "not awarded".
The conference's counted title votes become proposals (`propose_from_conference`); the
decision arrives months later and is recorded once, by the Ministry's emulation office or by
that year's leader unit on its behalf (`record_decision`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from django.db import transaction
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from openpyxl import Workbook

from thidua import xlsx
from thidua.audit.services import record as audit
from thidua.core.cycles import FIRST_YEAR, LAST_YEAR
from thidua.core.eligibility import STATUS_LABELS
from thidua.core.messages import Problem, gettext_noop
from thidua.core.paperwork import slug
from thidua.core.policy import Action, Role
from thidua.core.record import AuditAction
from thidua.errors import DomainError, refuse_if
from thidua.org.authz import recorded_user, require, roles_for
from thidua.org.models import (
    Cluster,
    Cycle,
    Decision,
    Person,
    TitleLevel,
    TitleRecord,
    TitleState,
    Unit,
)
from thidua.rows import html_row, html_rows

PDF_MAX_BYTES = 10 * 1024 * 1024

SHEET = "So danh hieu"
COLUMNS = (
    ("A", "year", "Năm"),
    ("B", "unit", "Mã đơn vị"),
    ("C", "title_code", "Mã danh hiệu"),
    ("D", "title", "Tên danh hiệu"),
    ("E", "level", "Cấp"),
    ("F", "state", "Trạng thái"),
    ("G", "number", "Số quyết định"),
    ("H", "signed_on", "Ngày quyết định"),
    ("I", "issuer", "Cơ quan ban hành"),
    ("J", "source", "Nguồn"),
    # a person's line: the unit (B) is the person's; empty for a unit's line
    ("K", "full_name", "Họ và tên"),
    ("L", "rank", "Cấp bậc"),
    ("M", "position", "Chức vụ"),
    ("N", "person_key", "Mã cá nhân"),
)
MAX_ROWS = 2000


_ELIGIBILITY_ROW = (
    '<tr class="eligibility-{status}"><td>{title}</td>'
    '<td data-label="{l_unit}"><strong>{unit}</strong></td>'
    '<td data-label="{l_condition}">{label}</td>\n'
    '      <td data-label="{l_reason}">{reasons}</td>\n'
    '      <td data-label="{l_register}" class="small">{history}</td></tr>'
)


def eligibility_display(rows) -> SafeString:
    """The eligibility table's rows (selectors.eligibility_table) as the cycle and conference
    pages show them, as HTML (`thidua.rows`: 2 titles × 50 units is 100 rows): the verdict in
    words, its reasons and the register lines it read, translated. What repeats from row to
    row is translated and escaped once: the column labels (put in the row's markup), the
    titles, the verdicts' words and the rules cited."""
    translate = cache(gettext)
    markup = _ELIGIBILITY_ROW
    for field, label in (
        ("l_unit", gettext("Đơn vị")),
        ("l_condition", gettext("Điều kiện")),
        ("l_reason", gettext("Lý do")),
        ("l_register", gettext("Sổ danh hiệu")),
    ):
        markup = markup.replace(f"{{{field}}}", escape(label).replace("{", "{{").replace("}", "}}"))
    shown = cache(escape)  # a text repeated on many rows, escaped once
    cited = cache(lambda rule: escape(rule.cited().render(translate)))
    no_line = gettext("chưa có dòng nào")
    return html_rows(
        html_row(
            markup,
            status=row.verdict.status.value,
            title=shown(row.title),
            unit=row.unit.name,
            label=shown(translate(STATUS_LABELS[row.verdict.status])),
            reasons=html_rows(
                (
                    html_row(
                        "{reason} ({rule})",
                        reason=found.reason.render(translate),
                        rule=cited(found.rule),
                    )
                    for found in row.verdict.deciding
                ),
                "<br>",
            )
            or "—",
            history="; ".join(
                f"{year}: {name} ({state.lower()})" for year, name, state in row.history
            )
            or no_line,
        )
        for row in rows
    )


def state_label(record: TitleRecord) -> str:
    return str(TitleState(record.state).label)


# --- writes ---------------------------------------------------------------------------------


def _as_dict(record: TitleRecord) -> dict:
    found = {
        "cluster": record.cluster.code if record.cluster else None,
        "unit": record.unit.code if record.unit else None,
        "person": None,
        "year": record.year,
        "title_code": record.title_code,
        "title": record.title,
        "level": record.level,
        "state": record.state,
        "decision": record.decision.number if record.decision else None,
        "source": record.source,
    }
    if record.person is not None:
        found["person"] = {"unit": record.person.unit.code, **person_fields(record)}
    return found


def person_fields(record: TitleRecord) -> dict:
    """A person's line's person as the audit log and the API write it: key, name, and the
    rank and position of the line's year."""
    return {
        "key": record.person.key,
        "full_name": record.person.full_name,
        "rank": record.rank,
        "position": record.position,
    }


_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def person_key(full_name: str) -> str:
    """A person's key when none is given: the name without accents, "nguyen-van-an"."""
    return slug(full_name)[:80]


@dataclass(frozen=True)
class PersonData:
    """A person as a line names them: full name, rank and position of that year, and the key
    that tells apart two officers of one unit with one name (default: from the name)."""

    full_name: str
    rank: str = ""
    position: str = ""
    key: str = ""

    @classmethod
    def entered(cls, full_name: str, rank: str, position: str, key: str) -> PersonData | None:
        """What a form or API call gives of a person: None when none of the fields is filled
        in (a unit's line)."""
        if not (full_name or rank or position or key):
            return None
        return cls(full_name or "", rank or "", position or "", key or "")

    @property
    def stable_key(self) -> str:
        return self.key.strip() or person_key(self.full_name)


def _person_problems(data: PersonData | None) -> list[Problem]:
    if data is None:
        return []
    problems = []
    if not data.full_name.strip():
        problems.append(
            _problem(
                "full_name",
                gettext_noop("Thiếu họ và tên của cá nhân (đã ghi cấp bậc, chức vụ hoặc mã)."),
                "full_name",
            )
        )
    if data.key.strip() and not _KEY.match(data.key.strip()):
        problems.append(
            _problem(
                "person_key",
                gettext_noop("Mã cá nhân chỉ gồm chữ thường không dấu, số và “-”."),
                "person_key",
            )
        )
    return problems + _length_problems(
        full_name=data.full_name, rank=data.rank, position=data.position, person_key=data.key
    )


def same_name(one: str, other: str) -> bool:
    """Two spellings of one name: the same letters and accents, whatever the case and spaces
    ("Nguyễn Văn An" and "Nguyễn Văn Ân" are two people)."""

    def plain(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return plain(one) == plain(other)


def _namesake_problem(found_name: str, data: PersonData) -> Problem:
    return _problem(
        "person_namesake",
        gettext_noop(
            "Đơn vị đã có “%(found)s” với mã cá nhân “%(key)s”: nếu là người khác, ghi mã cá "
            "nhân để phân biệt; nếu cùng người, ghi họ tên như đã có."
        ),
        "full_name",
        found=found_name,
        key=data.stable_key,
    )


def _namesake_problems(unit: Unit | None, data: PersonData | None, known: Known) -> list[Problem]:
    """A name whose key (from the name, none given) is another name's of the unit: two people
    told apart only by accents are never merged silently. A key given names its person: the
    name written with it is a correction."""
    if unit is None or data is None or data.key.strip() or not data.full_name.strip():
        return []
    found = known.person(unit, data.stable_key)
    if found is None or same_name(found.full_name, data.full_name):
        return []
    return [_namesake_problem(found.full_name, data)]


class Known:
    """The people and register lines of the units a line (or a file) names, each unit's read
    once (its lines once per year): a file of 2.000 rows costs as many queries as it has
    units and years, not rows. For reading before writing: nothing written after is seen."""

    def __init__(self) -> None:
        self._people: dict[int, dict[str, Person]] = {}
        self._lines: dict[tuple[int, int], dict[tuple[str | None, str], TitleRecord]] = {}

    def person(self, unit: Unit, key: str) -> Person | None:
        if unit.pk not in self._people:
            self._people[unit.pk] = {p.key: p for p in Person.objects.filter(unit=unit)}
        return self._people[unit.pk].get(key)

    def line(
        self, unit: Unit, person: PersonData | None, year: int, title_code: str
    ) -> TitleRecord | None:
        """The register's line of this unit (or this person of the unit), year and title,
        from the unit's lines of the year read at once."""
        if (unit.pk, year) not in self._lines:
            found = TitleRecord.objects.filter(year=year).filter(
                Q(unit=unit) | Q(person__unit=unit)
            )
            self._lines[unit.pk, year] = {
                (line.person.key if line.person_id else None, line.title_code): line
                for line in found.select_related("person", "decision")
            }
        key = person.stable_key if person is not None else None
        return self._lines[unit.pk, year].get((key, title_code))


def _person(unit: Unit, data: PersonData) -> Person:
    """The person of this unit and key, made the first time. Written with its key, the name
    is corrected to the one written; without, it is the same name (`_namesake_problems`) as
    first written, kept."""
    person, made = Person.objects.get_or_create(
        unit=unit, key=data.stable_key, defaults={"full_name": data.full_name.strip()}
    )
    if not made and data.key.strip() and person.full_name != data.full_name.strip():
        person.full_name = data.full_name.strip()
        person.save(update_fields=["full_name"])
    return person


def _holder(unit: Unit, person: PersonData | None) -> dict:
    """The fields of a line that say whose it is."""
    if person is None:
        return {"unit": unit, "person": None, "rank": "", "position": ""}
    return {
        "unit": None,
        "person": _person(unit, person),
        "rank": person.rank.strip(),
        "position": person.position.strip(),
    }


def _problem(code: str, message: str, field_name: str | None = None, **params) -> Problem:
    return Problem(code, message, params, field_name)


@dataclass(frozen=True)
class DecisionData:
    number: str
    signed_on: date
    issuer: str

    @classmethod
    def entered(cls, number: str, signed_on: date | None, issuer: str) -> DecisionData | None:
        """What a register line's form or API call gives of its decision: None when none of
        its fields is filled in (a proposal), else the decision, checked with the line."""
        if not (number or signed_on or issuer):
            return None
        return cls(number, signed_on, issuer)


def _decision_problems(data: DecisionData | None, state: str) -> list[Problem]:
    if state == TitleState.PROPOSED:
        return []
    if data is None or not data.number.strip() or not data.issuer.strip() or not data.signed_on:
        return [
            _problem(
                "decision_missing",
                gettext_noop(
                    "Danh hiệu đã có kết quả phải ghi số quyết định, ngày và cơ quan ban hành."
                ),
                "number",
            )
        ]
    return []


def _decision(actor, data: DecisionData, *, on_behalf: bool, pdf=None) -> Decision:
    """The decision with this number from this issuer: recorded once, found again after."""
    found = Decision.objects.filter(number=data.number.strip(), issuer=data.issuer.strip()).first()
    if found is not None:
        refuse_if(
            []
            if found.signed_on == data.signed_on
            else [
                _problem(
                    "decision_date",
                    gettext_noop(
                        "Quyết định số %(number)s đã được ghi với ngày %(date)s; ngày khác nhau."
                    ),
                    "signed_on",
                    number=found.number,
                    date=found.signed_on.strftime("%d/%m/%Y"),
                )
            ]
        )
        if pdf is not None and not found.pdf:
            found.pdf.save(pdf.name.rsplit("/", 1)[-1][:100], pdf, save=True)
        return found
    decision = Decision(
        number=data.number.strip(),
        signed_on=data.signed_on,
        issuer=data.issuer.strip(),
        recorded_by=recorded_user(actor),
        on_behalf=on_behalf,
    )
    decision.full_clean(exclude=["pdf"])
    if pdf is not None:
        decision.pdf.save(pdf.name.rsplit("/", 1)[-1][:100], pdf, save=False)
    decision.save()
    audit(
        actor=actor,
        action=AuditAction.DECISION_RECORD,
        object_type="org.decision",
        object_id=decision.pk,
        after={
            "number": decision.number,
            "signed_on": decision.signed_on,
            "issuer": decision.issuer,
            "on_behalf": on_behalf,
            "pdf": decision.pdf.name or None,
        },
    )
    return decision


def pdf_problems(pdf) -> list[Problem]:
    if pdf is None:
        return []
    problems = []
    if pdf.size > PDF_MAX_BYTES:
        problems.append(
            _problem(
                "file_too_large",
                gettext_noop("Tệp lớn quá %(limit)s MB."),
                "pdf",
                limit=PDF_MAX_BYTES // (1024 * 1024),
            )
        )
    head = pdf.read(5)
    pdf.seek(0)
    if head != b"%PDF-":
        problems.append(_problem("file_type", gettext_noop("Quyết định phải là tệp PDF."), "pdf"))
    return problems


def _is_office(actor) -> bool:
    """The Ministry's emulation office (its admins) or a tool acting for it."""
    roles = roles_for(actor)
    return bool(roles & {Role.ADMIN, Role.SYSTEM})


def _write(actor, record: TitleRecord, before: dict | None, cycle: Cycle | None = None) -> None:
    record.full_clean(validate_unique=False, validate_constraints=False)
    record.save()
    audit(
        actor=actor,
        action=AuditAction.TITLE_RECORD,
        object_type="org.titlerecord",
        object_id=record.pk,
        before=before,
        after=_as_dict(record),
        cycle=cycle,
    )


@transaction.atomic
def record_title(
    *,
    actor,
    cluster: Cluster,
    unit: Unit,
    year: int,
    title_code: str,
    title: str,
    level: str,
    state: str = TitleState.PROPOSED,
    decision: DecisionData | None = None,
    source: str = "",
    person: PersonData | None = None,
) -> TitleRecord:
    """Enter (or correct) one line of the cluster's register: the unit's, or, with `person`,
    that person's of the unit."""
    require(actor, Action.RECORD_TITLES, cluster)
    problems = _line_problems(
        year=year, title_code=title_code, title=title, level=level, state=state
    )
    known = Known()
    problems += _person_problems(person) + _namesake_problems(unit, person, known)
    problems += _decision_problems(decision, state)
    problems += _length_problems(
        title_code=title_code,
        title=title,
        source=source,
        number=decision.number if decision else "",
        issuer=decision.issuer if decision else "",
    )
    nameless = person is not None and not person.full_name.strip()
    existing = None if nameless else known.line(unit, person, year, title_code)
    problems += _downgrade_problems(existing, state)
    refuse_if(problems)
    made = (
        _decision(actor, decision, on_behalf=not _is_office(actor))
        if state != TitleState.PROPOSED and decision is not None
        else None
    )
    return _put(
        actor,
        existing,
        cluster=cluster,
        **_holder(unit, person),
        year=year,
        title_code=title_code,
        title=title,
        level=level,
        state=state,
        decision=made,
        source=source,
    )


def _put(actor, existing: TitleRecord | None, **values) -> TitleRecord:
    before = _as_dict(existing) if existing is not None else None
    record = existing or TitleRecord()
    for name, value in values.items():
        setattr(record, name, value)
    _write(actor, record, before)
    return record


def _line_problems(*, year, title_code, title, level, state) -> list[Problem]:
    problems = []
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(
            _problem(
                "year",
                gettext_noop("Năm phải từ %(first)s đến %(last)s."),
                "year",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    if not title_code or not all(c.isascii() and (c.isalnum() or c in "_-") for c in title_code):
        problems.append(
            _problem(
                "title_code",
                gettext_noop("Mã danh hiệu chỉ gồm chữ không dấu, số, “_” và “-”."),
                "title_code",
            )
        )
    if not (title or "").strip():
        problems.append(_problem("title", gettext_noop("Thiếu tên danh hiệu."), "title"))
    if level not in TitleLevel.values:
        problems.append(_problem("level", gettext_noop("Cấp không hợp lệ."), "level"))
    if state not in TitleState.values:
        problems.append(_problem("state", gettext_noop("Trạng thái không hợp lệ."), "state"))
    return problems


#: What to say when a field's text is longer than its column keeps (the models' lengths):
#: the entry page's form stops longer text first, the API only here.
_TOO_LONG = {
    "title_code": (TitleRecord, gettext_noop("Mã danh hiệu dài quá %(limit)s ký tự.")),
    "title": (TitleRecord, gettext_noop("Tên danh hiệu dài quá %(limit)s ký tự.")),
    "source": (TitleRecord, gettext_noop("Nguồn dài quá %(limit)s ký tự.")),
    "number": (Decision, gettext_noop("Số quyết định dài quá %(limit)s ký tự.")),
    "issuer": (Decision, gettext_noop("Cơ quan ban hành dài quá %(limit)s ký tự.")),
    "full_name": (Person, gettext_noop("Họ và tên dài quá %(limit)s ký tự.")),
    "rank": (TitleRecord, gettext_noop("Cấp bậc dài quá %(limit)s ký tự.")),
    "position": (TitleRecord, gettext_noop("Chức vụ dài quá %(limit)s ký tự.")),
    "person_key": (Person, gettext_noop("Mã cá nhân dài quá %(limit)s ký tự.")),
}
_COLUMN = {"person_key": "key"}  # a field whose model column has another name


def _length_problems(**texts: str) -> list[Problem]:
    problems = []
    for name, text in texts.items():
        model, message = _TOO_LONG[name]
        limit = model._meta.get_field(_COLUMN.get(name, name)).max_length
        if len(text or "") > limit:
            problems.append(_problem(f"{name}_too_long", message, name, limit=limit))
    return problems


def _downgrade_problems(existing: TitleRecord | None, state: str) -> list[Problem]:
    if existing is None or existing.state == TitleState.PROPOSED or state != TitleState.PROPOSED:
        return []
    return [
        _problem(
            "already_decided",
            gettext_noop(
                "Danh hiệu này đã có quyết định (%(number)s); không thể đưa về “Đề nghị”."
            ),
            "state",
            number=existing.decision.number if existing.decision else "—",
        )
    ]


def authority(record: TitleRecord) -> Cycle | Cluster | None:
    """What a decision on `record` is checked on: the cycle of its year (its leader unit may
    record it on the Ministry's behalf), else its cluster."""
    if record.cluster is None:
        return None
    cycle = Cycle.objects.filter(cluster=record.cluster, year=record.year).first()
    return cycle or record.cluster


@transaction.atomic
def record_decision(
    *,
    actor,
    number: str,
    signed_on: date,
    issuer: str,
    outcomes: Sequence[tuple[TitleRecord, bool]],
    pdf=None,
) -> Decision:
    """The decision on proposed lines, recorded once (one decision may cover units of many
    clusters): each line becomes awarded, or not awarded. Only the Ministry's office, or the
    leader unit of each line's year on its behalf."""
    for record, _awarded in outcomes:
        require(actor, Action.RECORD_DECISION, authority(record))
    data = DecisionData(number=number or "", signed_on=signed_on, issuer=issuer or "")
    problems = _decision_problems(data, TitleState.AWARDED) + pdf_problems(pdf)
    if not outcomes:
        problems.append(
            _problem(
                "no_records",
                gettext_noop("Chọn ít nhất một đơn vị mà quyết định này khen thưởng hoặc không."),
                "records",
            )
        )
    for record, _awarded in outcomes:
        if record.state != TitleState.PROPOSED:
            problems.append(
                _problem(
                    "already_decided",
                    gettext_noop("%(unit)s: danh hiệu “%(title)s” năm %(year)s đã có quyết định."),
                    "records",
                    unit=str(record.unit or record.person),
                    title=record.title,
                    year=record.year,
                )
            )
    refuse_if(problems)
    decision = _decision(actor, data, on_behalf=not _is_office(actor), pdf=pdf)
    for record, awarded in outcomes:
        before = _as_dict(record)
        record.state = TitleState.AWARDED if awarded else TitleState.NOT_AWARDED
        record.decision = decision
        _write(actor, record, before)
    return decision


def level_of(title_data: Mapping) -> str:
    """Who awards the title, as its rule set says (a rule set without it is refused where it
    is typed: `RuleSet.clean`)."""
    return title_data["level"]


def propose_from_conference(
    *, actor, cycle: Cycle, nominees: Mapping[str, Sequence[Unit]], titles: Mapping[str, Mapping]
) -> list[TitleRecord]:
    """The conference's counted nominations, as proposals of the cycle's year (a line that
    already exists is left as it is: a decision is never undone by a count)."""
    made = []
    for code, units in nominees.items():
        data = titles[code]  # a poll's title is one of its rule set's (`create_poll`)
        for unit in units:
            if TitleRecord.objects.filter(unit=unit, year=cycle.year, title_code=code).exists():
                continue
            record = TitleRecord(
                cluster=cycle.cluster,
                unit=unit,
                year=cycle.year,
                title_code=code,
                title=data.get("name") or code,
                level=level_of(data),
                state=TitleState.PROPOSED,
                cycle=cycle,
                source=f"Hội nghị tổng kết {cycle.cluster.name} năm {cycle.year}",
            )
            _write(actor, record, None, cycle)
            made.append(record)
    return made


# --- the XLSX import ------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """An empty register sheet with its header row (and one example line, as text)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for letter, _name, header in COLUMNS:
        sheet[f"{letter}1"] = header
        sheet.column_dimensions[letter].width = 20
    return xlsx.save(workbook)


_STATE_WORDS = {
    **{str(label).lower(): value for value, label in TitleState.choices},
    **{value: value for value in TitleState.values},
}
_LEVEL_WORDS = {
    **{str(label).lower(): value for value, label in TitleLevel.choices},
    **{value: value for value in TitleLevel.values},
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass(frozen=True)
class Line:
    row: int
    unit: Unit
    year: int
    title_code: str
    title: str
    level: str
    state: str
    decision: DecisionData | None
    source: str
    person: PersonData | None = None
    existing: TitleRecord | None = None  # the register's line it changes, as read with it


#: A person column's problem of length: the column it is in.
_PERSON_COLUMNS = {"full_name": "K", "rank": "L", "position": "M", "person_key": "N"}


def read_workbook(cluster: Cluster, content: bytes) -> list[Line]:
    """Every line of the sheet, or `WorkbookRefused` naming each problem's row and column."""
    workbook = xlsx.open_workbook(content)
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    found = xlsx.cells(sheet, MAX_ROWS, len(COLUMNS))
    if found is None:
        raise xlsx.WorkbookRefused([xlsx.too_many_rows(sheet.title, MAX_ROWS)])
    values, last_row = found
    units = {unit.code: unit for unit in Unit.objects.all()}
    problems: list[Problem] = []
    lines: list[Line] = []
    seen: dict[tuple, int] = {}
    names: dict[tuple[str, str], str] = {}  # (unit, key from the name) → the name first read
    known = Known()

    def fail(letter: str, row: int, kind: str, message: str, **params) -> None:
        problems.append(xlsx.at(sheet.title, f"{letter}{row}", Problem(kind, message, params)))

    for row in range(2, last_row + 1):
        raw = {name: values.get(f"{letter}{row}") for letter, name, _h in COLUMNS}
        if all(_text(value) == "" for value in raw.values()):
            continue
        before = len(problems)
        try:
            year = int(_text(raw["year"]))
        except ValueError:
            year = None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            fail(
                "A",
                row,
                "year",
                gettext_noop("Năm phải là số từ %(first)s đến %(last)s."),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        unit = units.get(_text(raw["unit"]))
        if unit is None:
            fail(
                "B",
                row,
                "unit",
                gettext_noop("Không có đơn vị mã “%(code)s”."),
                code=_text(raw["unit"]),
            )
        code = _text(raw["title_code"])
        if not code or not all(c.isascii() and (c.isalnum() or c in "_-") for c in code):
            fail(
                "C",
                row,
                "title_code",
                gettext_noop("Mã danh hiệu chỉ gồm chữ không dấu, số, “_” và “-”."),
            )
        title = _text(raw["title"])
        if not title:
            fail("D", row, "title", gettext_noop("Thiếu tên danh hiệu."))
        level = _LEVEL_WORDS.get(_text(raw["level"]).lower())
        if level is None:
            fail(
                "E",
                row,
                "level",
                gettext_noop(
                    "Cấp “%(value)s” không có; ghi “Chính phủ”, “Bộ Công an” hoặc “Cơ sở”."
                ),
                value=_text(raw["level"]),
            )
        state = _STATE_WORDS.get(_text(raw["state"]).lower() or "đề nghị")
        if state is None:
            fail(
                "F",
                row,
                "state",
                gettext_noop(
                    "Trạng thái “%(value)s” không có; ghi “Đề nghị”, “Được tặng” hoặc "
                    "“Không được tặng”."
                ),
                value=_text(raw["state"]),
            )
        decision = None
        number, issuer = _text(raw["number"]), _text(raw["issuer"])
        signed_on = None
        if _text(raw["signed_on"]):
            try:
                signed_on = _day(raw["signed_on"])
            except ValueError:
                fail(
                    "H",
                    row,
                    "signed_on",
                    gettext_noop("Ngày “%(value)s” không đọc được; ghi theo dạng 31/12/2020."),
                    value=_text(raw["signed_on"]),
                )
        if state in (TitleState.AWARDED, TitleState.NOT_AWARDED):
            for letter, present in (("G", number), ("H", signed_on), ("I", issuer)):
                if not present and not (letter == "H" and _text(raw["signed_on"])):
                    fail(
                        letter,
                        row,
                        "decision_missing",
                        gettext_noop(
                            "Danh hiệu đã có kết quả phải ghi số quyết định, ngày và cơ quan "
                            "ban hành."
                        ),
                    )
            if number and signed_on and issuer:
                decision = DecisionData(number, signed_on, issuer)
        elif number or issuer:
            fail(
                "F",
                row,
                "state_with_decision",
                gettext_noop("Có số quyết định nhưng trạng thái là “Đề nghị”."),
            )
        person = PersonData.entered(
            _text(raw["full_name"]),
            _text(raw["rank"]),
            _text(raw["position"]),
            _text(raw["person_key"]),
        )
        found = _person_problems(person) + _namesake_problems(unit, person, known)
        if person is not None and unit is not None and not found and not person.key.strip():
            written = names.setdefault((unit.code, person.stable_key), person.full_name)
            if not same_name(written, person.full_name):
                found.append(_namesake_problem(written, person))
        for problem in found:
            problems.append(xlsx.at(sheet.title, f"{_PERSON_COLUMNS[problem.field]}{row}", problem))
        if len(problems) > before:
            continue
        key = (unit.code, person.stable_key if person else None, year, code)
        if key in seen:
            fail(
                "C",
                row,
                "duplicate",
                gettext_noop(
                    "Trùng với hàng %(other)s (cùng đơn vị hoặc cá nhân, năm, danh hiệu)."
                ),
                other=seen[key],
            )
            continue
        seen[key] = row
        existing = known.line(unit, person, year, code)
        if existing is not None and _downgrade_problems(existing, state):
            fail(
                "F",
                row,
                "already_decided",
                gettext_noop(
                    "Danh hiệu này đã có quyết định (%(number)s); không thể đưa về “Đề nghị”."
                ),
                number=existing.decision.number if existing.decision else "—",
            )
            continue
        lines.append(
            Line(
                row,
                unit,
                year,
                code,
                title,
                level,
                state,
                decision,
                _text(raw["source"]),
                person,
                existing,
            )
        )
    if not lines and not problems:
        problems.append(
            Problem("empty", gettext_noop("Tệp không có dòng nào để nhập."), {}, "file")
        )
    if problems:
        raise xlsx.WorkbookRefused(problems)
    return lines


@transaction.atomic
def import_titles(*, actor, cluster: Cluster, content: bytes) -> list[TitleRecord]:
    """All the file's lines or none: any problem refuses the whole file."""
    require(actor, Action.RECORD_TITLES, cluster)
    lines = read_workbook(cluster, content)
    office = _is_office(actor)
    saved = []
    decisions: dict[DecisionData, Decision] = {}  # a decision awards many lines: found once
    try:
        with transaction.atomic():
            for line in lines:
                decision = None
                if line.decision is not None:
                    if line.decision not in decisions:
                        decisions[line.decision] = _decision(
                            actor, line.decision, on_behalf=not office
                        )
                    decision = decisions[line.decision]
                saved.append(
                    _put(
                        actor,
                        line.existing,
                        cluster=cluster,
                        **_holder(line.unit, line.person),
                        year=line.year,
                        title_code=line.title_code,
                        title=line.title,
                        level=line.level,
                        state=line.state,
                        decision=decision,
                        source=line.source,
                    )
                )
    except DomainError as error:  # e.g. a decision number already recorded with another date
        raise xlsx.WorkbookRefused(error.problems) from None
    audit(
        actor=actor,
        action=AuditAction.TITLE_IMPORT,
        object_type="org.cluster",
        object_id=cluster.code,
        after={"lines": len(saved)},
    )
    return saved


def no_file_problem() -> Problem:
    return Problem("no_file", gettext_noop("Chưa chọn tệp."), {}, "file")


def workbook_of(rows: Iterable[Sequence]) -> bytes:
    """A register sheet holding `rows` (in the order of COLUMNS): what the demo imports."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([header for _l, _n, header in COLUMNS])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
