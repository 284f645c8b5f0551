"""`thidua serve`'s two queues (thidua.web.lanes): a page asked for while the casts fill their
threads is served at once, on its own threads, not queued behind the casts."""

import io
import threading

from django.urls import reverse
from waitress.adjustments import Adjustments
from waitress.parser import HTTPRequestParser

from thidua.web.lanes import Lanes, is_cast


def _parsed(method: str, path: str) -> HTTPRequestParser:
    """The request as waitress parses it off a connection."""
    request = HTTPRequestParser(Adjustments())
    head = f"{method} {path} HTTP/1.1\r\nHost: hall\r\nContent-Length: 0\r\n\r\n"
    request.received(head.encode())
    assert request.completed
    return request


class Connection:
    """What waitress gives its dispatcher: a connection with its queued requests, served by
    `service()` (here: waits for `release`, then notes it was served)."""

    def __init__(self, method: str, path: str, release: threading.Event, served: list):
        self.requests = [_parsed(method, path)]
        self.release, self.served = release, served

    def service(self) -> None:
        self.release.wait(10)
        self.served.append(self.requests[0].path)

    def cancel(self) -> None:
        pass


CAST = reverse("cast", args=["cum-2", 2020, "bau-cum-truong"])
CONFERENCE = reverse("conference", args=["cum-2", 2020])


def test_the_phones_cast_is_the_casts_lane():
    assert is_cast(_parsed("POST", CAST))
    assert not is_cast(_parsed("GET", CAST))  # the sign-in redirect's way back: a page
    for page in (
        CONFERENCE,
        reverse("screen", args=["cum-2", 2020]),
        reverse("poll", args=["cum-2", 2020, "bau-cum-truong"]),
        reverse("results", args=["cum-2", 2020]),
    ):
        assert not is_cast(_parsed("POST", page))
        assert not is_cast(_parsed("GET", page))


def test_a_page_is_served_while_every_cast_thread_is_busy():
    lanes = Lanes(cast_threads=2, page_threads=1)
    casts_held, pages_free = threading.Event(), threading.Event()
    pages_free.set()
    served: list[str] = []
    try:
        for _ in range(5):  # both cast threads busy, three casts queued
            lanes.add_task(Connection("POST", CAST, casts_held, served))
        page = Connection("GET", CONFERENCE, pages_free, served)
        lanes.add_task(page)
        _wait_for(lambda: served)
        assert served == [CONFERENCE]  # the page, while no cast has finished
        casts_held.set()
        _wait_for(lambda: len(served) == 6)
        assert served.count(CAST) == 5  # then every cast, none lost
    finally:
        casts_held.set()
        assert lanes.shutdown(timeout=10)


def _wait_for(condition) -> None:
    for _ in range(200):
        if condition():
            return
        threading.Event().wait(0.05)


def test_serve_gives_waitress_the_two_lanes(monkeypatch):
    """`thidua serve` hands waitress the lanes: `--threads` for the casts, `--page-threads`
    for the rest (waitress's `serve` stood in for: it would run until stopped)."""
    import waitress
    from django.core.management import call_command

    given = {}
    monkeypatch.setattr(waitress, "serve", lambda application, **options: given.update(options))
    call_command("serve", "--threads", "3", "--page-threads", "2", stdout=io.StringIO())
    lanes = given["_dispatcher"]
    try:
        assert isinstance(lanes, Lanes)
        assert (len(lanes.threads), len(lanes.pages.threads)) == (3, 2)
    finally:
        lanes.shutdown()
