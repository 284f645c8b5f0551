"""Every role's site, crawled: no link or form leads nowhere, and no English on Vietnamese
pages. The `.po` catalogue cannot catch a hard-coded or third-party string; this scan of the
rendered words can: every word written in plain ASCII letters must be in the reviewed list
in a reviewed list (Vietnamese words without diacritics, place and person names, product names)."""

from pathlib import Path

import pytest

from tests.web.crawl import crawl

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",  # the Ministry's administrator
    "quansat",  # an observer
    "hagiang.thuky",  # the 2020 leader unit's secretary
    "laocai.thuky",  # the 2021 leader unit's secretary
    "laocai.daibieu",  # a delegate on the counting board
    "sonla.canbo",  # an officer of a member unit
    "cantho.thuky",  # a secretary of another cluster
)

#: Reviewed words (tests/web/ascii_words.txt): Vietnamese written without diacritics, units,
#: and the names of products or technical terms the pages quote.
ASCII_WORDS = frozenset(
    word
    for line in (Path(__file__).parent / "ascii_words.txt").read_text().splitlines()
    if not line.startswith("#")
    for word in line.split()
)


@pytest.mark.parametrize("username", ROLES)
def test_the_role_meets_no_dead_end_and_no_english(client_for, username):
    found = crawl(client_for(username))
    assert found.pages >= 15, found.pages  # the crawl saw the site, not a login page
    assert found.dead == []  # (status, link, the page that shows it)
    unknown = {word: found.where[word] for word in found.words if word.lower() not in ASCII_WORDS}
    assert unknown == {}, "words not in the reviewed list (word: a page that shows it)"


def test_the_scan_sees_an_english_word(client_for, settings):
    """The scan is not blind: the same pages in English are full of words it would flag."""
    client = client_for("quansat")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = crawl(client)
    assert {"home", "the"} & {word.lower() for word in found.words}


def test_the_crawl_reports_a_link_that_leads_nowhere(client_for):
    found = crawl(client_for("cantho.thuky"), start="/clusters/cum-2/2020/")
    assert found.dead == [(403, "/clusters/cum-2/2020/", "")]
