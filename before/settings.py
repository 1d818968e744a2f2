"""Settings of the before shop, read from the environment.

The variable names and defaults are the after version's, so one `.env` serves both;
only the default SQLite files differ (var/before.sqlite3, var/before-sandbox.sqlite3).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-before-development-only"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "before.common",
    "before.catalog",
    "before.accounts",
    "before.bookings",
    "before.payments",
    "before.partners",
    "outside.payment_sandbox",
    "outside.partner_inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's, Swagger's) under gunicorn too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "before.urls"
WSGI_APPLICATION = "before.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'before.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The sandbox payment provider keeps its own database: a second SQLite file, or the
# same PostgreSQL database when the shop runs on PostgreSQL.
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    _sandbox_url = os.environ["DATABASE_URL"]
else:
    _sandbox_url = f"sqlite:///{BASE_DIR / 'var' / 'before-sandbox.sqlite3'}"
DATABASES["sandbox"] = dj_database_url.parse(
    os.environ.get("SANDBOX_DATABASE_URL", _sandbox_url), conn_max_age=60, conn_health_checks=True
)
DATABASE_ROUTERS = ["outside.payment_sandbox.router.SandboxRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue for SQLite's lock when their transaction begins, instead of
        # failing with "database is locked" half-way through a booking.
        _database.setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static-before"
# WhiteNoise serves the apps' static folders as they are, so collectstatic is optional.
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "before.common.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "before.common.exceptions.problem_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Portside API (before)",
    "DESCRIPTION": "Book timed experiences: catalogue, bookings, payments and partner webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "before.common.openapi.problem_responses",
        "before.common.openapi_links.operation_links",
    ],
}

API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "20"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "100"))

# ---- bookings
HOLD_MINUTES = float(os.environ.get("HOLD_MINUTES", "15"))
IDEMPOTENCY_KEY_TTL_SECONDS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_SECONDS", str(24 * 3600)))

# ---- payments (the sandbox provider, mounted under /sandbox/ on this server)
PORTSIDE_BASE_URL = os.environ.get("PORTSIDE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PAYMENTS_WEBHOOK_URL = os.environ.get(
    "PAYMENTS_WEBHOOK_URL", f"{PORTSIDE_BASE_URL}/webhooks/payments/{{provider}}/"
)
PAYMENTS_RETURN_URL = os.environ.get("PAYMENTS_RETURN_URL", "")
PAYMENTS_SANDBOX_URL = os.environ.get("PAYMENTS_SANDBOX_URL", f"{PORTSIDE_BASE_URL}/sandbox")
PAYMENTS_SANDBOX_API_KEY = os.environ.get("PAYMENTS_SANDBOX_API_KEY", "sk_sandbox_development")
PAYMENTS_SANDBOX_WEBHOOK_SECRET = os.environ.get(
    "PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_sandbox_development"
)
PAYMENTS_SANDBOX_ENABLED = env_bool("PAYMENTS_SANDBOX_ENABLED", True)

# ---- partner webhooks
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
PARTNER_INBOX_ENABLED = env_bool("PARTNER_INBOX_ENABLED", DEBUG)

# ---- Celery: eager in-process unless a broker is configured
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "expire-holds": {"task": "before.bookings.tasks.expire_holds", "schedule": 60.0},
    "purge-idempotency-keys": {
        "task": "before.bookings.tasks.purge_idempotency_keys",
        "schedule": 3600.0,
    },
    "retry-deliveries": {"task": "before.partners.tasks.retry_deliveries", "schedule": 30.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Django's cache: Redis when CACHE_URL names one, else memory in each process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if (_cache_url := os.environ.get("CACHE_URL", ""))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
