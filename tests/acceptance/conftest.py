"""A live server for black-box tests: plain HTTP, no Django, no project imports.

`live_server_url` runs every acceptance test once per version in `VERSIONS`. Each
version gets a fresh database (a SQLite file in a temporary folder, or a new
PostgreSQL database when DATABASE_URL points at PostgreSQL), `migrate` and
`load_demo_data`, then gunicorn on a free loopback port.

Set ACCEPTANCE_BASE_URL to test a server that is already running instead; the
fixture then starts nothing. Set ACCEPTANCE_PROJECT to a checkout's folder (a branch
of the refactoring walk, say) to start that project instead of this tree's versions.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's bin/, where gunicorn lives
START_TIMEOUT = 30.0  # seconds until /health/ must answer 200
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


@dataclass(frozen=True)
class Version:
    """How to start one version of the shop: its project folder and settings module."""

    project_dir: Path
    settings: str = "config.settings"
    wsgi: str = "config.wsgi"


def versions() -> dict[str, Version]:
    """The versions to test: each of this tree's two shops that is here (a branch of
    the refactoring walk may hold one of them), or the project ACCEPTANCE_PROJECT names,
    started with the settings its manage.py names."""
    if project := os.environ.get("ACCEPTANCE_PROJECT"):
        folder = Path(project).resolve()
        settings = re.search(
            r'"DJANGO_SETTINGS_MODULE", "([\w.]+)"', (folder / "manage.py").read_text()
        )
        if settings is None:
            raise pytest.UsageError(f"{folder}/manage.py names no settings module.")
        package = settings.group(1).rsplit(".", 1)[0]
        return {folder.name: Version(folder, settings.group(1), f"{package}.wsgi")}
    shops = {
        "after": Version(project_dir=ROOT),
        "before": Version(project_dir=ROOT, settings="before.settings", wsgi="before.wsgi"),
    }
    return {
        name: version
        for name, version in shops.items()
        if (ROOT / version.settings.replace(".", "/")).with_suffix(".py").is_file()
    }


# Every acceptance test runs once against each of these: a scenario that passes on one
# and fails on the other is a bug in one of them.
VERSIONS = versions()

BASE_URL = os.environ.get("ACCEPTANCE_BASE_URL", "").rstrip("/")


@dataclass(frozen=True)
class Server:
    """A running version: its base URL, and `manage()` for operator commands on its database."""

    url: str
    version: Version | None = None
    env: dict[str, str] | None = None
    pid: int | None = None  # gunicorn's master process, when started here

    def manage(self, *args: str) -> str:
        """Run an operator's command against this server's database; its output."""
        if self.version is None or self.env is None:
            pytest.skip(
                "The server was given by ACCEPTANCE_BASE_URL; its commands are out of reach."
            )
        return manage(self.version, self.env, *args)


@contextmanager
def started(name: str, workdir: Path, **overrides: str) -> Iterator[Server]:
    """Version `name` on a fresh database with the demo data, under gunicorn."""
    version = VERSIONS[name]
    with ExitStack() as stack:
        env = {
            **os.environ,
            "DATABASE_URL": stack.enter_context(fresh_database(workdir)),
            # Production paths: no debug pages, problem details for every error.
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "acceptance-tests-only-not-a-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": version.settings,
            **overrides,
        }
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env.update(
            PORTSIDE_BASE_URL=url,  # where the sandbox provider posts its webhooks
            # The demo partner inbox on this same loopback server receives deliveries.
            PARTNER_INBOX_ENABLED="1",
            WEBHOOK_ALLOW_HTTP="1",
            WEBHOOK_ALLOWED_HOSTS="127.0.0.1,localhost",
            SANDBOX_DATABASE_URL=sandbox_database(env["DATABASE_URL"], workdir),
        )
        manage(version, env, "migrate", "--no-input")
        manage(version, env, "migrate", "--no-input", "--database", "sandbox")
        manage(version, env, "load_demo_data")
        pid = stack.enter_context(serve(version, env, workdir / "server.log", port))
        yield Server(url, version, env, pid)


def sandbox_database(database_url: str, workdir: Path) -> str:
    """The sandbox provider's own database: a second SQLite file, or the same PostgreSQL."""
    if urlsplit(database_url).scheme in POSTGRES_SCHEMES:
        return database_url
    return f"sqlite:///{workdir / 'sandbox.sqlite3'}"


@pytest.fixture(scope="session", params=["external"] if BASE_URL else list(VERSIONS))
def shop_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server with the demo data loaded, shared by the whole session."""
    if BASE_URL:
        yield Server(BASE_URL)
        return
    with started(request.param, tmp_path_factory.mktemp(f"acceptance-{request.param}")) as server:
        yield server


@pytest.fixture(scope="session")
def live_server_url(shop_server: Server) -> str:
    """The base URL (no trailing slash) of a server with the demo data loaded."""
    return shop_server.url


@pytest.fixture(scope="session", params=list(VERSIONS))
def short_hold_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server of its own whose holds last three seconds, for expiry scenarios."""
    if BASE_URL:
        pytest.skip("Expiry needs a server started with a short HOLD_MINUTES.")
    workdir = tmp_path_factory.mktemp(f"acceptance-short-hold-{request.param}")
    with started(request.param, workdir, HOLD_MINUTES="0.05") as server:
        yield server


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """The DATABASE_URL of an empty database, gone afterwards."""
    configured = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(configured).scheme
    if not configured or scheme == "sqlite":
        yield f"sqlite:///{workdir / 'acceptance.sqlite3'}"  # pytest removes old tmp dirs
    elif scheme in POSTGRES_SCHEMES:
        name = f"portside_acc_{secrets.token_hex(4)}"
        postgres(configured, "CREATE DATABASE {}", name)
        try:
            yield urlunsplit(urlsplit(configured)._replace(path=f"/{name}"))
        finally:
            postgres(configured, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    else:
        pytest.fail(f"Acceptance tests run on SQLite or PostgreSQL, not {scheme!r}.")


def postgres(configured_url: str, statement: str, name: str) -> None:
    """Run CREATE/DROP DATABASE on the configured server, outside any transaction."""
    import psycopg  # only needed on PostgreSQL
    from psycopg import sql

    query = sql.SQL(statement).format(sql.Identifier(name))
    errors = []
    # The configured database may not exist yet: fall back to the maintenance ones.
    for dbname in (None, "postgres", "template1"):
        options = {"dbname": dbname} if dbname else {}
        try:
            with psycopg.connect(configured_url, autocommit=True, **options) as connection:
                connection.execute(query)
                return
        except psycopg.OperationalError as error:
            errors.append(f"{dbname or 'configured database'}: {error}".strip())
    pytest.fail(f"Cannot reach PostgreSQL at {configured_url}:\n" + "\n".join(errors))


def manage(version: Version, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=version.project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed with code {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(version: Version, env: dict[str, str], log_path: Path, port: int) -> Iterator[int]:
    """gunicorn on a loopback port, once GET /health/ answers 200 (its process id);
    stopped afterwards."""
    url = f"http://127.0.0.1:{port}"
    command = [
        str(BIN / "gunicorn"),
        version.wsgi,
        "--bind",
        url.removeprefix("http://"),
        "--workers",
        "2",
        "--threads",
        "4",  # the sandbox provider calls back into the same server
        "--graceful-timeout",
        "5",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=version.project_dir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(url, process, log_path)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = f"gunicorn exited with code {process.returncode}"
            break
        # Ours, not another server's: gunicorn says it listens once the port is bound
        # (a run beside this one may have been handed the same free port).
        listening = f"Listening at: {url} ({process.pid})" in log_path.read_text(errors="replace")
        try:
            if listening and requests.get(f"{url}/health/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass  # not listening yet, or a worker still starting
        time.sleep(0.2)
    else:
        problem = f"GET {url}/health/ did not answer 200 within {START_TIMEOUT:.0f} s"
    output = log_path.read_text(errors="replace")[-5000:]
    pytest.fail(f"{problem}.\nCommand: {' '.join(process.args)}\nIts stderr:\n{output}")


class Api:
    """`requests` with the base URL and, once `login()` ran, the customer's token filled in."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.headers: dict[str, str] = {}

    def url(self, path_or_url: str) -> str:
        if "://" in path_or_url:
            return path_or_url
        return urljoin(f"{self.base_url}/", path_or_url.lstrip("/"))

    def get(self, path_or_url: str, **params: Any) -> requests.Response:
        """GET a path under the base URL (or a full URL, such as a `next` link)."""
        return requests.get(
            self.url(path_or_url), params=params or None, headers=self.headers, timeout=10
        )

    def post(
        self, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> requests.Response:
        return requests.post(
            self.url(path), json=json, headers={**self.headers, **(headers or {})}, timeout=10
        )

    def register(self) -> str:
        """Register a new customer, log in with a token, and return the email."""
        email = f"guest-{secrets.token_hex(4)}@portside.example"
        password = f"Pw-{secrets.token_hex(8)}"
        registered = self.post("/api/v1/auth/register/", {"email": email, "password": password})
        assert registered.status_code == 201, registered.text
        token = self.post("/api/v1/auth/token/", {"username": email, "password": password})
        assert token.status_code == 200, token.text
        self.headers["Authorization"] = f"Token {token.json()['token']}"
        return email


@pytest.fixture
def api(live_server_url: str) -> Api:
    return Api(live_server_url)
