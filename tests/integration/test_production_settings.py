"""Production settings (`DJANGO_ENV=production`), each run in a fresh interpreter since
settings are read once: `manage.py check --deploy` finds nothing, plain http is
redirected, HTTPS answers carry HSTS and the CSP, and missing essentials stop the start.

Production is opt-in: without DJANGO_ENV the tests, `make run` and the compose demo
keep talking plain http (the other tests prove that by passing)."""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LOG_", "SECURE_"))
    }
    # Production runs on a database of its own; where none is configured (a quick local
    # run on SQLite), a throwaway file stands in, since the checks open a connection.
    folder = tempfile.mkdtemp()
    env.setdefault("DATABASE_URL", f"sqlite:///{folder}/production.sqlite3")
    env.setdefault("SANDBOX_DATABASE_URL", f"sqlite:///{folder}/sandbox.sqlite3")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="shop.example.com",
        CACHE_URL="redis://127.0.0.1:6379/15",
        PAYMENT_PROVIDER="stripe",
        STRIPE_SECRET_KEY="sk_test_production_settings",
        STRIPE_WEBHOOK_SECRET="whsec_production_settings",
        STRIPE_PAY_URL="https://shop.example.com/pay/{reference}/",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value}


def run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_reports_no_issue() -> None:
    result = run(
        production_env(),
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must be set"),
        ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG cannot be on"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV is development or production"),
        ({"CACHE_URL": ""}, "CACHE_URL must name a shared cache"),
        ({"PAYMENT_PROVIDER": "sandbox"}, "The sandbox payment provider takes no money"),
        ({"STRIPE_PAY_URL": ""}, "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_essentials(
    overrides: dict[str, str], complaint: str
) -> None:
    result = run(production_env(**overrides), sys.executable, "manage.py", "check")
    assert result.returncode != 0
    assert complaint in result.stderr


SERVE = """
import json, django
django.setup()
from django.test import Client
# A path no view serves: the answer needs no database, and shows the headers alone.
plain = Client().get("/no-such-page/", HTTP_HOST="shop.example.com")
secure = Client().get("/no-such-page/", HTTP_HOST="shop.example.com", secure=True)
proxied = Client().get(
    "/no-such-page/", HTTP_HOST="shop.example.com", HTTP_X_FORWARDED_PROTO="https"
)
probe = Client().get("/health/live", HTTP_HOST="shop.example.com")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, dict(secure.headers)],
    "proxied": proxied.status_code,
    "probe": probe.status_code,
}))
"""


def serve(env: dict[str, str]) -> dict[str, object]:
    result = run(env, sys.executable, "-c", SERVE)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_plain_http_is_redirected_and_https_gets_hsts_and_the_csp() -> None:
    answers = serve(production_env())
    assert answers["plain"] == [301, "https://shop.example.com/no-such-page/"]
    status, headers = answers["secure"]  # type: ignore[misc]
    assert status == 404
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["X-Request-ID"]
    # X-Forwarded-Proto is believed only when a TLS proxy is declared.
    assert answers["proxied"] == 301
    # Probes reach the container directly over plain http: never redirected.
    assert answers["probe"] == 200


def test_behind_a_tls_proxy_its_forwarded_proto_counts() -> None:
    answers = serve(production_env(DJANGO_BEHIND_TLS_PROXY="1"))
    assert answers["proxied"] == 404  # served as https: no redirect
