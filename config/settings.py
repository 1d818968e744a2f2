"""Portside settings, read from the environment (12-factor).

Every variable is documented in `.env.example`. Without any, Portside runs as the
embedded default: SQLite in `var/`, debug on, tasks run eagerly in-process.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from adapters.platform.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# development (the default: `make run`, the tests, the compose demo over plain http) or
# production (opt in: HTTPS only, HSTS, secure cookies, hashed static files); see
# docs/operations.md.
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV is development or production, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on with DJANGO_ENV=production.")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - development only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set with DJANGO_ENV=production.")

if PRODUCTION:
    # HTTPS only: redirect plain http, tell browsers to use nothing else (HSTS; start with
    # a short DJANGO_HSTS_SECONDS while trying it out), and send cookies over TLS only.
    SECURE_SSL_REDIRECT = True
    # Probes talk to the container directly, over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a proxy or load balancer that ends TLS and says so in X-Forwarded-Proto
    # (and strips that header from clients): without this, every request looks like
    # plain http and the redirect never ends. Only set it when that proxy exists.
    if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

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
    "config.apps.PortsideConfig",
    "adapters.api",
    "adapters.catalog",
    "adapters.booking",
    "adapters.demo",
    "outside.payment_sandbox",
    "adapters.partners",
    "outside.partner_inbox",
    "adapters.storefront",
]

MIDDLEWARE = [
    # First, so every log line of the request, and the tasks it queues, carry its id.
    "adapters.platform.observability.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # 413 for a body over the limit, before anything reads it (adapters/platform/limits.py).
    "adapters.platform.limits.RequestBodyLimitMiddleware",
    # Static files (the storefront's stylesheet, the admin's) under gunicorn too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",  # {{ csp_nonce }}
            ],
        },
    },
]

# SQLite in var/ by default; any DATABASE_URL that dj-database-url understands otherwise,
# e.g. postgres://user@127.0.0.1:5432/portside
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'portside.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# The sandbox payment provider is another system: its own database (a second SQLite file
# by default; the same PostgreSQL database is fine, its locks never meet Portside's).
_sandbox_default = (
    os.environ["DATABASE_URL"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else f"sqlite:///{BASE_DIR / 'var' / 'sandbox.sqlite3'}"
)
DATABASES["sandbox"] = dj_database_url.parse(
    os.environ.get("SANDBOX_DATABASE_URL", _sandbox_default),
    conn_max_age=60,
    conn_health_checks=True,
)
# An optional read replica of the primary: the catalogue's reads go there (listings and
# slots, outside any transaction), everything else to the primary (adapters/platform/db_router.py).
# Tests point it at the test database itself (MIRROR) rather than creating another.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
# The sandbox's first: its tables live in its own database whatever the replica router says.
DATABASE_ROUTERS = [
    "outside.payment_sandbox.router.SandboxRouter",
    "adapters.platform.db_router.ReplicaRouter",
]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        # Take SQLite's write lock when a transaction begins, so concurrent bookings queue
        # instead of failing with "database is locked" half-way through.
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
STATIC_ROOT = BASE_DIR / "var" / "static"
# WhiteNoise serves the apps' static folders as they are, so collectstatic is optional;
# in production only what collectstatic gathered, compressed, under hashed names that
# browsers may cache for ever (the image runs collectstatic with DJANGO_ENV=production).
WHITENOISE_USE_FINDERS = not PRODUCTION
if PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Content Security Policy: only this origin's scripts, styles, images and fonts; inline
# <style> and <script> only with the response's nonce ({{ csp_nonce }}); no plugins, no
# framing, no <base> elsewhere. Swagger UI loads from a CDN and gets its own policy
# (config/urls.py). Enforced with debug off; report-only in development, so Django's
# debug pages (inline styles and scripts) keep working and violations show in the console.
_csp = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if DEBUG:
    SECURE_CSP_REPORT_ONLY = _csp
else:
    SECURE_CSP = _csp

# The storefront's sign-in pages (the admin has its own).
LOGIN_URL = "storefront:login"
LOGIN_REDIRECT_URL = "storefront:listings"
LOGOUT_REDIRECT_URL = "storefront:listings"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["adapters.platform.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "adapters.api.problems.problem_exception_handler",
    # One of the three applies to each request, by who made it (adapters/platform/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "adapters.platform.throttles.AnonymousThrottle",
        "adapters.platform.throttles.CustomerThrottle",
        "adapters.platform.throttles.PartnerThrottle",
    ],
    # "N/s", "N/m", "N/h" or "N/d"; "off" for no limit. Counted in the default cache.
    "DEFAULT_THROTTLE_RATES": {
        scope: (None if rate.strip().lower() == "off" else rate.strip())
        for scope, rate in {
            "anon": os.environ.get("THROTTLE_ANON_RATE", "300/m"),
            "customer": os.environ.get("THROTTLE_CUSTOMER_RATE", "600/m"),
            "partner": os.environ.get("THROTTLE_PARTNER_RATE", "1200/m"),
        }.items()
    },
    # Proxies in front of gunicorn that append to X-Forwarded-For, so the anonymous limit
    # counts the client's address; 0 (unset): REMOTE_ADDR is the client. Never None:
    # DRF would then take the whole X-Forwarded-For, which the client writes itself.
    "NUM_PROXIES": int(os.environ.get("THROTTLE_NUM_PROXIES") or 0),
}

# Failed sign-ins (storefront form and API token alike) refused after 5 per email and
# address, or 20 per address, in 15 minutes (adapters/platform/sign_in_attempts.py);
# "off" for no limit, as the contract fuzzer runs.
SIGN_IN_LIMITS = os.environ.get("SIGN_IN_LIMITS", "on").strip().lower() != "off"

# Request bodies: the most any request may send (an API body is under 1 KiB), and the
# most a payment provider's webhook may (its events carry whole objects). Over either,
# a 413 problem: adapters.platform.limits checks the length before any view reads, and
# Django's own check (the larger of the two) is the backstop.
MAX_REQUEST_BODY_SIZE = int(os.environ.get("MAX_REQUEST_BODY_SIZE", str(64 * 1024)))
PAYMENT_WEBHOOK_MAX_BODY_SIZE = int(
    os.environ.get("PAYMENT_WEBHOOK_MAX_BODY_SIZE", str(512 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_REQUEST_BODY_SIZE, PAYMENT_WEBHOOK_MAX_BODY_SIZE)

# The cache holds the throttles' counts. Per process by default (locmem): with several
# gunicorn workers or hosts, each counts apart, so point CACHE_URL at a shared Redis
# (redis://127.0.0.1:6379/2) in production.
if PRODUCTION and not os.environ.get("CACHE_URL"):
    raise ImproperlyConfigured(
        "CACHE_URL must name a shared cache (redis://…) with DJANGO_ENV=production: "
        "throttle counts kept per process would multiply every limit."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if (_cache_url := os.environ.get("CACHE_URL", ""))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Portside API",
    "DESCRIPTION": "Book timed experiences: catalogue, bookings, payments and partner webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "adapters.api.openapi.problem_responses",
        "adapters.api.links.operation_links",
    ],
}

# Items per page by default, and the most a client may ask for with ?page_size=.
API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "20"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "100"))

# ---- bookings
# How long an unpaid hold keeps its seats; fractions allowed (0.05 = 3 s, for tests).
HOLD_MINUTES = float(os.environ.get("HOLD_MINUTES", "15"))
IDEMPOTENCY_KEY_TTL_SECONDS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_SECONDS", str(24 * 3600)))

# ---- payments: which provider runs, and how it reaches us. The sandbox provider ships
# with Portside (under /sandbox/ on this server) so the whole flow works offline.
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "sandbox")  # sandbox | stripe
PORTSIDE_BASE_URL = os.environ.get("PORTSIDE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PAYMENTS_WEBHOOK_URL = os.environ.get(
    "PAYMENTS_WEBHOOK_URL", f"{PORTSIDE_BASE_URL}/webhooks/payments/{{provider}}/"
)
# Where the provider sends the customer after paying: the storefront's booking page, which
# waits for the payment webhook ({reference} is filled in).
PAYMENTS_RETURN_URL = os.environ.get(
    "PAYMENTS_RETURN_URL", f"{PORTSIDE_BASE_URL}/bookings/{{reference}}/?returned=1"
)
PAYMENTS_SANDBOX_URL = os.environ.get("PAYMENTS_SANDBOX_URL", f"{PORTSIDE_BASE_URL}/sandbox")
PAYMENTS_SANDBOX_API_KEY = os.environ.get("PAYMENTS_SANDBOX_API_KEY", "sk_sandbox_development")
PAYMENTS_SANDBOX_WEBHOOK_SECRET = os.environ.get(
    "PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_sandbox_development"
)
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # tests point it at a local stand-in
# Portside ships no page that runs Stripe's Payment Element: with Stripe, the page where
# the customer pays is yours to host, and checkout sends them to it ({reference} and
# {payment_id} filled in). No default: a made-up address would send them nowhere.
STRIPE_PAY_URL = os.environ.get("STRIPE_PAY_URL", "")
# Whose webhooks are accepted: the active provider's, and any named here (after a switch,
# the old provider's late events still land). Only these parsers exist at all.
PAYMENT_WEBHOOK_PROVIDERS = sorted({PAYMENT_PROVIDER, *env_list("PAYMENT_WEBHOOK_PROVIDERS")})
# Serve the sandbox provider under /sandbox/; on by default only while it is the provider.
PAYMENTS_SANDBOX_ENABLED = env_bool("PAYMENTS_SANDBOX_ENABLED", PAYMENT_PROVIDER == "sandbox")
if PRODUCTION and PAYMENTS_SANDBOX_ENABLED:
    raise ImproperlyConfigured(
        "The sandbox payment provider takes no money and signs with development secrets: "
        "set PAYMENT_PROVIDER=stripe (and PAYMENTS_SANDBOX_ENABLED=0) with DJANGO_ENV=production."
    )
if PAYMENT_PROVIDER not in {"sandbox", "stripe"}:
    raise ImproperlyConfigured(f"PAYMENT_PROVIDER is sandbox or stripe, not {PAYMENT_PROVIDER!r}.")
if PAYMENT_PROVIDER == "stripe" and not (
    STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET and STRIPE_PAY_URL
):
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and "
        "STRIPE_PAY_URL (the page you host that runs Stripe's Payment Element)."
    )

# ---- partner webhooks: where deliveries may go (SSRF protection). Outside development
# only https to public addresses; WEBHOOK_ALLOWED_HOSTS names hosts that skip the
# address check (development, tests, the compose demo's partner inbox).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
# Serve the demo partner inbox under /partner-inbox/ (development and the compose demo).
PARTNER_INBOX_ENABLED = env_bool("PARTNER_INBOX_ENABLED", DEBUG)

# ---- Celery: a broker (Redis) when CELERY_BROKER_URL is set; otherwise tasks run
# eagerly in-process, which is all the embedded default needs.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "expire-holds": {"task": "booking.expire_holds", "schedule": 60.0},
    "purge-idempotency-keys": {"task": "api.purge_idempotency_keys", "schedule": 3600.0},
    "sweep-deliveries": {"task": "partners.sweep_deliveries", "schedule": 30.0},
}

# JSON lines with the request id (adapters/platform/observability/) with debug off; readable
# lines, the request id in brackets, in development. LOG_FORMAT chooses either way.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))
