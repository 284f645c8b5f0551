"""`scoring.selectors.results_shared`: a record's export builds a document per member unit,
each reading the results; within the scope they are computed once per version of the cycle,
and again after any write."""

import pytest

from thidua.audit import services as audit_services
from thidua.core.record import AuditAction
from thidua.org.authz import SYSTEM
from thidua.org.models import Cycle
from thidua.scoring import selectors

pytestmark = pytest.mark.django_db


def _demo() -> Cycle:
    return Cycle.objects.get(cluster__code="cum-2", year=2020)


def test_outside_the_scope_every_call_computes():
    assert selectors.results(_demo()) is not selectors.results(_demo())


def test_within_the_scope_one_version_is_computed_once_and_a_write_computes_again():
    with selectors.results_shared():
        first = selectors.results(_demo())
        assert selectors.results(_demo()) is first  # another object of the same cycle
        with selectors.results_shared():  # a scope inside another shares the outer one
            assert selectors.results(_demo()) is first
        audit_services.record(
            actor=SYSTEM,
            action=AuditAction.DEADLINE_SET,
            object_type="cycle",
            object_id=str(_demo().pk),
            cycle=_demo(),
        )
        again = selectors.results(_demo())
        assert again is not first
        assert [(u.code, r.total) for u, r in again.ranking] == [
            (u.code, r.total) for u, r in first.ranking
        ]
    assert selectors.results(_demo()) is not again  # the scope is gone with its results


def test_the_results_export_computes_the_results_once(client_for, monkeypatch):
    """The export's readiness check and the table it writes read the same results."""
    computed = []
    compute = selectors._results
    monkeypatch.setattr(selectors, "_results", lambda cycle: computed.append(1) or compute(cycle))
    response = client_for("hagiang.thuky").get("/clusters/cum-2/2020/results/export.xlsx")
    assert response.status_code == 200
    assert len(computed) == 1
