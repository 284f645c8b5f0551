"""Ed25519 signatures over the audit chains, and how people compare what was signed.

An installation signs, with its own key, the state of a cycle's chain at checkpoints (a poll
closed, a phase changed) and at the head of every record it exports. What is signed is the
chain's name, an entry's number and its hash, behind a fixed context, so a signature cannot
be taken for anything else (`signed_bytes`). A key is named by its fingerprint, the SHA-256 of
its 32 public bytes; people compare the first 128 bits of a fingerprint or of a checkpoint's
hash, written as eight groups of four hexadecimal characters (`grouped`), and type them back
in any case, with or without spaces or dashes (`ungrouped`).
"""

from __future__ import annotations

import hashlib
import re

from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import SigningKey, VerifyKey

from thidua.core.audit import canonical_json

CONTEXT = b"thidua/checkpoint/v1\0"
#: Bits of a hash or fingerprint people compare by eye: 128, in groups of four hex digits.
COMPARED_HEX = 32


def signed_bytes(chain: str, seq: int, digest: str) -> bytes:
    """What a signature of entry `seq` (hash `digest`) of `chain` covers."""
    return CONTEXT + canonical_json({"chain": chain, "seq": seq, "hash": digest}).encode()


def sign(key: SigningKey, chain: str, seq: int, digest: str) -> str:
    """The signature (hex) of that state of the chain by `key`."""
    return key.sign(signed_bytes(chain, seq, digest)).signature.hex()


def public_hex(key: SigningKey) -> str:
    return key.verify_key.encode().hex()


def fingerprint(public_key_hex: str) -> str:
    """SHA-256 of the public key's bytes (hex): how a key is named and registered."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()


def valid(public_key_hex: str, signature_hex: str, chain: str, seq: int, digest: str) -> bool:
    """Whether `signature_hex` is `public_key_hex`'s signature of that state of the chain."""
    try:
        key = VerifyKey(bytes.fromhex(public_key_hex))
        key.verify(signed_bytes(chain, seq, digest), bytes.fromhex(signature_hex))
    except (ValueError, TypeError, BadSignatureError, CryptoError):
        return False
    return True


def grouped(digest: str) -> str:
    """The first 128 bits of a hash or fingerprint as people compare them:
    `3F88 8838 1A38 2409 E91F C932 A214 FFAF`."""
    head = digest[:COMPARED_HEX].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def ungrouped(typed_text: str) -> str | None:
    """What a person typed back (any case, spaces or dashes) as lower-case hex, or None when
    it is not at least 128 bits of hexadecimal."""
    text = re.sub(r"[\s\-]", "", typed_text).lower()
    if len(text) < COMPARED_HEX or len(text) > 64 or not re.fullmatch(r"[0-9a-f]+", text):
        return None
    return text
