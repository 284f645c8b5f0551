"""An encrypted score poll over HTTP: the ballot page encrypts on the phone (scores posted in
the clear are refused), a ballot made by the browser's code (ballot-crypto.js, in Node) with its
own-unit proof is cast through the cast view, and the closed poll asks its trustees to
decrypt, then shows the ranking (docs/score-ballot-crypto.md)."""

import json

import pytest

from tests.voting import phones, sealed
from tests.voting.test_ballot_crypto_js import js
from thidua.voting import devices, selectors, services
from thidua.voting.models import Ballot

pytestmark = pytest.mark.django_db

PAGE = "/clusters/cum-2/2020/conference/polls/cham-ma-hoa/"
BOARD = sealed.SCORE_BOARD
BASE = sealed.SCORE_BASE


@pytest.fixture
def key(conference, get_user):
    return sealed.run_ceremony(get_user("hagiang.thuky"), conference, [get_user(u) for u in BOARD])


@pytest.fixture
def poll(key, conference, get_user):
    made = services.create_score_poll(
        actor=get_user("hagiang.thuky"), conference=conference, code="cham-ma-hoa", title="Chấm"
    )
    return services.open_poll(actor=get_user("laocai.daibieu"), poll=made)


def _scores(own):
    return {u: (v,) for u, v in BASE.items() if u != own}


def test_the_score_page_encrypts_on_the_phone_with_its_own_unit(client_for, poll):
    phone = client_for("sonla.daibieu2")
    text = phone.get(PAGE).content.decode()
    assert 'id="sealed-choose" data-partial="refuse"' in text
    assert 'id="sealed-ballot"' in text
    assert 'data-own="son-la"' in text
    assert 'name="score"' not in text  # no plain cast form beside the encrypted one
    names = json.loads(text.split('id="sealed-names" type="application/json">')[1].split("<")[0])
    form = selectors.sealed_form(poll.form)
    assert len(names) == len(form.selections)
    # typed scores posted in the clear are refused, not stored and not shown back
    typed = {f"s_{u}_0": str(v + 1) for u, v in BASE.items() if u != "son-la"}
    refused = phone.post(PAGE, typed)
    assert refused.status_code == 400
    assert "không gửi lên máy chủ" in refused.content.decode()
    assert not any(f'value="{v + 1}"' in refused.content.decode() for v in BASE.values())
    assert not Ballot.objects.filter(poll=poll, filled=True).exists()


def _js_ballot(poll, unit, scores):
    """The browser's ballot: encrypted and proved by ballot-crypto.js."""
    cycle = poll.conference.cycle
    return js(
        """
        const i = input;
        const Q = bc.scorePollContext(i.key, i.cluster, i.year, i.code, i.form);
        const made = bc.encryptBallot(Q, i.key, i.form, bc.scoreBits(i.form, i.scores));
        const proof = bc.proveOwnUnit(Q, i.key, i.form, made, i.unit);
        return { data: Object.assign({ own_unit: proof }, made.ballot), tracker: made.tracker };
        """,
        key=poll.public_key,
        cluster=cycle.cluster.code,
        year=cycle.year,
        code=poll.code,
        form=poll.form,
        scores={u: list(v) for u, v in scores.items()},
        unit=unit,
    )


def test_a_browser_made_ballot_is_cast_through_the_cast_view(client_for, get_user, poll):
    user = get_user("sonla.daibieu2")
    made = _js_ballot(poll, "son-la", _scores("son-la"))
    signature = phones.signature(user, poll, devices.Sealed(made["data"], made["tracker"]))
    cast = client_for("sonla.daibieu2").post(
        f"{PAGE}cast/", {"sealed": json.dumps(made["data"]), "signature": signature}
    )
    assert cast.status_code == 200, cast.content.decode()
    assert made["tracker"] in cast.content.decode()
    stored = Ballot.objects.get(poll=poll, filled=True)
    assert stored.receipt == made["tracker"]
    assert "own_unit" not in stored.content


def test_a_browser_ballot_proving_another_unit_is_refused(client_for, get_user, poll):
    user = get_user("sonla.daibieu2")
    scores = {u: (v,) for u, v in BASE.items() if u != "dien-bien"}  # scores its own unit
    made = _js_ballot(poll, "dien-bien", scores)
    signature = phones.signature(user, poll, devices.Sealed(made["data"], made["tracker"]))
    refused = client_for("sonla.daibieu2").post(
        f"{PAGE}cast/", {"sealed": json.dumps(made["data"]), "signature": signature}
    )
    assert refused.status_code == 400
    assert "không ai tự chấm đơn vị mình" in refused.content.decode()
    assert not Ballot.objects.filter(poll=poll, filled=True).exists()


def test_the_closed_poll_asks_its_trustees_then_shows_the_ranking(client_for, get_user, key, poll):
    _ceremony, members = key
    trackers = [
        sealed.cast_scores(get_user(u), poll, _scores(unit))
        for u, unit in (("sonla.daibieu2", "son-la"), ("laichau.daibieu", "lai-chau"))
    ]
    services.close_poll(actor=get_user("laocai.daibieu"), poll=poll)
    member = client_for("laocai.daibieu").get(PAGE).content.decode()
    assert 'id="decrypt-button"' in member
    assert "/static/thidua/board." in member
    assert all(tracker in member for tracker in trackers)
    delegate = client_for("sonla.daibieu2").get(PAGE).content.decode()
    assert 'id="decrypt-button"' not in delegate
    assert "0/2" in delegate
    assert "Phiếu không mã hóa" not in delegate  # sealed: no ballot is ever published
    for tail in ("", "screen/", "run-of-show/"):  # the conference's pages, box awaiting keys
        page = client_for("hagiang.thuky").get(f"/clusters/cum-2/2020/conference/{tail}")
        assert page.status_code == 200, tail
    sealed.decrypt(members[0], poll)
    sealed.decrypt(members[1], poll)
    counted = client_for("sonla.daibieu2").get(PAGE).content.decode()
    assert "Kết quả chấm điểm" in counted
