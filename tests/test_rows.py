"""The rows of long lists built in Python (`thidua.rows`) give what the template engine gave:
the URL `reverse` gives, every value escaped."""

import pytest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.rows import SLUG, html_row, html_rows, row_links

slugs = st.from_regex(r"[-a-zA-Z0-9_]{1,20}", fullmatch=True)


@settings(deadline=None)  # the first example loads the URLconf
@given(cluster=slugs, year=st.integers(1990, 2100), scorer=slugs, target=slugs)
def test_a_row_link_is_the_url_reverse_gives(cluster, year, scorer, target):
    for name in ("sheet", "sheet_on_behalf", "sheet_reopen"):
        link = row_links(name, cluster, year, SLUG, SLUG)
        assert link(scorer, target) == reverse(name, args=[cluster, year, scorer, target])
    assert row_links("unit", SLUG)(scorer) == reverse("unit", args=[scorer])


@pytest.mark.parametrize("bad", ["", "a/b", "x y", "a?b=1", "<b>", "{}", "{0}", "đồng"])
def test_a_row_link_refuses_what_is_not_a_slug(bad):
    with pytest.raises(ValueError, match="slugs"):
        row_links("unit", SLUG)(bad)


def test_a_row_link_takes_exactly_its_slugs():
    link = row_links("sheet", "cum-ii", 2025, SLUG, SLUG)
    with pytest.raises(ValueError, match="slugs"):
        link("ha-giang")
    with pytest.raises(ValueError, match="slugs"):
        link("ha-giang", "lao-cai", "son-la")


@given(value=st.text())
def test_a_row_escapes_each_value_as_django_does(value):
    markup = '<a title="{title}">{text}</a>'
    row = html_row(markup, title=value, text=value)
    assert isinstance(row, SafeData)
    assert row == format_html('<a title="{}">{}</a>', value, value)


def test_a_row_keeps_safe_html_and_numbers():
    row = html_row("<td>{cell}</td><td>{n}</td>", cell=mark_safe("<b>Sơn La</b>"), n=7)
    assert row == "<td><b>Sơn La</b></td><td>7</td>"


def test_rows_join_safe_html_only():
    assert html_rows([html_row("<li>{x}</li>", x="<")] * 2) == "<li>&lt;</li>\n<li>&lt;</li>"
    with pytest.raises(TypeError):
        html_rows(["<li>plain text is not safe</li>"])
