"""Filling a Django admin change form as the page fills it."""

import re


def admin_form(client, url: str) -> dict:
    """The admin change form's fields as the page fills them."""
    page = client.get(url).content.decode()
    fields = dict(
        re.findall(r'<input type="(?:text|number|hidden)" name="([^"]+)" value="([^"]*)"', page)
    )
    for name, value in re.findall(
        r'<select name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S
    ):
        fields[name] = value
    return fields
