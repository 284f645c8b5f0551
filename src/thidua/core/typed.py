"""Frozen dataclasses as JSON: read with every fault named by its path, written back, and
described as JSON Schema and as a table for people — so a file format is written down once
(`thidua.core.record`) and its schema, its documentation and its checks follow from it.

The JSON forms of the supported annotations:

- `str`, `int`, `bool`; `Decimal` as a string of digits (`"94.57"`, exact, never a float);
  `date` as `"YYYY-MM-DD"`; `datetime` as ISO 8601 with its offset; a `StrEnum` or `Literal`
  as one of its values;
- `X | None`, `list[X]`, `dict[str, X]`, `tuple[A, B, C]` (an array of exactly those);
- another dataclass (an object with exactly its fields; a field with a default may be absent);
- `Any` as any JSON value;
- `Annotated[X, Check(...)]` for a pattern, a length, a range or unique items.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from thidua.core.messages import Label, Phrase, gettext_noop

DECIMAL = r"^-?[0-9]+(\.[0-9]+)?(E[+-]?[0-9]+)?$"
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_IS_DECIMAL = re.compile(DECIMAL).fullmatch
_IS_DAY = re.compile(DAY).fullmatch


@dataclass(frozen=True)
class Check:
    """What a value must also be, beside its type: read checks it, the schema states it."""

    pattern: str | None = None
    min_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_items: int | None = None
    unique: bool = False
    format: str | None = None  # the schema's `format` word (the pattern does the checking)


def doc(text: str, **options) -> Any:
    """A dataclass field with its meaning, for the schema and the table of fields."""
    return field(metadata={"doc": text}, **options)


@dataclass(frozen=True)
class Fault:
    """One place where a document does not have the format: where, and what is wrong."""

    where: str
    message: Phrase


class _Bad:
    """What a reader returns for a value it could not read (its fault already noted)."""


BAD = _Bad()
Reader = Callable[[object, str, list[Fault]], object]


def read(kind: type, data: object, where: str = "") -> tuple[Any, list[Fault]]:
    """`data` (parsed JSON) as an instance of `kind`, or None with every fault found.

    A document in the format (the usual case) is read once, by a reader that stops at the
    first fault without naming it (`_fast`); only a document with a fault is read again,
    by the reader that names every fault by its path (`_reader`). Both accept exactly the
    same documents and give the same values."""
    try:
        return _fast(kind)(data), []
    except _Invalid:
        pass
    faults: list[Fault] = []
    value = _reader(kind)(data, where, faults)
    return (None if faults or value is BAD else value), faults


def read_members(kind: type, members: Iterable[tuple[str, object]]) -> Any:
    """An instance of `kind` (a dataclass) from its members as (name, parsed JSON) pairs,
    each read as it comes: a caller that parses them one at a time (`record.read_file`)
    never holds the whole document. None at the first fault, a member named twice or one
    not in the format, without naming it: the caller then reads the whole document with
    `read`, which accepts the same documents and names every fault."""
    readers = _member_readers(kind)
    found: dict[str, object] = {}
    for name, value in members:
        reader = readers.get(name)
        if reader is None or name in found:
            return None
        if isinstance(value, Done):  # read by the caller already, element by element
            found[name] = value.value
            continue
        try:
            found[name] = reader(value)
        except _Invalid:
            return None
        del value  # not kept while the next member is parsed
    for item in fields(kind):
        if item.name not in found:
            default = _default(item)
            if default is MISSING:
                return None
            found[item.name] = default()
    return kind(**found)


@dataclass(frozen=True, slots=True)
class Done:
    """A member `read_members` takes as it is: its caller read it already (`read_one` on
    each of its elements, as they were parsed), so its JSON was never whole in memory."""

    value: object


def read_one(kind, value: object) -> Any:
    """`value` (parsed JSON) as `kind`, or None at its first fault (unnamed: see
    `read_members`)."""
    try:
        return _fast(kind)(value)
    except _Invalid:
        return None


@cache
def _member_readers(kind: type) -> dict[str, FastReader]:
    hints = get_type_hints(kind, include_extras=True)
    return {item.name: _fast(hints[item.name]) for item in fields(kind)}


def write(value: object) -> object:
    """The JSON form of a value of a supported type (see the module's docstring)."""
    kind = type(value)
    if kind in _AS_IS or value is None:
        return value
    writer = _WRITERS.get(kind)
    if writer is None:
        writer = _writer_for(kind)
        _WRITERS[kind] = writer
    return writer(value)


_AS_IS = frozenset({str, int, bool, float})


def _writer_for(kind: type) -> Callable[[object], object]:
    """How to write values of `kind` (found once per type: records hold many thousands)."""
    if is_dataclass(kind):
        names = tuple(f.name for f in fields(kind))
        return lambda value: {name: write(getattr(value, name)) for name in names}
    if issubclass(kind, Enum):
        return lambda value: value.value
    if issubclass(kind, str | int | float):
        return lambda value: value
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, datetime | date):
        return lambda value: value.isoformat()
    if issubclass(kind, list | tuple):
        return lambda value: [write(item) for item in value]
    if issubclass(kind, Mapping):
        return lambda value: {key: write(item) for key, item in value.items()}
    if issubclass(kind, Sequence):  # `record.Entries`: a list held compact
        return lambda value: [write(item) for item in value]
    raise TypeError(f"no JSON form for {kind.__name__}")


_WRITERS: dict[type, Callable[[object], object]] = {}


# --- reading ------------------------------------------------------------------------------


def _fault(faults: list[Fault], where: str, message: str, **params) -> _Bad:
    faults.append(Fault(where or "$", Phrase(message, params)))
    return BAD


def _expected(faults: list[Fault], where: str, what: str) -> _Bad:
    return _fault(faults, where, gettext_noop("cần %(what)s."), what=Label(what))


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


@cache
def _reader(kind) -> Reader:
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        return _checked(_reader(args[0]), [a for a in args[1:] if isinstance(a, Check)])
    if kind is Any:
        return lambda value, where, faults: value
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _reader(options[0] if len(options) == 1 else Union[tuple(options)])  # noqa: UP007
        optional = len(options) < len(args)
        if len(options) > 1:
            raise TypeError(f"only `X | None` unions are supported: {kind}")

        def maybe(value, where, faults):
            return None if value is None and optional else inner(value, where, faults)

        return maybe
    if origin is list:
        return _list_reader(_reader(args[0]))
    if origin is dict:
        return _dict_reader(_reader(args[1]))
    if origin is tuple:
        return _tuple_reader([_reader(a) for a in args])
    if origin is Literal:
        return _choice_reader(tuple(args), lambda value: value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _choice_reader(tuple(member.value for member in kind), kind)
    if is_dataclass(kind):
        return _object_reader(kind)
    simple = {
        str: _simple(str, gettext_noop("một chuỗi")),
        bool: _simple(bool, gettext_noop("true hoặc false")),
        int: _whole,
        Decimal: _decimal,
        date: _day,
        datetime: _moment,
    }
    if kind in simple:
        return simple[kind]
    raise TypeError(f"no JSON reader for {kind!r}")


def _simple(kind: type, what: str) -> Reader:
    def simple(value, where, faults):
        return value if type(value) is kind else _expected(faults, where, what)

    return simple


def _whole(value, where, faults):
    if type(value) is not int:
        return _expected(faults, where, gettext_noop("một số nguyên"))
    return value


def _decimal(value, where, faults):
    if not isinstance(value, str) or not _IS_DECIMAL(value):
        return _expected(faults, where, gettext_noop("một số thập phân viết thành chuỗi (“94.57”)"))
    return Decimal(value)


def _day(value, where, faults):
    if isinstance(value, str) and _IS_DAY(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _expected(faults, where, gettext_noop("một ngày YYYY-MM-DD"))


def _moment(value, where, faults):
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None and moment.isoformat() == value:
            return moment
    return _expected(faults, where, gettext_noop("một thời điểm ISO 8601 có múi giờ"))


def _choice_reader(values: tuple, convert: Callable) -> Reader:
    shown = ", ".join(str(value) for value in values)

    def choice(value, where, faults):
        if isinstance(value, bool) or value not in values:
            return _fault(faults, where, gettext_noop("cần một trong: %(values)s."), values=shown)
        return convert(value)

    return choice


def _list_reader(item: Reader) -> Reader:
    def items(value, where, faults):
        if not isinstance(value, list):
            return _expected(faults, where, gettext_noop("một danh sách"))
        found = [item(element, f"{where}[{index}]", faults) for index, element in enumerate(value)]
        return BAD if any(element is BAD for element in found) else found

    return items


def _dict_reader(item: Reader) -> Reader:
    def entries(value, where, faults):
        if not isinstance(value, dict):
            return _expected(faults, where, gettext_noop("một đối tượng"))
        found = {key: item(element, f"{where}[{key}]", faults) for key, element in value.items()}
        return BAD if any(element is BAD for element in found.values()) else found

    return entries


def _tuple_reader(parts: list[Reader]) -> Reader:
    def row(value, where, faults):
        if not isinstance(value, list) or len(value) != len(parts):
            return _fault(
                faults,
                where,
                gettext_noop("cần một danh sách %(count)s phần tử."),
                count=len(parts),
            )
        found = tuple(
            part(element, f"{where}[{index}]", faults)
            for index, (part, element) in enumerate(zip(parts, value, strict=True))
        )
        return BAD if any(element is BAD for element in found) else found

    return row


def _object_reader(kind: type) -> Reader:
    hints = get_type_hints(kind, include_extras=True)
    slots = [(f.name, _reader(hints[f.name]), _default(f)) for f in fields(kind)]
    known = {name for name, _reader_of, _value in slots}

    def instance(value, where, faults):
        if not isinstance(value, dict):
            return _expected(faults, where, gettext_noop("một đối tượng"))
        before = len(faults)
        found = {}
        for name, reader, default in slots:
            if name in value:
                found[name] = reader(value[name], _at(where, name), faults)
            elif default is MISSING:
                _fault(faults, _at(where, name), gettext_noop("thiếu mục này."))
            else:
                found[name] = default()
        for key in value:
            if key not in known:
                _fault(faults, _at(where, str(key)), gettext_noop("mục không có trong định dạng."))
        return BAD if len(faults) > before else kind(**found)

    return instance


def _default(item) -> Callable[[], object] | object:
    if item.default is not MISSING:
        return lambda: item.default
    if item.default_factory is not MISSING:
        return item.default_factory
    return MISSING


def _checked(inner: Reader, checks: list[Check]) -> Reader:
    def checked(value, where, faults):
        found = inner(value, where, faults)
        if found is BAD:
            return BAD
        for check in checks:
            problem = _broken(check, found)
            if problem is not None:
                faults.append(Fault(where or "$", problem))
                return BAD
        return found

    return checked


def _broken(check: Check, value) -> Phrase | None:
    """Why `value` breaks `check` (the first constraint it breaks), or None."""
    if check.pattern is not None and not re.search(check.pattern, str(value)):
        return Phrase(gettext_noop("không đúng dạng %(pattern)s."), {"pattern": check.pattern})
    if check.min_length is not None and len(value) < check.min_length:
        return Phrase(gettext_noop("không được để trống."))
    if check.minimum is not None and value < check.minimum:
        return Phrase(gettext_noop("phải từ %(minimum)s trở lên."), {"minimum": check.minimum})
    if check.maximum is not None and value > check.maximum:
        return Phrase(gettext_noop("phải không quá %(maximum)s."), {"maximum": check.maximum})
    if check.min_items is not None and len(value) < check.min_items:
        return Phrase(gettext_noop("danh sách không được trống."))
    if check.unique and len({_hashable(v) for v in value}) != len(value):
        return Phrase(gettext_noop("danh sách có phần tử lặp lại."))
    return None


def _hashable(value) -> object:
    return repr(value) if isinstance(value, dict | list) else value


# --- reading, fast: the same checks, stopping at the first fault without naming it ------


class _Invalid(Exception):
    """A fault found by a fast reader: the document is read again to name every fault."""


_INVALID = _Invalid()
FastReader = Callable[[object], object]


class _Decimals(dict):
    """Decimals already read, by their text: a record repeats a few score values thousands
    of times, and a Decimal is immutable, so one object serves every occurrence. A text not
    yet read is checked and read on the way (`__missing__`), kept while there is room."""

    KEPT = 4096

    def __missing__(self, value):
        if not isinstance(value, str) or not _IS_DECIMAL(value):
            raise _INVALID
        found = Decimal(value)
        if len(self) >= self.KEPT:  # a long-running process: keep the recent ones
            self.clear()
        self[value] = found
        return found


_DECIMALS = _Decimals()


def decimal_of(text: object) -> Decimal | None:
    """The Decimal `text` reads as (as `read` reads a Decimal), None when it is no
    decimal's text."""
    try:
        return _DECIMALS[text]
    except (_Invalid, TypeError):
        return None


def decimals_read(texts: Iterable[object]) -> list[Decimal | None] | None:
    """The Decimal each text was last read as (`read` keeps the recent ones), None for a
    text not among them; None when a value is not even hashable."""
    try:
        return list(map(_DECIMALS.get, texts))
    except TypeError:
        return None


def _fast_decimal(value):
    try:
        return _DECIMALS[value]
    except TypeError:  # unhashable: a list or an object, no decimal's text
        raise _INVALID from None


def _fast_decimals(value):
    """`dict[str, Decimal]` (a sheet's scores, a report's figures), in one comprehension."""
    if not isinstance(value, dict):
        raise _INVALID
    decimals = _DECIMALS
    try:
        return {key: decimals[element] for key, element in value.items()}
    except TypeError:
        raise _INVALID from None


def _holds(check: Check) -> Callable[[object], bool]:
    """Whether a value meets `check` (as `_broken` finds it), as one function."""
    tests: list[Callable[[object], bool]] = []
    if check.pattern is not None:
        search = re.compile(check.pattern).search
        tests.append(lambda value: search(str(value)) is not None)
    if check.min_length is not None:
        tests.append(lambda value: len(value) >= check.min_length)
    if check.minimum is not None:
        tests.append(lambda value: not value < check.minimum)
    if check.maximum is not None:
        tests.append(lambda value: not value > check.maximum)
    if check.min_items is not None:
        tests.append(lambda value: len(value) >= check.min_items)
    if check.unique:
        tests.append(lambda value: len({_hashable(v) for v in value}) == len(value))
    if len(tests) == 1:
        return tests[0]
    return lambda value: all(test(value) for test in tests)


def _fast_day(value):
    if isinstance(value, str) and _IS_DAY(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _INVALID


def _fast_moment(value):
    if isinstance(value, str) and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _INVALID from None
        if moment.tzinfo is not None and moment.isoformat() == value:
            return moment
    raise _INVALID


def _fast_simple(kind: type) -> FastReader:
    def simple(value):
        if type(value) is not kind:
            raise _INVALID
        return value

    return simple


def _as_is(value):
    return value


#: The annotations a fast object reader checks inline (`type(value) is …`), no call.
_INLINE = {str: "str", bool: "bool", int: "int"}


@cache
def _fast(kind) -> FastReader:
    """The fast reader of `kind`: `_reader`'s checks in the same order, raising `_Invalid`
    at the first one that fails."""
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        inner = _fast(args[0])
        holds = [_holds(a) for a in args[1:] if isinstance(a, Check)]

        def checked(value):
            found = inner(value)
            for check in holds:
                if not check(found):
                    raise _INVALID
            return found

        return checked
    if kind is Any:
        return _as_is
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) > 1:
            raise TypeError(f"only `X | None` unions are supported: {kind}")
        inner = _fast(options[0])
        if len(options) == len(args):
            return inner

        def maybe(value):
            return None if value is None else inner(value)

        return maybe
    if origin is list:
        item = _fast(args[0])

        def items(value):
            if not isinstance(value, list):
                raise _INVALID
            return [item(element) for element in value]

        return items
    if origin is dict and args[1] is Decimal:
        return _fast_decimals
    if origin is dict:
        item = _fast(args[1])

        def entries(value):
            if not isinstance(value, dict):
                raise _INVALID
            return {key: item(element) for key, element in value.items()}

        return entries
    if origin is tuple:
        parts = [_fast(a) for a in args]

        def row(value):
            if not isinstance(value, list) or len(value) != len(parts):
                raise _INVALID
            return tuple(part(element) for part, element in zip(parts, value, strict=True))

        return row
    if origin is Literal or (isinstance(kind, type) and issubclass(kind, Enum)):
        values = tuple(args) if origin is Literal else tuple(member.value for member in kind)
        convert = _as_is if origin is Literal else kind

        def choice(value):
            if isinstance(value, bool) or value not in values:
                raise _INVALID
            return convert(value)

        return choice
    if is_dataclass(kind):
        return _fast_object(kind)
    simple = {
        str: _fast_simple(str),
        bool: _fast_simple(bool),
        int: _fast_simple(int),
        Decimal: _fast_decimal,
        date: _fast_day,
        datetime: _fast_moment,
    }
    if kind in simple:
        return simple[kind]
    raise TypeError(f"no JSON reader for {kind!r}")


def _fast_object(kind: type) -> FastReader:
    """A function written for `kind` (one statement per field, simple types checked inline):
    reading an object is most of reading a record."""
    hints = get_type_hints(kind, include_extras=True)
    scope: dict[str, object] = {"kind": kind, "INVALID": _INVALID}
    body = ["if not isinstance(value, dict):", "    raise INVALID", "present = 0"]
    arguments, required = [], 0
    for number, item in enumerate(fields(kind)):
        name, variable = item.name, f"v{number}"
        default = _default(item)
        if default is MISSING:
            required += 1
            body += ["try:", f"    {variable} = value[{name!r}]", "except KeyError:"]
            body += ["    raise INVALID from None"]
            indent = ""
        else:
            scope[f"d{number}"] = default
            body += [f"if {name!r} not in value:", f"    {variable} = d{number}()", "else:"]
            body += ["    present += 1", f"    {variable} = value[{name!r}]"]
            indent = "    "
        hint = hints[name]
        checks = []
        if get_origin(hint) is Annotated and get_args(hint)[0] in _INLINE:
            checks = [_holds(a) for a in get_args(hint)[1:] if isinstance(a, Check)]
            hint = get_args(hint)[0]
        if hint in _INLINE:
            body += [f"{indent}if type({variable}) is not {_INLINE[hint]}:"]
            body += [f"{indent}    raise INVALID"]
            for order, check in enumerate(checks):
                scope[f"c{number}_{order}"] = check
                body += [
                    f"{indent}if not c{number}_{order}({variable}):",
                    f"{indent}    raise INVALID",
                ]
        elif hint is not Any:
            scope[f"r{number}"] = _fast(hint)
            body += [f"{indent}{variable} = r{number}({variable})"]
        arguments.append(f"{name}={variable}")
    body += [f"if len(value) != {required} + present:", "    raise INVALID"]  # unknown keys
    setters = _slot_setters(kind)
    if setters is None:
        body += [f"return kind({', '.join(arguments)})"]
    else:  # the fields set as `__init__` would set them, without its generic lookups
        body += ["made = new(kind)"]
        for number, setter in enumerate(setters):
            scope[f"s{number}"] = setter
            body += [f"s{number}(made, v{number})"]
        body += ["return made"]
        scope["new"] = object.__new__
    source = "def instance(value):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<typed reader of {kind.__name__}>", "exec"), scope)  # noqa: S102
    return scope["instance"]


def replace(instance, **changes):
    """`dataclasses.replace` of an object `typed` reads by its slots (`_slot_setters`): its
    fields set as a reader sets them, without `replace`'s look-ups, a fifth of its time (a
    record's sheets are each read whole but their scores)."""
    named = _named_setters(type(instance))
    if named is None or not changes.keys() <= named.keys():
        return dataclasses.replace(instance, **changes)
    made = object.__new__(type(instance))
    for name, setter in named.items():
        setter(made, changes[name] if name in changes else getattr(instance, name))
    return made


@cache
def _named_setters(kind: type) -> dict[str, Callable[[object, object], None]] | None:
    setters = _slot_setters(kind)
    if setters is None:
        return None
    return dict(zip([item.name for item in fields(kind)], setters, strict=True))


def _slot_setters(kind: type) -> list[Callable[[object, object], None]] | None:
    """For a dataclass with slots whose `__init__` only sets its fields (frozen or not, no
    `__post_init__`): each field's slot setter, in the order of `fields`; else None."""
    if not kind.__dataclass_params__.init or hasattr(kind, "__post_init__"):
        return None
    setters = []
    for item in fields(kind):
        slot = getattr(kind, item.name, None)
        if type(slot).__name__ != "member_descriptor":
            return None
        setters.append(slot.__set__)
    return setters


# --- describing ---------------------------------------------------------------------------


def json_schema(kind: type, **header) -> dict:
    """The JSON Schema (draft 2020-12) of `kind`: its object at the top, every other
    dataclass under `$defs`; `header` adds `$id`, `title`, `description`."""
    defs: dict[str, dict] = {}
    _schema(kind, defs)
    top = defs.pop(kind.__name__)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **top,
        **header,
        "$defs": defs,
    }


def _schema(kind, defs: dict[str, dict]) -> dict:
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        schema = dict(_schema(args[0], defs))
        for check in (a for a in args[1:] if isinstance(a, Check)):
            schema.update(_stated(check))
        return schema
    if kind is Any:
        return {}
    if origin in (Union, types.UnionType):
        options = [_schema(a, defs) for a in args if a is not type(None)]
        return {"anyOf": [*options, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema(args[1], defs)}
    if origin is tuple:
        return {
            "type": "array",
            "prefixItems": [_schema(a, defs) for a in args],
            "items": False,
            "minItems": len(args),
        }
    if origin is Literal:
        return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
    if isinstance(kind, type) and issubclass(kind, Enum):
        return {"enum": [member.value for member in kind]}
    if is_dataclass(kind):
        name = kind.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a type may refer to itself
            defs[name] = _object_schema(kind, defs)
        return {"$ref": f"#/$defs/{name}"}
    return {
        str: {"type": "string"},
        int: {"type": "integer"},
        bool: {"type": "boolean"},
        Decimal: {"type": "string", "pattern": DECIMAL},
        date: {"type": "string", "format": "date", "pattern": DAY},
        datetime: {"type": "string", "format": "date-time"},
    }[kind]


def _object_schema(kind: type, defs: dict[str, dict]) -> dict:
    hints = get_type_hints(kind, include_extras=True)
    properties = {}
    for item in fields(kind):
        schema = _schema(hints[item.name], defs)
        if item.metadata.get("doc"):
            schema = {"description": item.metadata["doc"], **schema}
        properties[item.name] = schema
    return {
        "title": kind.__name__,
        "description": _summary(kind),
        "type": "object",
        "properties": properties,
        "required": [item.name for item in fields(kind) if _default(item) is MISSING],
        "additionalProperties": False,
    }


def _stated(check: Check) -> dict:
    names = {
        "pattern": "pattern",
        "min_length": "minLength",
        "minimum": "minimum",
        "maximum": "maximum",
        "min_items": "minItems",
        "format": "format",
    }
    stated = {names[key]: getattr(check, key) for key in names if getattr(check, key) is not None}
    if check.unique:
        stated["uniqueItems"] = True
    return stated


def _summary(kind: type) -> str:
    return " ".join((kind.__doc__ or "").split())


def field_table(kind: type) -> str:
    """Every object of the format, from `kind` down, as Markdown: a heading per object with
    its description, then a row per field: name, JSON type, meaning."""
    order: list[type] = []
    _collect(kind, order)
    parts = []
    for item in order:
        hints = get_type_hints(item, include_extras=True)
        rows = [
            f"| `{f.name}` | {_words(hints[f.name])}"
            f"{' (may be absent)' if _default(f) is not MISSING else ''} | "
            f"{f.metadata.get('doc', '')} |"
            for f in fields(item)
        ]
        parts.append(
            "\n".join(
                [
                    f"### `{item.__name__}`",
                    "",
                    _summary(item),
                    "",
                    "| field | type | meaning |",
                    "|---|---|---|",
                    *rows,
                ]
            )
        )
    return "\n\n".join(parts) + "\n"


def _collect(kind, order: list[type]) -> None:
    if is_dataclass(kind) and isinstance(kind, type):
        if kind in order:
            return
        order.append(kind)
        hints = get_type_hints(kind, include_extras=True)
        for item in fields(kind):
            _collect(hints[item.name], order)
        return
    for arg in get_args(kind):
        _collect(arg, order)


def _words(kind) -> str:
    """The JSON type of an annotation in a few words, for the table of fields."""
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        words = _words(args[0])
        for check in (a for a in args[1:] if isinstance(a, Check)):
            if check.minimum is not None and check.maximum is not None:
                words += f" {check.minimum}–{check.maximum}"
            elif check.minimum is not None:
                words += f" ≥ {check.minimum}"
            if check.pattern is not None:
                words += f" matching `{check.pattern}`"
            if check.min_length:
                words += ", not empty"
            if check.min_items:
                words += f" (at least {check.min_items})"
            if check.unique:
                words += " (no repeats)"
        return words
    if kind is Any:
        return "any JSON"
    if origin in (Union, types.UnionType):
        return " or ".join([_words(a) for a in args if a is not type(None)] + ["null"])
    if origin is list:
        return f"list of {_words(args[0])}"
    if origin is dict:
        return f"object: text → {_words(args[1])}"
    if origin is tuple:
        return "[" + ", ".join(_words(a) for a in args) + "]"
    if origin is Literal or (isinstance(kind, type) and issubclass(kind, Enum)):
        values = args if origin is Literal else [member.value for member in kind]
        return " \\| ".join(f"`{json.dumps(value, ensure_ascii=False)}`" for value in values)
    if is_dataclass(kind):
        return f"[`{kind.__name__}`](#{kind.__name__.lower()})"
    return {
        str: "text",
        int: "integer",
        bool: "true/false",
        Decimal: "decimal as text",
        date: "date `YYYY-MM-DD`",
        datetime: "moment (ISO 8601, UTC)",
    }[kind]
