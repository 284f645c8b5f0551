"""An encrypted conference over the API, each board member's device and each phone playing
its own part with only what the server publishes: the ceremony, casting, a challenge, the
close, and two of three members decrypting what they recomputed themselves."""

import dataclasses
import random

import pytest

from tests.node_verifier import NODE, node_verdicts
from tests.voting import phones
from thidua.core import ballot_crypto as crypto
from thidua.core.ballot_verify import verify_transcript
from thidua.voting import devices

pytestmark = pytest.mark.django_db

API = "/api/cycles/cum-2/2020"
BOARD = ("laocai.daibieu", "sonla.daibieu", "caobang.daibieu")
UNITS = ["ha-giang", "dien-bien", "lai-chau", "lang-son", "lao-cai", "son-la", "cao-bang"]


def _post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


class Device:
    """A board member's own computer: its secrets never leave it."""

    def __init__(self, client, index):
        self.client, self.index = client, index
        self.secret = None
        self.share = None

    def context(self, state):
        return crypto.ceremony_context(
            state["cluster"], state["year"], state["label"], state["members"], state["threshold"]
        )

    def announce(self):
        state = self.client.get(f"{API}/ceremony").json()
        self.secret, announcement = crypto.new_member(
            self.context(state), self.index, state["threshold"]
        )
        return _post(self.client, "/ceremony/announcement", announcement.to_json())

    def send_shares(self):
        state = self.client.get(f"{API}/ceremony").json()
        context = self.context(state)
        published = {a["index"]: crypto.Announcement.from_json(a) for a in state["announcements"]}
        for announcement in published.values():  # every fingerprint, as read aloud in the hall
            assert state["trustees"][announcement.index - 1]["fingerprint"] == (
                crypto.member_fingerprint(context, announcement)
            )
        messages = [
            crypto.share_for(context, self.secret, other).to_json()
            for index, other in published.items()
            if index != self.index
        ]
        return _post(self.client, "/ceremony/shares", {"messages": messages})

    def confirm(self):
        state = self.client.get(f"{API}/ceremony").json()
        context = self.context(state)
        published = {a["index"]: crypto.Announcement.from_json(a) for a in state["announcements"]}
        received = {}
        for message in state["shares"]:
            if message["to"] == self.index:
                parsed = crypto.ShareMessage.from_json(message)
                received[parsed.sender] = crypto.open_share(
                    context, self.secret, published[parsed.sender], parsed
                )
        assert None not in received.values()
        self.share = crypto.key_share(self.secret, received)
        return _post(
            self.client,
            "/ceremony/confirmation",
            {"verification_key": crypto.base(self.share).hex()},
        )

    def decrypt(self, code, turnout):
        """Recompute the sums from the published ballots (never decrypting anything else),
        check the turnout typed from the hall's count, then publish the partial decryption."""
        found = self.client.get(f"{API}/polls/{code}/sealed").json()
        box = found["box"]
        assert len(box["ballots"]) == turnout, "the board's ballots differ from the hall's count"
        form = crypto.Form.from_json(found["form"])
        key = bytes.fromhex(found["public_key"])
        context = crypto.poll_context(key, found["cluster"], found["year"], code, form)
        ballots = []
        for data in box["ballots"]:
            ballot = crypto.Ballot.from_json(data)
            crypto.verify_ballot(context, key, form, ballot)
            ballots.append(ballot)
        sums = crypto.combine(ballots, len(form.selections))
        assert box["sums"] == [[s.alpha.hex(), s.beta.hex()] for s in sums]
        partial = crypto.partial_decrypt(context, self.index, self.share, sums)
        return _post(
            self.client,
            f"/polls/{code}/decryption",
            {"partial": partial.to_json(), "turnout": turnout},
        )


def test_an_encrypted_conference_over_the_api(client_for):
    secretary = client_for("hagiang.thuky")
    started = _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    assert started.status_code == 201, started.json()
    devices_ = [Device(client_for(user), index) for index, user in enumerate(BOARD, start=1)]
    for step in ("announce", "send_shares", "confirm"):
        for device in devices_:
            response = getattr(device, step)()
            assert response.status_code == 201, response.json()
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
    with pytest.raises(AssertionError, match="differ from the hall"):
        devices_[0].decrypt("ma-hoa", turnout=6)
    assert devices_[0].decrypt("ma-hoa", turnout=5).status_code == 201
    counted = devices_[2].decrypt("ma-hoa", turnout=5)
    assert counted.status_code == 201, counted.json()
    result = counted.json()["result"]
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


def test_an_upheld_complaint_over_the_api(client_for):
    """A member's device sends shares from another polynomial than it committed to: the
    recipient's complaint is upheld, the ceremony fails, and the secretary starts again."""
    secretary = client_for("hagiang.thuky")
    _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    devices_ = [Device(client_for(user), index) for index, user in enumerate(BOARD, start=1)]
    for device in devices_:
        assert device.announce().status_code == 201
    cheat = devices_[2]
    cheat.secret = dataclasses.replace(
        cheat.secret, coefficients=(1, *cheat.secret.coefficients[1:])
    )
    for device in devices_:
        assert device.send_shares().status_code == 201
    state = secretary.get(f"{API}/ceremony").json()
    victim = devices_[0]
    context = victim.context(state)
    message = next(m for m in state["shares"] if m["from"] == 3 and m["to"] == 1)
    complaint = crypto.complain(context, victim.secret, crypto.ShareMessage.from_json(message))
    filed = _post(victim.client, "/ceremony/complaints", complaint.to_json())
    assert filed.status_code == 201, filed.json()
    assert filed.json() == {"upheld": True}
    assert secretary.get(f"{API}/ceremony").status_code == 404  # failed: history
    again = _post(secretary, "/ceremony", {"trustees": list(BOARD), "threshold": 2})
    assert again.status_code == 201
    assert again.json()["label"] == "cum-2-2020-2"
