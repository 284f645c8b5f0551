"""Every route × every kind of person × every phase, against the permission table."""

import json

import pytest
from django.test import Client

from tests.security.matrix import EXEMPT, NOT_OVER_HTTP, PEOPLE, PHASES_TRIED, PROBES, Probe
from tests.voting import phones
from tests.web.test_access import routes
from thidua.core.policy import POLICY
from thidua.org.models import Cycle

pytestmark = pytest.mark.django_db

CELLS = [
    pytest.param(probe, person, phase, id=f"{probe.id}-{person}-{phase or 'now'}")
    for probe in PROBES
    for person in PEOPLE
    for phase in (PHASES_TRIED if probe.phased else [None])
]


def _send(client: Client, probe: Probe, phase: str, person: str):
    path = probe.path.replace("{phase}", phase)
    if probe.method == "GET":
        return client.get(path)
    data = probe.data
    if probe.signed:
        sign = phones.api_ballot if probe.json else phones.form
        data = sign(person, probe.signed, data)
    if probe.json:
        return client.generic(probe.method, path, json.dumps(data), content_type="application/json")
    return client.post(path, data)


@pytest.mark.parametrize(("probe", "person", "phase"), CELLS)
def test_the_permission_matrix(probe, person, phase, get_user):
    cycle = Cycle.objects.get(cluster__code="cum-2", year=2020)
    if phase:
        Cycle.objects.filter(pk=cycle.pk).update(phase=phase, phase_is_open=True)
        cycle.refresh_from_db()
    if probe.setup:
        probe.setup()
    user = get_user(person)
    expected = probe.allows(user, cycle)
    client = Client()
    client.force_login(user)
    status = _send(client, probe, cycle.phase, person).status_code
    assert status < 500, status
    if expected:
        assert status not in (401, 403, 409), f"{person} refused ({status}) but the table allows"
    else:
        assert status in (403, 409), f"{person} got {status} but the table refuses"


def test_every_route_is_in_the_matrix():
    names = {name for name, _path in routes() if not name.startswith("admin:")}
    covered = {probe.route for probe in PROBES} | set(EXEMPT)
    assert names - covered == set(), "routes missing from tests/security/matrix.py"
    assert covered - names == set(), "the matrix names routes that do not exist"


def test_every_action_is_tried():
    tried = {action for probe in PROBES for action in probe.actions}
    assert set(POLICY) - tried == set(NOT_OVER_HTTP)


def test_docs_permissions_is_up_to_date():
    from pathlib import Path

    from tests.security.render import render

    written = (Path(__file__).parents[2] / "docs" / "permissions.md").read_text()
    assert written == render(), "run `make permissions`"
