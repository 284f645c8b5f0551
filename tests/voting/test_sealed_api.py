"""An encrypted conference over the API, each board member's device and each phone playing
its own part with only what the server publishes: the ceremony, casting, a challenge, the
close, and two of three members decrypting what they recomputed themselves."""

import dataclasses
import io
import json
import random

import pytest

from tests.node_verifier import NODE, node_verdicts
from tests.voting import phones
from thidua import trustee
from thidua.core import ballot_crypto as crypto
from thidua.core.ballot_verify import verify_transcript
from thidua.voting import devices

pytestmark = pytest.mark.django_db

API = "/api/cycles/cum-2/2020"
BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


def _post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


class Over:
    """The trustee tool's server, through the test client of the member's own session."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        return self._answer(self.client.get(f"{API}{path}"))

    def post(self, path, data):
        return self._answer(_post(self.client, path, data))

    @staticmethod
    def _answer(response):
        if response.status_code >= 400:
            raise trustee.Refused(f"{response.status_code}: {response.json()}")
        return response.json()


def test_an_encrypted_conference_over_the_api(client_for):
    secretary = client_for("hagiang.thuky")
    started = _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    assert started.status_code == 201, started.json()
    devices_ = [
        trustee.Device(Over(client_for(user)), index) for index, user in enumerate(BOARD, start=1)
    ]
    for step in ("announce", "send_shares", "confirm"):
        for device in devices_:
            getattr(device, step)()
    # every member's backup opens with its passphrase and gives the same key share
    sealed_backup = devices_[1].backup("Sơn La, hội trường tầng 2")
    restored = trustee.Device(Over(client_for(BOARD[1])), 2)
    restored.restore("Sơn La, hội trường tầng 2", sealed_backup)
    assert restored.share == devices_[1].share
    state = secretary.get(f"{API}/ceremony").json()
    assert state["status"] == "ready"
    assert len(state["key_fingerprint"].split()) == 8
    created = _post(
        secretary, "/polls", {"code": "ma-hoa", "title": "Thử", "purpose": "other", "seats": 2}
    )
    assert created.status_code == 201
    assert _post(client_for("laocai.daibieu"), "/polls/ma-hoa/open", {}).status_code == 200
    found = secretary.get(f"{API}/polls/ma-hoa/sealed").json()
    form = crypto.Form.from_json(found["form"])
    key = bytes.fromhex(found["public_key"])
    context = crypto.poll_context(key, "cum-2", 2020, "ma-hoa", form)
    rng = random.Random(7)
    voters = [
        "sonla.daibieu2",
        "sonla.daibieu3",
        "dienbien.daibieu",
        "laichau.daibieu2",
        "langson.daibieu",
    ]
    expected = dict.fromkeys(UNITS, 0)
    trackers = []
    for username in voters:
        chosen = rng.sample(UNITS, 2)
        for unit in chosen:
            expected[unit] += 1
        bits = [int(label.removeprefix("choice:") in chosen) for label in form.selections]
        ballot, _ = crypto.encrypt_ballot(context, key, form, bits)
        tracker = crypto.tracker(context, ballot)
        client = client_for(username)
        phone_user = client.get("/").wsgi_request.user
        from thidua.voting.models import Poll

        poll = Poll.objects.get(code="ma-hoa", conference__cycle__year=2020)
        signature = phones.signature(phone_user, poll, devices.Sealed(ballot.to_json(), tracker))
        cast = _post(
            client, "/polls/ma-hoa/ballot", {"sealed": ballot.to_json(), "signature": signature}
        )
        assert cast.status_code == 201, cast.json()
        assert cast.json()["receipt"] == tracker
        trackers.append(tracker)
    # a challenge: the server opens it with the randomness, and answers what it says
    ballot, nonces = crypto.encrypt_ballot(context, key, form, [1, 0, 0, 0, 0, 0, 0, 0])
    opened = _post(
        client_for("hagiang.daibieu2"),
        "/polls/ma-hoa/spoiled",
        {**ballot.to_json(), "randomness": [crypto.scalar_bytes(r).hex() for r in nonces]},
    )
    assert opened.status_code == 201
    assert opened.json()["plaintext"] == [1, 0, 0, 0, 0, 0, 0, 0]
    closed = _post(client_for("laocai.daibieu"), "/polls/ma-hoa/close", {})
    assert closed.json()["status"] == "counting"
    assert closed.json()["result"] is None
    # every delegate finds their tracker on the board
    box = secretary.get(f"{API}/polls/ma-hoa/sealed").json()["box"]
    assert sorted(trackers) == [b["tracker"] for b in box["ballots"]]
    # a member who typed another turnout stops on their own device; the server refuses too
    with pytest.raises(trustee.Refused, match="the hall counted 6"):
        devices_[0].decrypt("ma-hoa", turnout=6)
    refused = _post(client_for(BOARD[0]), "/polls/ma-hoa/decryption", {"partial": {}, "turnout": 6})
    assert refused.json()["errors"][0]["code"] == "turnout_mismatch"
    devices_[0].decrypt("ma-hoa", turnout=5)
    result = restored.decrypt("ma-hoa", turnout=5)["result"]  # member 2, from its backup
    assert result["votes"] == expected
    transcript = secretary.get(f"{API}/ballot-transcript").json()
    assert verify_transcript(transcript) is None
    if NODE:  # and the independent verifier, which shares no code with the server
        assert node_verdicts([transcript]) == [{"valid": True}]


def test_the_board_steps_are_refused_to_others(client_for):
    secretary = client_for("hagiang.thuky")
    # a board member cannot start the ceremony; the secretary cannot act as a member
    assert (
        _post(
            client_for("laocai.daibieu"), "/ceremony", {"trustees": list(BOARD), "threshold": 2}
        ).status_code
        == 403
    )
    assert (
        _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2}).status_code == 201
    )
    assert _post(secretary, "/ceremony/announcement", {}).status_code == 403
    # a delegate not on the board
    assert _post(client_for("sonla.daibieu2"), "/ceremony/announcement", {}).status_code == 403
    # a board member sending garbage: refused with the protocol's reason, nothing kept
    garbage = _post(client_for("laocai.daibieu"), "/ceremony/announcement", {"index": 1})
    assert garbage.status_code == 400
    assert garbage.json()["errors"][0]["code"] == "ceremony_invalid"
    assert secretary.get(f"{API}/ceremony").json()["announcements"] == []
    # a plain poll has no encrypted side
    assert (
        _post(
            client_for("laocai.daibieu"),
            "/polls/co-bo-cong-an/decryption",
            {"partial": {}, "turnout": 0},
        ).status_code
        == 400
    )
    assert secretary.get(f"{API}/ballot-transcript").status_code == 404


def test_the_trustee_command_runs_a_members_part_on_their_own_computer(
    client_for, tmp_path, monkeypatch
):
    """`thidua trustee` for member 3, while members 1 and 2 take their steps as it waits."""
    assert (
        _post(
            client_for("hagiang.thuky"), "/ceremony", {"trustees": list(BOARD), "threshold": 2}
        ).status_code
        == 201
    )
    others = [trustee.Device(Over(client_for(BOARD[i])), i + 1) for i in (0, 1)]
    for device in others:
        device.announce()
    their_steps = iter(
        [lambda: [d.send_shares() for d in others], lambda: [d.confirm() for d in others]]
    )
    monkeypatch.setattr(trustee.time, "sleep", lambda seconds: next(their_steps)())
    monkeypatch.setattr(trustee, "Server", lambda *args: Over(client_for(BOARD[2])))
    monkeypatch.setenv("THIDUA_TRUSTEE_PASSPHRASE", "Cao Bằng 2020")
    token, backup = tmp_path / "token", tmp_path / "backup.json"
    token.write_text("issued to caobang.daibieu\n")
    common = ["--member", "3", "--token-file", str(token), "--backup", str(backup)]
    out = io.StringIO()
    code = trustee.run(["ceremony", "http://hall", "cum-2", "2020", *common, "--yes"], out=out)
    assert code == 0, out.getvalue()
    assert "key: " in out.getvalue()
    assert json.loads(backup.read_text())["index"] == 3
    _post(
        client_for("hagiang.thuky"),
        "/polls",
        {"code": "ma-hoa", "title": "Thử", "purpose": "other"},
    )
    _post(client_for("laocai.daibieu"), "/polls/ma-hoa/open", {})
    from tests.voting import sealed
    from thidua.voting.models import Poll

    poll = Poll.objects.get(code="ma-hoa", conference__cycle__year=2020)
    for username in ("sonla.daibieu2", "dienbien.daibieu"):
        user = client_for(username).get("/").wsgi_request.user
        sealed.cast(user, poll, [int(s == "choice:lao-cai") for s in poll.form["selections"]])
    _post(client_for("laocai.daibieu"), "/polls/ma-hoa/close", {})
    wrong = trustee.run(
        ["decrypt", "http://hall", "cum-2", "2020", "ma-hoa", "--turnout", "3", *common], out=out
    )
    assert wrong == 1
    assert "the hall counted 3" in out.getvalue()
    monkeypatch.setenv("THIDUA_TRUSTEE_PASSPHRASE", "wrong")
    assert (
        trustee.run(
            ["decrypt", "http://hall", "cum-2", "2020", "ma-hoa", "--turnout", "2", *common],
            out=out,
        )
        == 1
    )
    assert "wrong_passphrase" in out.getvalue()
    monkeypatch.setenv("THIDUA_TRUSTEE_PASSPHRASE", "Cao Bằng 2020")
    assert (
        trustee.run(
            ["decrypt", "http://hall", "cum-2", "2020", "ma-hoa", "--turnout", "2", *common],
            out=out,
        )
        == 0
    )
    result = others[0].decrypt("ma-hoa", turnout=2)["result"]
    assert result["votes"]["lao-cai"] == 2


def test_an_upheld_complaint_over_the_api(client_for):
    """A member's device sends shares from another polynomial than it committed to: the
    recipient's device complains by itself, the complaint is upheld, the ceremony fails, and
    the secretary starts again."""
    secretary = client_for("hagiang.thuky")
    _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    devices_ = [
        trustee.Device(Over(client_for(user)), index) for index, user in enumerate(BOARD, start=1)
    ]
    for device in devices_:
        device.announce()
    cheat = devices_[2]
    cheat.secret = dataclasses.replace(
        cheat.secret, coefficients=(1, *cheat.secret.coefficients[1:])
    )
    for device in devices_:
        device.send_shares()
    with pytest.raises(trustee.Refused, match="from member 3 is wrong: complaint filed"):
        devices_[0].confirm()
    assert secretary.get(f"{API}/ceremony").status_code == 404  # failed: history
    again = _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    assert again.status_code == 201
    assert again.json()["label"] == "cum-2-2020-2"
