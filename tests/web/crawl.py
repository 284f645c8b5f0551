"""A crawl of the site as one person sees it: every internal link followed (a few per route),
every form's target checked, and the words of each page collected for the language scan."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client
from django.urls import Resolver404, resolve

#: Links not followed: files (built on demand, read back by their own tests), the admin, the
#: static files, signing out.
SKIPPED = re.compile(r"\.(docx|xlsx|pdf|zip|json|txt|ics|csv)$|^/admin/|^/static/|logout")
#: Routes not followed: they serve files, not pages.
FILE_ROUTES = frozenset({"document", "evidence", "record_quarantined"})


def followed(href: str) -> str | None:
    """The path to follow for a link, or None for a file, another site, or the admin."""
    path = href.split("#")[0]
    if not path.startswith("/") or path.startswith("//") or SKIPPED.search(path.split("?")[0]):
        return None
    try:
        return None if resolve(path.split("?")[0]).view_name in FILE_ROUTES else path
    except Resolver404:
        return path  # followed, to be reported as leading nowhere


#: Text that is not prose: slugs (co-bo-cong-an), file names, and what <code> shows.
NOT_PROSE = re.compile(r"\S+\.(docx|xlsx|pdf|json|txt)\b|\b[a-z0-9]+(?:-[a-z0-9]+)+\b")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._hidden = 0  # inside <script>, <style> or <code>

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in ("script", "style", "code"):
            self._hidden += 1
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        if tag == "form":
            self.forms.append(((found.get("method") or "get").lower(), found.get("action") or ""))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


@dataclass
class Crawl:
    pages: int = 0
    dead: list[tuple[int | str, str, str]] = field(default_factory=list)  # (status, url, from)
    words: Counter = field(default_factory=Counter)  # ASCII-only words of the prose
    where: dict[str, str] = field(default_factory=dict)  # a page where each word was seen


def crawl(client: Client, start: str = "/", per_route: int = 2) -> Crawl:
    """Breadth first from `start`, at most `per_route` pages per URL name."""
    found, seen, visits = Crawl(), set(), Counter()
    queue = [(start, "")]
    while queue:
        url, origin = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            route = resolve(url.split("?")[0]).view_name
        except Resolver404:
            found.dead.append(("no route", url, origin))
            continue
        if visits[route] >= per_route:
            continue
        visits[route] += 1
        response = client.get(url)
        found.pages += 1
        if response.status_code != 200:
            found.dead.append((response.status_code, url, origin))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for method, action in page.forms:
            target = action or url
            try:
                resolve(target.split("?")[0])
            except Resolver404:
                found.dead.append((f"form {method}", target, url))
        prose = NOT_PROSE.sub(" ", " ".join(page.text))
        for word in re.findall(r"\w+", prose):
            if re.fullmatch(r"[A-Za-z]{2,}", word) and not word.isupper():
                found.words[word] += 1
                found.where.setdefault(word, url)
        for href in page.links:
            href = href.split("#")[0]
            if (
                href.startswith("/")
                and not href.startswith("//")
                and not SKIPPED.search(href.split("?")[0])
            ):
                queue.append((href, url))
    return found
