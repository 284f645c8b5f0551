"""`thidua trustee`: a counting-board member's part of the encrypted ballots, run on the
member's own computer with the protocol's reference code (docs/ballot-crypto.md) — not with
the JavaScript the conference server delivers, so a member need not trust its operator.

    thidua trustee ceremony URL CLUSTER YEAR --member I --token-file T --backup FILE
    thidua trustee decrypt URL CLUSTER YEAR POLL --turnout N --member I --token-file T \
        --backup FILE

`ceremony` announces, waits for the others, shows every member's fingerprint to compare with
the ones read aloud in the hall, sends the shares, opens and checks those received (filing a
complaint the others can check when one is wrong), confirms, and writes the member's backup
sealed with a passphrase: the polynomial never leaves memory. `decrypt` checks that the
poll's ballots on the board are as many as the hall counted, recomputes their sums from the
published ballots itself and publishes its partial decryption. No Django: only
`thidua.core` and the standard library; the API token comes from the member's own account.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from thidua.core import ballot_crypto as crypto


class Refused(Exception):
    """The server (or this tool, checking what the server published) says no."""


class Server:
    """The conference server's JSON API, as one member's account sees it."""

    def __init__(self, url: str, cluster: str, year: int, token: str):
        self.base = f"{url.rstrip('/')}/api/cycles/{cluster}/{year}"
        self.token = token

    def get(self, path: str) -> dict:
        return self._call("GET", path, None)

    def post(self, path: str, data: dict) -> dict:
        return self._call("POST", path, data)

    def _call(self, method: str, path: str, data: dict | None) -> dict:
        request = urllib.request.Request(  # noqa: S310 - the member types the server's URL
            self.base + path,
            method=method,
            data=None if data is None else json.dumps(data).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise Refused(f"{error.code}: {error.read().decode(errors='replace')}") from None


class Device:
    """One member's secrets and steps. `server` has `get(path)` and `post(path, data)`."""

    def __init__(self, server, index: int):
        self.server, self.index = server, index
        self.secret: crypto.MemberSecret | None = None
        self.share: int | None = None

    def state(self) -> dict:
        return self.server.get("/ceremony")

    def context(self, state: dict) -> bytes:
        return crypto.ceremony_context(
            state["cluster"], state["year"], state["label"], state["members"], state["threshold"]
        )

    def published(self, state: dict) -> dict[int, crypto.Announcement]:
        """Every announcement, checked here (the server only relays them)."""
        context = self.context(state)
        found = {}
        for data in state["announcements"]:
            announcement = crypto.Announcement.from_json(data)
            crypto.check_announcement(context, state["threshold"], announcement)
            if data.get("fingerprint") != crypto.member_fingerprint(context, announcement):
                raise Refused(f"member {announcement.index}: the fingerprint is not its own")
            found[announcement.index] = announcement
        return found

    def announce(self) -> dict:
        state = self.state()
        self.secret, announcement = crypto.new_member(
            self.context(state), self.index, state["threshold"]
        )
        return self.server.post("/ceremony/announcement", announcement.to_json())

    def fingerprints(self) -> dict[int, str]:
        """What to compare, member by member, with what is read aloud in the hall."""
        state = self.state()
        context = self.context(state)
        return {i: crypto.member_fingerprint(context, a) for i, a in self.published(state).items()}

    def send_shares(self) -> dict:
        state = self.state()
        context = self.context(state)
        messages = [
            crypto.share_for(context, self.secret, announcement).to_json()
            for index, announcement in self.published(state).items()
            if index != self.index
        ]
        return self.server.post("/ceremony/shares", {"messages": messages})

    def confirm(self) -> dict:
        """Open every share received; a wrong one gets a complaint and stops here."""
        state = self.state()
        context = self.context(state)
        published = self.published(state)
        received = {}
        for data in state["shares"]:
            if data["to"] != self.index:
                continue
            message = crypto.ShareMessage.from_json(data)
            opened = crypto.open_share(context, self.secret, published[message.sender], message)
            if opened is None:
                complaint = crypto.complain(context, self.secret, message)
                self.server.post("/ceremony/complaints", complaint.to_json())
                raise Refused(f"the share from member {message.sender} is wrong: complaint filed")
            received[message.sender] = opened
        self.share = crypto.key_share(self.secret, received)
        expected = crypto.verification_key(list(published.values()), self.index)
        if crypto.base(self.share) != expected:
            raise Refused("the key share does not match the published commitments")
        return self.server.post("/ceremony/confirmation", {"verification_key": expected.hex()})

    def backup(self, passphrase: str) -> dict:
        state = self.state()
        return crypto.seal_backup(
            passphrase, self.context(state), self.index, self.secret.communication, self.share
        )

    def restore(self, passphrase: str, backup: dict) -> None:
        state = self.state()
        communication, self.share = crypto.open_backup(passphrase, self.context(state), backup)
        self.secret = crypto.MemberSecret(self.index, communication, ())

    def decrypt(self, poll: str, turnout: int) -> dict:
        """Never anything but the sums this device recomputed from the published ballots."""
        found = self.server.get(f"/polls/{poll}/sealed")
        box = found["box"] or {}
        if len(box.get("ballots", ())) != turnout:
            raise Refused(
                f"the board shows {len(box.get('ballots', ()))} ballots, the hall counted "
                f"{turnout}: stop and tell the counting board"
            )
        form = crypto.Form.from_json(found["form"])
        key = bytes.fromhex(found["public_key"])
        context = crypto.poll_context(key, found["cluster"], found["year"], poll, form)
        ballots = []
        for data in box["ballots"]:
            ballot = crypto.Ballot.from_json(data)
            crypto.verify_ballot(context, key, form, ballot)
            if data.get("tracker") != crypto.tracker(context, ballot):
                raise Refused("a ballot on the board does not carry its own tracker")
            ballots.append(ballot)
        sums = crypto.combine(ballots, len(form.selections))
        if box["sums"] != [[s.alpha.hex(), s.beta.hex()] for s in sums]:
            raise Refused("the server's sums are not the sums of its ballots")
        partial = crypto.partial_decrypt(context, self.index, self.share, sums)
        return self.server.post(
            f"/polls/{poll}/decryption", {"partial": partial.to_json(), "turnout": turnout}
        )


def _wait(device: Device, statuses: tuple[str, ...], say: Callable[[str], None]) -> dict:
    while (state := device.state())["status"] not in statuses:
        if state["status"] == "failed":
            raise Refused("the ceremony failed: the board starts a new one")
        say(f"… {state['status']}")
        time.sleep(2)
    return state


def run(argv: list[str], out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="thidua trustee", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["ceremony", "decrypt"])
    parser.add_argument("url")
    parser.add_argument("cluster")
    parser.add_argument("year", type=int)
    parser.add_argument("poll", nargs="?")
    parser.add_argument("--turnout", type=int, help="the hall's count of phone voters")
    parser.add_argument("--member", type=int, required=True, help="one's number on the board")
    parser.add_argument("--token-file", type=Path, required=True)
    parser.add_argument("--backup", type=Path, required=True, help="the member's sealed backup")
    parser.add_argument("--yes", action="store_true", help="fingerprints compared already")
    options = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, file=out, flush=True)

    passphrase = os.environ.get("THIDUA_TRUSTEE_PASSPHRASE") or getpass.getpass("Passphrase: ")
    server = Server(
        options.url, options.cluster, options.year, options.token_file.read_text().strip()
    )
    device = Device(server, options.member)
    try:
        if options.step == "ceremony":
            device.announce()
            _wait(device, ("sharing", "checking", "ready"), say)
            for member, fingerprint in device.fingerprints().items():
                say(f"{member}: {fingerprint}")
            if not options.yes and input("Fingerprints as read aloud? [yes/no] ") != "yes":
                raise Refused("fingerprints not confirmed")
            device.send_shares()
            _wait(device, ("checking", "ready"), say)
            device.confirm()
            options.backup.write_text(json.dumps(device.backup(passphrase)))
            state = _wait(device, ("ready",), say)
            say(f"key: {state['key_fingerprint']}")
        else:
            if options.poll is None or options.turnout is None:
                raise Refused("decrypt needs the poll and --turnout")
            device.restore(passphrase, json.loads(options.backup.read_text()))
            done = device.decrypt(options.poll, options.turnout)
            say(f"{options.poll}: {done['status']}")
    except (Refused, crypto.Invalid) as error:
        say(f"refused: {error}")
        return 1
    return 0
