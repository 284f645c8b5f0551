"""`thidua serve` as the hall uses it: hundreds of phones keeping their connections open, and
HTTPS with the organiser's certificate."""

import http.client
import os
import shutil
import ssl
import subprocess

import pytest
from django.conf import settings

from tests.conftest import migrated_database_url
from tests.servers import free_port, serving, thidua

PHONES = 500


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    made = {
        **os.environ,
        "THIDUA_VAR_DIR": str(tmp_path),
        "THIDUA_DATABASE_URL": migrated_database_url(tmp_path, "serve"),
        "THIDUA_SECRET_KEY": "serve-test-" + "x" * 50,
        # the static files this run collected (tests/conftest.py): collecting them again
        # here, hashed and compressed, took a minute and a half of CPU
        "THIDUA_STATIC_ROOT": str(settings.STATIC_ROOT),
    }
    return made


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


def test_five_hundred_phones_keep_their_connections_open(env, hall_report):
    """500 connections opened and used, all left open, then used again: each answers on the
    same connection (nothing refused, nothing closed by the server in between)."""
    port = free_port()
    server = serving(env, port, "--threads", "8")
    phones = []
    try:
        for _ in range(PHONES):
            phone = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            assert _get(phone, "/accounts/login/") == 200
            phones.append(phone)
        sockets = {id(phone.sock) for phone in phones}
        assert len(sockets) == PHONES
        for phone in phones:  # a second round: the same sockets, still open
            assert _get(phone, "/about/") == 200
        assert {id(phone.sock) for phone in phones} == sockets
        hall_report.update(held=len(phones), dropped=0)
    finally:
        for phone in phones:
            phone.close()
        server.terminate()
        server.wait()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_https_with_a_certificate(env, tmp_path):
    cert, key = tmp_path / "hall.crt", tmp_path / "hall.key"
    subprocess.run(
        [shutil.which("openssl"), "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = serving(env, port, "--certfile", str(cert), "--keyfile", str(key))
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        phone = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=trusted)
        assert _get(phone, "/accounts/login/") == 200
        assert _get(phone, "/about/") == 200  # kept alive over TLS
        phone.close()
        untrusting = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=30, context=ssl.create_default_context()
        )
        with pytest.raises(ssl.SSLCertVerificationError):
            _get(untrusting, "/accounts/login/")
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with pytest.raises((http.client.HTTPException, OSError)):
            _get(plain, "/accounts/login/")  # no plain HTTP on the HTTPS port
    finally:
        server.terminate()
        server.wait()


def test_a_certificate_needs_its_key(env, tmp_path):
    done = thidua(env, "serve", "--certfile", str(tmp_path / "x.crt"), check=False)
    assert done.returncode != 0
    assert "--certfile và --keyfile phải đi cùng nhau" in done.stderr
