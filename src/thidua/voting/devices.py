"""Device keys: every phone ballot is signed by the Ed25519 key its browser generated when the
delegate signed in, and checked here (PyNaCl), so a copied session cookie alone cannot vote.

The signed text names the poll and the delegate and carries the ballot's content in a fixed
form, so a signature is good for that ballot, by that delegate, in that poll only.
"""

from __future__ import annotations

import re

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from thidua.core import ballots as core

_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")


def valid_public_key(text: str) -> bool:
    return bool(_HEX64.fullmatch(text or ""))


def ballot_text(ballot: core.Ballot) -> str:
    """The ballot's content as the phone signs it: `choices:a,b` (sorted) or
    `answers:a=yes,b=no` (sorted by candidate)."""
    if ballot.answers:
        pairs = ",".join(
            f"{code}={answer.value}" for code, answer in sorted(ballot.answers.items())
        )
        return f"answers:{pairs}"
    return "choices:" + ",".join(sorted(ballot.choices))


def message(
    cluster: str, year: int, poll_code: str, delegate_id: int, ballot: core.Ballot
) -> bytes:
    """What the phone signs (the same text is built in thidua/ballot-sign.js)."""
    where = f"{cluster}/{year}/{poll_code}"
    return f"thidua-ballot-v1\n{where}\n{delegate_id}\n{ballot_text(ballot)}".encode()


def verified(public_key: str, signed: bytes, signature: str) -> bool:
    """Whether `signature` (hex) is `public_key`'s (hex) signature of `signed`."""
    if not valid_public_key(public_key) or not _HEX128.fullmatch(signature or ""):
        return False
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(signed, bytes.fromhex(signature))
    except BadSignatureError:
        return False
    return True
