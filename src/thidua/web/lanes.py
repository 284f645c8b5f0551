"""Two queues for `thidua serve`: the phones' casts, and every other request.

waitress hands requests to its threads in arrival order. When a hall casts, a page asked for
during the burst (the projector's screen, the secretary's conference page, a delegate
reloading theirs) waited behind every cast that arrived before it: ~1 s for 200 phones on
the conference laptop, however cheap the page (issue 18). Here the casts keep their own
threads (`--threads`) and queue among themselves, in order, as before; the other requests
have their own few threads (`--page-threads`) and queue among themselves. Neither can take
the other's threads, so pages polled by many phones cannot starve the casts either (the
reason pages are not put ahead of the casts in one queue).

Over HTTPS (cheroot) the same two lanes are gates inside the app (`Gates`): cheroot gives a
connection to the next free thread of its one pool and only that thread reads the request
(over TLS nothing can be read before), so the server has a thread for every connection it
holds and each request waits at its lane's gate, casts and pages apart."""

from __future__ import annotations

import re
import threading

from waitress.task import ThreadedTaskDispatcher

# the phones' cast, `voting.urls.hall_urls` under clusters/<code>/<year>/ (tests/test_lanes.py
# checks it against the route)
CAST_PATH = re.compile(r"/clusters/[^/]+/[^/]+/conference/polls/[^/]+/cast/")


def is_cast(request) -> bool:
    """A phone's cast: a POST to a poll's cast address (waitress's parsed request)."""
    return _is_cast(request.command, request.path)


def _is_cast(method: str, path: str) -> bool:
    return method == "POST" and CAST_PATH.fullmatch(path) is not None


class Lanes(ThreadedTaskDispatcher):
    """waitress's dispatcher for the casts, with `cast_threads`, and a second one inside it for
    every other request, with `page_threads` (given to waitress's `serve` as `_dispatcher`).
    waitress gives `add_task` the connection whose first queued request is served next."""

    def __init__(self, cast_threads: int, page_threads: int):
        super().__init__()
        self.set_thread_count(cast_threads)
        self.pages = ThreadedTaskDispatcher()
        self.pages.set_thread_count(page_threads)

    def add_task(self, task) -> None:
        requests = getattr(task, "requests", None)
        if requests and is_cast(requests[0]):
            super().add_task(task)
        else:
            self.pages.add_task(task)

    def shutdown(self, cancel_pending: bool = True, timeout: int = 5) -> bool:
        casts = super().shutdown(cancel_pending, timeout)
        return self.pages.shutdown(cancel_pending, timeout) and casts


class Gates:
    """The lanes as a WSGI middleware (for cheroot): at most `cast_threads` casts and
    `page_threads` other requests in the app at once, each kind waiting at its own gate, so
    a page asked for while the hall casts waits only for other pages. The response is sent
    after the gate is left (the app has made it by then; a file is read as it is sent)."""

    def __init__(self, application, cast_threads: int, page_threads: int):
        self.application = application
        self.casts = threading.BoundedSemaphore(cast_threads)
        self.pages = threading.BoundedSemaphore(page_threads)

    def __call__(self, environ, start_response):
        cast = _is_cast(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        with self.casts if cast else self.pages:
            return self.application(environ, start_response)
