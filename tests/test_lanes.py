"""`thidua serve`'s two queues (thidua.web.lanes): a page asked for while the casts fill their
threads is served at once, on its own threads, not queued behind the casts."""

import io
import threading

from django.urls import reverse
from waitress.adjustments import Adjustments
from waitress.parser import HTTPRequestParser

from thidua.web.lanes import Gates, Lanes, is_cast


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


def _environ(method: str, path: str) -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path}


def test_over_https_a_page_passes_its_gate_while_the_casts_fill_theirs():
    """cheroot's threads each hold a request at its lane's gate (thidua.web.lanes.Gates)."""
    casts_held = threading.Event()
    inside: list[str] = []
    most = {"casts": 0}
    lock = threading.Lock()

    def application(environ, start_response):
        with lock:
            inside.append(environ["PATH_INFO"])
            most["casts"] = max(most["casts"], inside.count(CAST))
        if environ["PATH_INFO"] == CAST:
            casts_held.wait(10)
        with lock:
            inside.remove(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    gates = Gates(application, cast_threads=2, page_threads=1)
    served: list[str] = []

    def request(method: str, path: str) -> None:
        (body,) = gates(_environ(method, path), lambda status, headers: None)
        served.append(body.decode())

    casts = [threading.Thread(target=request, args=("POST", CAST)) for _ in range(5)]
    try:
        for thread in casts:  # two casts in the app, three waiting at the casts' gate
            thread.start()
        _wait_for(lambda: inside.count(CAST) == 2)
        page = threading.Thread(target=request, args=("GET", CONFERENCE))
        page.start()
        page.join(5)
        assert served == [CONFERENCE]  # the page, while no cast has finished
        assert inside.count(CAST) == 2  # and the casts' gate still full
    finally:
        casts_held.set()
        for thread in casts:
            thread.join(10)
    assert served.count(CAST) == 5  # then every cast, none lost
    assert most["casts"] == 2  # never more casts in the app than their threads


def test_a_get_of_the_cast_address_goes_through_the_pages_gate():
    gates = Gates(lambda environ, start_response: [b""], cast_threads=1, page_threads=1)
    served: list[str] = []

    def request(method: str) -> threading.Thread:
        def send() -> None:
            gates(_environ(method, CAST), None)
            served.append(method)

        thread = threading.Thread(target=send, daemon=True)
        thread.start()
        return thread

    gates.casts.acquire()  # the casts' gate full: a page still passes, a cast waits
    try:
        request("GET").join(5)
        assert served == ["GET"]
        request("POST").join(0.2)
        assert served == ["GET"]
    finally:
        gates.casts.release()
    _wait_for(lambda: len(served) == 2)
    assert served == ["GET", "POST"]  # the cast once its gate had room


def test_serve_over_https_gives_cheroot_the_gates_and_a_thread_per_connection(monkeypatch):
    """`thidua serve --certfile … --keyfile …`: cheroot serves `Gates` over the app, with
    `--threads` casts and `--page-threads` pages at once, and a thread for each of the
    `--connections` it holds (cheroot's server stood in for: it would run until stopped)."""
    from cheroot import wsgi
    from cheroot.ssl import builtin
    from django.core.management import call_command

    given = {}

    class Server:
        def __init__(self, address, application, **options):
            given.update(options, application=application)

        def start(self):
            pass

    monkeypatch.setattr(wsgi, "Server", Server)
    monkeypatch.setattr(builtin, "BuiltinSSLAdapter", lambda certfile, keyfile: None)
    call_command(
        "serve", "--threads", "3", "--page-threads", "2", "--connections", "50",
        "--certfile", "hall.crt", "--keyfile", "hall.key", stdout=io.StringIO(),
    )  # fmt: skip
    gates = given["application"]
    assert isinstance(gates, Gates)
    assert [gates.casts.acquire(blocking=False) for _ in range(4)] == [True] * 3 + [False]
    assert [gates.pages.acquire(blocking=False) for _ in range(3)] == [True] * 2 + [False]
    assert given["numthreads"] == 50
