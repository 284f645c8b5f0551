"""The record download: everyone who may read a cycle's results may check them."""

from django.http import Http404, HttpResponse

from thidua.core import record as core_record
from thidua.core.policy import Action
from thidua.org import selectors as org_selectors
from thidua.org.authz import require
from thidua.record.export import export


def download(request, code: str, year: int):
    cycle = org_selectors.get_cycle(code, year)
    if cycle is None:
        raise Http404
    require(request.user, Action.VIEW_RESULTS, cycle)
    response = HttpResponse(core_record.encode(export(cycle)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ban-ghi-{code}-{year}.json"'
    return response
