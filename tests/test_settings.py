"""Configuration from the environment, checked in fresh processes."""

import json
import os
import subprocess
import sys

import pytest


def settings_in(tmp_path, **env):
    """Selected settings as a fresh process sees them with `env`."""
    code = (
        "import json, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS,"
        " 'engine': db['ENGINE'], 'name': str(db['NAME']), 'key': settings.SECRET_KEY,"
        " 'fallbacks': settings.SECRET_KEY_FALLBACKS,"
        " 'secure_cookie': settings.SESSION_COOKIE_SECURE, 'hasher': settings.PASSWORD_HASHERS[0],"
        " 'options': db.get('OPTIONS', {}), 'storage': settings.STORAGES['default']}))\n"
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("THIDUA_")}
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "thidua.settings", "THIDUA_VAR_DIR": str(tmp_path)}
    )
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_defaults_are_production_safe_and_sqlite_under_var(tmp_path):
    config = settings_in(tmp_path)
    assert config["debug"] is False
    assert config["hosts"] == ["127.0.0.1", "localhost"]
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "thidua.sqlite3")
    assert config["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["options"]["init_command"]
    assert config["hasher"].endswith("Argon2PasswordHasher")
    assert config["secure_cookie"] is False


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = settings_in(tmp_path)["key"]
    assert len(first) >= 50
    assert settings_in(tmp_path)["key"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert settings_in(tmp_path, THIDUA_SECRET_KEY="from-the-environment")["key"] == (
        "from-the-environment"
    )
    assert settings_in(tmp_path)["fallbacks"] == []
    rotated = settings_in(tmp_path, THIDUA_SECRET_KEY_FALLBACKS="old-one, older-one,")
    assert rotated["fallbacks"] == ["old-one", "older-one"]


def test_environment_overrides(tmp_path):
    config = settings_in(
        tmp_path,
        THIDUA_DATABASE_URL="postgres://postgres@127.0.0.1:5432/thidua",
        THIDUA_ALLOWED_HOSTS="thidua.bocongan.local, 192.168.1.10",
        THIDUA_DEBUG="1",
        THIDUA_HTTPS="1",
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "thidua"
    assert config["hosts"] == ["thidua.bocongan.local", "192.168.1.10"]
    assert config["debug"] is True
    assert config["secure_cookie"] is True


@pytest.mark.parametrize("https", ["1"])
def test_deployment_check_is_clean_behind_https(tmp_path, https):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("THIDUA_")}
    environment.update(
        THIDUA_VAR_DIR=str(tmp_path),
        THIDUA_HTTPS=https,
        THIDUA_ALLOWED_HOSTS="thidua.example.vn",
        DJANGO_SETTINGS_MODULE="thidua.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "thidua.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        check=True,
        capture_output=True,
    )


def test_var_and_its_files_are_for_the_server_user_only(tmp_path):
    """var/ 0700, the SQLite file and the secret key 0600 — also when they were looser."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "secret_key").write_text("x" * 50)
    (var / "secret_key").chmod(0o644)
    (var / "thidua.sqlite3").touch(mode=0o644)
    (var / "thidua.sqlite3").chmod(0o644)
    settings_in(var)
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    assert oct((var / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert oct((var / "thidua.sqlite3").stat().st_mode & 0o777) == "0o600"
    fresh = tmp_path / "fresh"
    settings_in(fresh)
    assert oct(fresh.stat().st_mode & 0o777) == "0o700"
    assert oct((fresh / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert oct((fresh / "thidua.sqlite3").stat().st_mode & 0o777) == "0o600"


def test_uploads_go_to_s3_on_a_server_of_several_processes(tmp_path):
    config = settings_in(
        tmp_path, THIDUA_S3_BUCKET="thidua-uploads", THIDUA_S3_ENDPOINT_URL="https://s3.internal"
    )
    assert config["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["storage"]["OPTIONS"]["bucket_name"] == "thidua-uploads"
    assert config["storage"]["OPTIONS"]["endpoint_url"] == "https://s3.internal"
    assert config["storage"]["OPTIONS"]["default_acl"] == "private"
    assert settings_in(tmp_path)["storage"]["BACKEND"].endswith("FileSystemStorage")
