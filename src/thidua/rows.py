"""The rows of a page's long lists (a row per member unit, 50 at the largest cluster), built
in Python rather than by the template engine.

Django's template engine spends about 40 µs on such a row: a `{% url %}` (about 30 µs a
call), an `{% if %}` per state, a dozen lookups. On the scoring page, the cycle page and the
conference page that was most of what the page's time grew by with the units (issue 18 asks
t(50 units) / t(7 units) ≤ 1,5). Here:

- `row_links` reverses a URL once for the page, with a placeholder for each slug that
  changes from row to row, filled in by string formatting: the URL `reverse` gives (a slug
  needs no quoting), checked by `tests/test_rows.py`;
- `html_row` fills a row's markup with its values, each escaped unless already safe (what
  `format_html` does, without its check for lazy strings on every value, half its cost);
- `html_rows` joins them into what the template prints as is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from django.urls import converters, reverse
from django.utils.safestring import SafeData, SafeString, mark_safe

#: stands in `row_links`'s arguments for a slug each row gives
SLUG = object()

_SLUG = re.compile(converters.SlugConverter.regex)
_PLACEHOLDER = "thidua-row-slug-{}"


def row_links(name: str, *args: object) -> Callable[..., str]:
    """`reverse(name, args=args)` as a function of the arguments that are `SLUG`, in order:
    one `reverse` for the page, then a `str.format` per row. A value that is not a slug is
    refused (`ValueError`), as `reverse` would refuse it."""
    holes = [n for n, arg in enumerate(args) if arg is SLUG]
    filled = [_PLACEHOLDER.format(n) if arg is SLUG else arg for n, arg in enumerate(args)]
    pattern = reverse(name, args=filled).replace("{", "{{").replace("}", "}}")
    for n in holes:
        pattern = pattern.replace(_PLACEHOLDER.format(n), "{}", 1)

    def link(*slugs: str) -> str:
        if len(slugs) != len(holes) or not all(_SLUG.fullmatch(str(s)) for s in slugs):
            raise ValueError(f"{name}: {slugs!r} are not {len(holes)} slugs")
        return pattern.format(*slugs)

    return link


def html_row(markup: str, **values: object) -> SafeString:
    """`markup` (HTML with `{name}` fields) filled with `values`, each escaped unless it is
    already safe HTML."""
    return mark_safe(  # noqa: S308 - every value is escaped or already safe
        markup.format(
            **{k: v if isinstance(v, SafeData) else html.escape(str(v)) for k, v in values.items()}
        )
    )


def html_rows(rows: Iterable[SafeString], separator: str = "\n") -> SafeString:
    """Rows made by `html_row` (or other safe HTML), one after the other; a row that is not
    safe HTML is refused (`TypeError`) rather than printed unescaped."""
    rows = list(rows)
    if not all(isinstance(row, SafeData) for row in rows):
        raise TypeError("html_rows joins safe HTML only")
    return mark_safe(separator.join(rows))  # noqa: S308 - each row is safe
