"""Settings, read from environment variables only (see README "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from annotator.logging_context import log_format, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANNOTATOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")


def persistent_secret_key() -> str:
    """A random key kept under var/, so a local install never runs on a key published in the code."""
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or persistent_secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotator.accounts",
    "annotator.corpus",
    "annotator.labeling",
    "annotator.agreement",
    "annotator.review",
    "annotator.exports",
    "annotator.suggestions",
    "annotator.analytics",
    "annotator.idempotency",
    "annotator.history",
    "annotator.web",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "annotator.urls"
WSGI_APPLICATION = "annotator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'annotator.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request reuses it: after a database restart the first
        # request gets a new connection instead of an error on the dead one.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Seconds to wait for a new connection: a database host that does not answer fails requests (and
    # /readyz) in seconds instead of the operating system's minutes. A DATABASE_URL ?connect_timeout= wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's ModelBackend, keeping API tokens when a login rehashes the same password (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["annotator.accounts.backends.PasswordBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Static files are served from the apps' folders as found (no collectstatic needed: tests, the demo), or,
# under `annotator serve`, which collects them first and sets STATIC_FROM_FINDERS=0, from STATIC_ROOT with
# their compressed variants (finders would shadow those).
WHITENOISE_USE_FINDERS = env_bool("STATIC_FROM_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploads: the importers refuse files over 50 MB with a 413; Django must let them reach the check.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "annotator.accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "api.parsers.StrictMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "annotator API",
    "DESCRIPTION": "Claims, speakers, stance, agreement, adjudication and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AssignmentStatusEnum": "annotator.labeling.models.AssignmentStatus",
        "RunStatusEnum": "annotator.agreement.models.RunStatus",
        "ApiTokenStatusEnum": "annotator.accounts.models.TokenStatus",
    },
}

# Celery: no broker configured means tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Celery still takes a producer from its pool for an eager task; an in-memory transport gives it one
    # without guessing at a Redis on localhost.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
if CELERY_BROKER_URL.split("://", 1)[0] in ("redis", "rediss"):
    # kombu's Redis transport with the fix that keeps a worker alive when Redis goes away (see the module).
    CELERY_BROKER_TRANSPORT = "annotator.broker:Transport"
# How the timings fit together (`annotator worker`; README, "Workers"):
# - A running job writes a heartbeat every AGREEMENT_STALE_AFTER / 4 s (5 s); after AGREEMENT_STALE_AFTER
#   (20 s) of silence its worker is presumed dead. Every worker's reaper looks every JOBS_RECOVER_EVERY
#   (10 s), re-queues such jobs and sends them again: a killed worker's job is taken over within
#   20 + 10 s plus a second to start, well inside a minute. Export and article import jobs beat every 10 s
#   and count as dead after 40 s (annotator/jobs.py: STALE_AFTER): re-queued within 50 s.
# - The visibility timeout is not what takes work over (the reaper is); it is how long Redis waits before
#   handing an unacknowledged message out again. It must outlast the longest countdown a worker holds a
#   message for (task retries back off up to 300 s), or Redis would hand out a second copy of a message
#   whose countdown is still running. 600 s leaves room; a copy that does come is harmless, as a job is
#   claimed by a conditional update.
# - After the broker comes back a worker sends every queued job again at once (its message may have been
#   lost with Redis's data or dropped with the worker's reserved tasks), so nothing waits for a page load.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600")),
    # A broker that does not answer (rather than refusing) costs 5 s per attempt, not the OS's minutes.
    "socket_connect_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker as long as it takes
# A task running when the broker connection drops finishes (Celery 6 would kill it): jobs write their own
# outcome to the database, and the late acknowledgement still reaches Redis once it is back.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Seconds between two passes of a worker's reaper (0: no reaper); `annotator worker` runs it.
JOBS_RECOVER_EVERY = float(os.environ.get("JOBS_RECOVER_EVERY", "10"))
# Seconds between the last submitted annotation and the automatic agreement refresh.
AGREEMENT_REFRESH_DELAY = int(os.environ.get("AGREEMENT_REFRESH_DELAY", "30"))
# Article uploads larger than this (all files together, bytes) are imported by a worker as a job.
ARTICLE_IMPORT_JOB_BYTES = int(os.environ.get("ARTICLE_IMPORT_JOB_BYTES", str(5 * 1024 * 1024)))
# Seconds a running job's heartbeat may stay silent before its worker is presumed dead and it is retaken.
AGREEMENT_STALE_AFTER = int(os.environ.get("AGREEMENT_STALE_AFTER", "20"))
# Documents per chunk of an agreement run: more changed documents than this are shared among the workers.
AGREEMENT_CHUNK_DOCUMENTS = int(os.environ.get("AGREEMENT_CHUNK_DOCUMENTS", "500"))
# γ is computed on at most this many documents of a project (a fixed sample; see agreement/gamma_runs.py).
AGREEMENT_GAMMA_DOCUMENTS = int(os.environ.get("AGREEMENT_GAMMA_DOCUMENTS", "300"))
# Hours an Idempotency-Key is kept at least: a create repeated with the same key within them returns the
# first result instead of creating again.
IDEMPOTENCY_KEY_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24"))

# Behind TLS (any real deployment) set HTTPS=1: secure cookies, HSTS and redirects for `check --deploy`.
if env_bool("HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Security: login lockout, API throttles, request sizes, Content-Security-Policy, proxies -------------
# A reverse proxy that sets X-Forwarded-Proto and X-Forwarded-For is believed only when TRUSTED_PROXY=1 says
# one stands in front of the site; otherwise any client could claim HTTPS or another address.
TRUSTED_PROXY = env_bool("TRUSTED_PROXY")
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# API throttle counts must be shared by every server process: set CACHE_URL (redis://…) when more than one
# serves the site. Unset: each process counts for itself, which suits the demo. (Login failures are rows.)
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions (save path): with a shared cache (CACHE_URL) a request reads its session from the cache, not
# from a database row; every write and logout goes to both, so a logout ends the session in every process
# at once. Without one they stay rows: a per-process cache would keep a session alive in the other
# processes after a logout there, and show them stale session data.
if CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address,
# that pair is refused for LOGIN_COOLOFF_MINUTES, on the login page, the admin login and any API endpoint
# that checks a password. Admins lift a lockout under Axes → Access attempts in the admin.
INSTALLED_APPS += ["axes", "csp"]
AUTHENTICATION_BACKENDS = [
    "annotator.lockout.LockoutBackend",
    *AUTHENTICATION_BACKENDS,
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotator.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "annotator.lockout.client_ip"
AXES_VERBOSE = False

# Oversized bodies: API requests over DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB) are answered with a JSON 413
# before anything reads them; multipart uploads keep the importers' own 50 MB-per-file rule.
MIDDLEWARE.insert(0, "annotator.middleware.RequestSizeLimitMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# First of all: every response carries its X-Request-ID; then the health probes, answered before the host
# check, the HTTPS redirect, sessions and lockouts (annotator/web/views/health.py).
MIDDLEWARE[:0] = ["annotator.middleware.RequestIdMiddleware", "annotator.middleware.HealthProbeMiddleware"]

# API throttles (JSON 429 with Retry-After). The editor autosaves each claim change and a note 0.6 s after
# typing stops, one request per claim at a time: measured in Chromium, a very fast annotator sends ~90
# requests a minute and a note typed one key per 0.65 s ~80 (tests/e2e/test_editor_request_rate.py).
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "api.throttling.AnonymousRateThrottle",
    "api.throttling.UserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": os.environ.get("API_THROTTLE_ANON", "120/min"),
    "user": os.environ.get("API_THROTTLE_USER", "600/min"),
}
# The client address DRF throttles anonymous requests by: X-Forwarded-For only from a trusted proxy.
REST_FRAMEWORK["NUM_PROXIES"] = 1 if TRUSTED_PROXY else 0

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline; data reaches
# scripts through json_script (<script type="application/json">, which the browser never runs). Inline
# style attributes stay allowed (the templates and the server-drawn charts set widths and colours).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logs go to stderr, each record with its request's id (X-Request-ID; a worker's job records carry the id
# of the request that sent the job). LOG_FORMAT=json: one JSON object a line (timestamp, level, logger,
# message, request_id, exc_info) for a log collector; gunicorn's own and access lines follow it
# (annotator/gunicorn_conf.py) and so do a Celery worker's (annotator/celery.py). Plain text by default.
LOG_FORMAT = log_format(os.environ.get("LOG_FORMAT"))
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "WARNING"))

# Retention, cleaned by the job reaper of `annotator worker` (annotator/worker_steps.py); 0 keeps forever.
# Finished export jobs are deleted with their files this many days after they finished.
EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "30"))
# Finished agreement runs, except each project's latest succeeded run (and the run it reused figures from).
AGREEMENT_RUN_RETENTION_DAYS = int(os.environ.get("AGREEMENT_RUN_RETENTION_DAYS", "90"))
# Seconds between two retention passes of a worker's reaper.
RETENTION_EVERY = float(os.environ.get("RETENTION_EVERY", "3600"))
