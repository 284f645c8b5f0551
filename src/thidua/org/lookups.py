"""The cycle a URL names (`clusters/<code>/<year>/…` pages, `/api/cycles/<cluster>/<year>/…`),
found in one place: 404 when there is none, then the user's right to it when the caller says
which action. Pages and endpoints used to carry a copy each."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from django.http import Http404
from django.utils.translation import gettext as _

from thidua.core.policy import Action
from thidua.org.authz import require
from thidua.org.models import Cycle
from thidua.org.selectors import get_cycle

T = TypeVar("T")


def cycle_or_404(code: str, year: int, user=None, action: Action | None = None) -> Cycle:
    """The cycle of cluster `code` in `year`, or 404; with `action`, `require` it of `user`."""
    cycle = get_cycle(code, year)
    if cycle is None:
        raise Http404(_("Không có năm thi đua này."))
    if action is not None:
        require(user, action, cycle)
    return cycle


def cycle_view(action: Action | None = None):
    """Call the decorated page as `view(request, cycle, **rest)` for the URL's `code` and `year`.

    With `action`, the signed-in user must be allowed it on the cycle before the page runs. A
    page whose check needs more than the cycle (a unit's part of it, the HTTP method, a poll
    found first) passes no action and calls `require` itself, in its own order.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, code: str, year: int, **rest):
            return view(request, cycle_or_404(code, year, request.user, action), **rest)

        return wrapper

    return decorate


def found_or_404(found: T | None) -> T:
    """What a selector found by a URL's key, or 404 when it found nothing."""
    if found is None:
        raise Http404
    return found
