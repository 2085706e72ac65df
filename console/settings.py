"""Settings: embedded defaults need nothing; the environment switches to a team setup.

CONSOLE_DATA_DIR     where SQLite and the generated secret live (default ./var)
CONSOLE_SECRET_KEY   secret for sessions and the credential vault (or CONSOLE_SECRET_KEY_FILE);
                     generated into CONSOLE_DATA_DIR/secret.key on first start when unset
DATABASE_URL         e.g. postgres://user:pass@db/console (default: SQLite in CONSOLE_DATA_DIR)
REDIS_URL            channel layer for several daphne processes (default: in-memory)
CONSOLE_DEBUG        1 to turn DEBUG on
CONSOLE_ALLOWED_HOSTS comma-separated host names the console is served as
CONSOLE_HOST_DEADLINE seconds each host gets on multi-host pages (default 3)
CONSOLE_ENGINE_TIMEOUT seconds one engine call may take (default 10)
CONSOLE_VOLUME_HELPER_IMAGE image of the containers that read volumes (default busybox:latest)
CONSOLE_UPLOAD_LIMIT  bytes one upload may bring: files into a container (and what an
                      archive unpacks to), an image to load or import, a build context; a
                      larger request body is refused before it is read (default 1 GiB)
CONSOLE_LIST_LIMIT    entries a container directory listing shows (default 5000)
CONSOLE_TIME_ZONE     time zone pages show times in (default UTC)
CONSOLE_LOG_LINE_LIMIT bytes of one log line before it is cut (default 1 MiB)
CONSOLE_LOG_VIEW_LINES log lines the page keeps (default 5000)
CONSOLE_LOGIN_FAILURE_LIMIT failed logins (per user name and address) before a lock (default 5)
CONSOLE_LOGIN_COOLOFF_MINUTES minutes a lock lasts (default 15)
CONSOLE_HTTPS         1 when served over HTTPS (behind a proxy): secure session and CSRF cookies
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CONSOLE_DATA_DIR", BASE_DIR / "var"))


def _private_data_dir(path: Path) -> None:
    """The data directory (database, secret) is the console's alone: 0700, its files
    0600 (a session or the vault key read from it is a login or every host's keys)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_uid != os.geteuid():
        return  # a directory someone else gave us: theirs to set
    path.chmod(0o700)
    for entry in path.iterdir():
        if entry.is_file() and not entry.is_symlink():
            entry.chmod(0o600)


_private_data_dir(DATA_DIR)


def _secret_from_env(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE."""
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return None


def _console_secret() -> str:
    if secret := _secret_from_env("CONSOLE_SECRET_KEY"):
        return secret
    key_file = DATA_DIR / "secret.key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


CONSOLE_SECRET = _console_secret()
# Django's signing key is derived from the console secret, not equal to it, so the
# vault key and the session-signing key never coincide.
SECRET_KEY = "django:" + CONSOLE_SECRET

DEBUG = os.environ.get("CONSOLE_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CONSOLE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CONSOLE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "console.access",
    "console.hosts",
    "console.containers",
    "console.images",
    "console.volumes",
    "console.networks",
    "console.streams",
    "console.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.web.middleware.ActingMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "console.web.middleware.EngineErrorMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the user name + address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.hosts.context_processors.host_switcher",
                "console.access.context_processors.team_manager",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'console.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Engine calls run in threads while requests write; WAL + a busy timeout avoid
    # "database is locked" under daphne's concurrent requests.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite gives its -wal and -shm files the database file's mode: create it 0600
    # before SQLite does (with the umask's 0644).
    if (database := Path(DATABASES["default"]["NAME"])).is_absolute():
        database.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    # A file, not memory, so tests can read what really lands on disk; one per test
    # process, so concurrent runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"console-test-{os.getpid()}.sqlite3")
    }

if redis_url := os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CONSOLE_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Login throttling (django-axes): this many failures for one user name from one address
# lock that pair out for the cool-off; a correct password is refused meanwhile.
AXES_FAILURE_LIMIT = int(os.environ.get("CONSOLE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("CONSOLE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "console.access.lockout.locked_out"
AXES_VERBOSE = False

# Content Security Policy (django-csp): scripts and styles only from our own files.
# 'self' in connect-src covers the same-origin ws:/wss: websockets (CSP level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_ENGINE = "console.access.sessions"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if os.environ.get("CONSOLE_HTTPS") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every line names its logger (console.engine.client, console.streams.jobs, …) and
# level; the console's own lines go on with `host=<slug> user=<name>` (console.engine.acting).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"console": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "console"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # paramiko logs key types and exceptions verbosely; keep it quiet.
    "loggers": {"paramiko": {"level": "ERROR"}},
}

# One log line beyond this many bytes is cut (and says so); the page keeps this many lines.
CONSOLE_LOG_LINE_LIMIT = int(os.environ.get("CONSOLE_LOG_LINE_LIMIT", str(1024 * 1024)))
CONSOLE_LOG_VIEW_LINES = int(os.environ.get("CONSOLE_LOG_VIEW_LINES", "5000"))
CONSOLE_HOST_DEADLINE = float(os.environ.get("CONSOLE_HOST_DEADLINE", "3"))
CONSOLE_ENGINE_TIMEOUT = float(os.environ.get("CONSOLE_ENGINE_TIMEOUT", "10"))
FILE_UPLOAD_HANDLERS = ["console.web.uploads.MemoryUpload", "console.web.uploads.DiskUpload"]
# Uploads: bytes per upload (and per unpacked archive), for every request body under daphne
# (console.web.daphne, with 1 MiB for the form around the files); listing: entries shown.
CONSOLE_UPLOAD_LIMIT = int(os.environ.get("CONSOLE_UPLOAD_LIMIT", str(1 << 30)))
CONSOLE_LIST_LIMIT = int(os.environ.get("CONSOLE_LIST_LIMIT", "5000"))
# Volume browsing creates (never starts) a container of this image with the volume mounted.
CONSOLE_VOLUME_HELPER_IMAGE = os.environ.get("CONSOLE_VOLUME_HELPER_IMAGE", "busybox:latest")
