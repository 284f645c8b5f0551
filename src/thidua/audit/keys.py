"""The installation's Ed25519 signing key (see thidua.core.signing).

Created the first time it is needed, in `var/signing_key` (mode 0600, never committed; a
server's app processes share it through THIDUA_VAR_DIR). A laptop lost in the middle of a
conference must not orphan its cycles' records: `thidua key backup` writes the key encrypted
with a passphrase (Argon2id, then XSalsa20-Poly1305 from libsodium), and `thidua key restore`
puts it on another machine, where the chains go on under the same key.
"""

from __future__ import annotations

import contextlib
import json
import os
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _
from nacl import pwhash, secret, utils
from nacl.exceptions import CryptoError
from nacl.signing import SigningKey

from thidua.core import signing

BACKUP_FORMAT = "thidua-signing-key"
MIN_PASSPHRASE = 12


class KeyProblem(ValueError):
    """The key cannot be backed up or restored as asked; the message says why."""


def key_path():
    return settings.VAR_DIR / "signing_key"


@cache
def installation_key() -> SigningKey:
    """This installation's key, created at first use."""
    path = key_path()
    if not path.exists():
        _write_key(SigningKey.generate(), replace=False)
    return SigningKey(bytes.fromhex(path.read_text().strip()))


def _write_key(key: SigningKey, *, replace: bool) -> None:
    """Write the key whole under a temporary name (0600), then put it in place at once: two
    processes starting together never read half a key, and the first one's key stays."""
    path = key_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.encode().hex() + "\n")
    try:
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def installation_fingerprint() -> str:
    return signing.fingerprint(signing.public_hex(installation_key()))


def backup(passphrase: str) -> bytes:
    """The key, encrypted with `passphrase`, as a small JSON file."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyProblem(_("Cụm mật khẩu cần ít nhất %(count)s ký tự.") % {"count": MIN_PASSPHRASE})
    key = installation_key()
    salt = utils.random(pwhash.argon2id.SALTBYTES)
    ops, mem = pwhash.argon2id.OPSLIMIT_MODERATE, pwhash.argon2id.MEMLIMIT_MODERATE
    box = secret.SecretBox(_derive(passphrase, salt, ops, mem))
    content = {
        "format": BACKUP_FORMAT,
        "version": 1,
        "public_key": signing.public_hex(key),
        "fingerprint": installation_fingerprint(),
        "kdf": {"name": "argon2id", "salt": salt.hex(), "opslimit": ops, "memlimit": mem},
        "box": box.encrypt(key.encode()).hex(),
    }
    return (json.dumps(content, indent=1) + "\n").encode()


def _derive(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    return pwhash.argon2id.kdf(
        secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=ops, memlimit=mem
    )


def restore(content: bytes, passphrase: str, *, replace: bool = False) -> str:
    """Install the key of a backup; returns its fingerprint. This installation's own key, if
    it already has a different one, is replaced only with `replace`."""
    try:
        data = json.loads(content)
        kdf = data["kdf"]
        if data.get("format") != BACKUP_FORMAT or kdf["name"] != "argon2id":
            raise KeyProblem(_("Tệp này không phải bản sao lưu khóa ký của thidua."))
        box = secret.SecretBox(
            _derive(passphrase, bytes.fromhex(kdf["salt"]), kdf["opslimit"], kdf["memlimit"])
        )
        key = SigningKey(box.decrypt(bytes.fromhex(data["box"])))
    except CryptoError:
        raise KeyProblem(_("Sai cụm mật khẩu, hoặc bản sao lưu bị hỏng.")) from None
    except (ValueError, KeyError, TypeError):
        raise KeyProblem(_("Tệp này không phải bản sao lưu khóa ký của thidua.")) from None
    if signing.public_hex(key) != data["public_key"]:
        raise KeyProblem(_("Khóa trong bản sao lưu không khớp với khóa công khai ghi kèm."))
    other = key_path().exists() and key_path().read_text().strip() != key.encode().hex()
    if other and not replace:
        raise KeyProblem(
            _(
                "Máy này đã có một khóa ký khác (%(fingerprint)s); thêm --replace nếu thật sự "
                "muốn thay."
            )
            % {"fingerprint": signing.grouped(installation_fingerprint())}
        )
    _write_key(key, replace=True)
    installation_key.cache_clear()
    return installation_fingerprint()
