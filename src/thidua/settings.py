"""Django settings for thidua, read from the environment (12-factor).

Environment variables:
  THIDUA_DATABASE_URL   database URL; default: SQLite file under var/
  THIDUA_SECRET_KEY     secret key; default: generated once into var/secret_key
  THIDUA_SECRET_KEY_FALLBACKS  comma-separated secret keys being rotated out; default: none
  THIDUA_ALLOWED_HOSTS  comma-separated host names; default: 127.0.0.1,localhost
  THIDUA_DEBUG          1 to turn debug pages on (never in production); default: off
  THIDUA_HTTPS          1 when served behind HTTPS: secure cookies, HSTS, redirect
  THIDUA_VAR_DIR        where the SQLite file, the secret key, the signing key and static files
                        live; default: var/
  THIDUA_S3_BUCKET      keep uploads in this S3-compatible bucket (with THIDUA_S3_ENDPOINT_URL,
                        THIDUA_S3_REGION and AWS_* credentials); default: files under var/media
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


VAR_DIR = Path(os.environ.get("THIDUA_VAR_DIR") or BASE_DIR / "var").resolve()
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
VAR_DIR.chmod(0o700)  # the database, the secret key and uploads: for the server's user only


def _secret_key() -> str:
    """Use THIDUA_SECRET_KEY, else a key generated once into var/ (never committed)."""
    if key := os.environ.get("THIDUA_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    path.chmod(0o600)  # also a key file copied in with looser rights
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# keys being rotated out: what they signed (sessions, the audit chains' heads) still holds
SECRET_KEY_FALLBACKS = [
    key.strip()
    for key in os.environ.get("THIDUA_SECRET_KEY_FALLBACKS", "").split(",")
    if key.strip()
]
DEBUG = _flag("THIDUA_DEBUG")
HTTPS = _flag("THIDUA_HTTPS")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("THIDUA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "thidua.web.axes_app.AxesConfig",  # django-axes, named in Vietnamese
    "ninja",  # serves the API docs from its own vendored Swagger UI, not a CDN
    "thidua.org",
    "thidua.audit",
    "thidua.stats",
    "thidua.scoring",
    "thidua.voting",
    "thidua.documents",
    "thidua.record",
    "thidua.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thidua.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "thidua.web.middleware.CompressedTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "thidua.web.middleware.LocaleMiddleware",
    "thidua.web.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thidua.web.middleware.LoginRequiredMiddleware",
    "thidua.web.middleware.ConferenceScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "thidua.web.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "thidua.urls"
WSGI_APPLICATION = "thidua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("THIDUA_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'thidua.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # keep a connection per server thread instead of opening one per request
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # psycopg prepares a server-bound statement after 5 runs on a connection; only the
    # cast's statements bind on the server (voting.selectors.hot_cursor), so only they are
    # prepared. Prepared statements need a session per connection: no transaction pooler.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database file is created 0600 before SQLite opens it (its journal files take the
    # same mode); an existing one is brought back to 0600.
    _sqlite = Path(DATABASES["default"]["NAME"])
    if str(_sqlite) != ":memory:" and _sqlite.parent.is_dir():
        os.close(os.open(_sqlite, os.O_WRONLY | os.O_CREAT, 0o600))
        _sqlite.chmod(0o600)
    # The conference laptop runs SQLite: many phones cast ballots at once, so writers queue
    # (IMMEDIATE transactions, WAL, a busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "thidua.org.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions are read from this process's memory and written through to the database: one
# statement less on every request (a phone's cast stays within six). A server running
# several processes sets THIDUA_SESSIONS=db, so that a sign-out in one process holds in the
# others at once (a re-issued key or a disabled user holds everywhere either way: the user's
# row, read on every request, decides).
SESSION_ENGINE = {
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "db": "django.contrib.sessions.backends.db",
}[os.environ.get("THIDUA_SESSIONS", "cached_db")]
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day, conference included
# Each process's memory (the cached_db sessions above read it, so a request costs no extra
# statement). What pages compute per cycle version is kept in the database instead, where
# every app process reads it (`thidua.audit.versions`, sealed: never Django's database
# cache, which unpickles whatever its table holds). Room for a national hall's sessions and
# the staff's: beyond MAX_ENTRIES (Django's default 300) entries are evicted by thirds, and
# each evicted phone's next cast reads its session from the database and stores it again.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: five wrong passwords for one user name from one address lock that pair
# for 15 minutes (phones in a conference hall have their own addresses on the hall's Wi-Fi).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored, served by whitenoise; no CDN) --------------------------------
STATIC_URL = "static/"
# THIDUA_STATIC_ROOT: collected files shared by several installations of the same code (the
# test servers use the test run's own), else under var/
STATIC_ROOT = Path(os.environ.get("THIDUA_STATIC_ROOT") or VAR_DIR / "static")
# Uploaded evidence: kept under var/, never served directly (downloads are authorised views).
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if bucket := os.environ.get("THIDUA_S3_BUCKET"):
    # A server of several app processes keeps uploads in S3-compatible storage (the `server`
    # extra installs django-storages; credentials from the usual AWS_* variables).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("THIDUA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("THIDUA_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- Security -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # the QR codes are data: URLs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (deadline reminders): printed to the console unless an SMTP server is configured.
EMAIL_HOST = os.environ.get("THIDUA_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("THIDUA_EMAIL_PORT") or 587)
EMAIL_HOST_USER = os.environ.get("THIDUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("THIDUA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("THIDUA_EMAIL_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("THIDUA_EMAIL_FROM", "thidua@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_refusals": {"()": "thidua.web.logging.QuietRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["quiet_refusals"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
