"""Device keys: every phone ballot is signed by the Ed25519 key its browser generated (the
vendored @noble/curves, thidua/device-key.js) and checked here (PyNaCl), so a copied session
cookie alone cannot vote. The protocol is written down in docs/voting.md.

The signed text names the poll and the delegate and carries the ballot's content in a fixed
form, so a signature is good for that ballot, by that delegate, in that poll only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from thidua.core import ballots as core
from thidua.core.score_ballots import ScoreBallot

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
CONTEXT = "thidua-ballot-v1"


def valid_public_key(text: str) -> bool:
    return bool(_HEX64.fullmatch(text or ""))


@dataclass(frozen=True)
class Sealed:
    """An encrypted ballot (docs/ballot-crypto.md §4) as the phone sent it, and its tracker
    (computed by the server from it): what the phone signs is the tracker."""

    data: Mapping
    tracker: str = ""


def ballot_text(ballot: core.Ballot | Sealed) -> str:
    """The ballot's content as the phone signs it: `choices:a,b` (sorted),
    `answers:a=yes,b=no` (sorted by candidate), `scores:a=40+30+15,b=…` (sorted by candidate,
    a score per criteria group), or `sealed:<tracker>`."""
    if isinstance(ballot, Sealed):
        return f"sealed:{ballot.tracker}"
    if isinstance(ballot, ScoreBallot):  # scores:a=40+30+15,b=… (sorted by unit)
        pairs = ",".join(
            f"{unit}={'+'.join(str(p) for p in parts)}"
            for unit, parts in sorted(ballot.scores.items())
        )
        return f"scores:{pairs}"
    if ballot.answers:
        pairs = ",".join(
            f"{code}={answer.value}" for code, answer in sorted(ballot.answers.items())
        )
        return f"answers:{pairs}"
    return "choices:" + ",".join(sorted(ballot.choices))


def message(cluster: str, year: int, poll_code: str, username: str, ballot: core.Ballot) -> bytes:
    """What the phone signs; thidua/device-key.js builds the same text from the cast form."""
    return f"{CONTEXT}\n{cluster}/{year}/{poll_code}\n{username}\n{ballot_text(ballot)}".encode()


def verified(public_key: str, signed: bytes, signature: str) -> bool:
    """Whether `signature` (hex) is `public_key`'s (hex) signature of `signed`."""
    if not valid_public_key(public_key) or not _HEX128.fullmatch(signature or ""):
        return False
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(signed, bytes.fromhex(signature))
    except BadSignatureError:
        return False
    return True


class Phone:
    """A delegate's phone played in Python — by the demo, the tests and the benchmark: a
    device key of its own and the same signed text as the browser's."""

    def __init__(self) -> None:
        self._key = SigningKey.generate()
        self.public_key = self._key.verify_key.encode().hex()

    def sign(self, cluster: str, year: int, poll_code: str, username: str, ballot) -> str:
        signed = message(cluster, year, poll_code, username, ballot)
        return self._key.sign(signed).signature.hex()
