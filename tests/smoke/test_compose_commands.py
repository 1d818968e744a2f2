"""Every service of docker-compose.yml that runs this project's image, run natively.

The containers' own entry points, read from the compose file rather than copied: each
service's command with the service's environment, in a folder laid out as the image's
/app (what the Dockerfile's COPY instructions put there, .dockerignore applied, then its
build steps run: collectstatic for each shop the tree holds), with the image's ENV and the
virtualenv's python, gunicorn and celery first on the PATH (the virtualenv holds the
pinned requirements, and the development ones besides). What differs from
`docker compose up`, and why:
- The compose file is interpolated with throwaway values for its own variables: fresh
  PostgreSQL databases (created here, dropped afterwards) for POSTGRES_DB and
  POSTGRES_BEFORE_DB, the `postgres` role for POSTGRES_USER, free ports for
  PORTSIDE_PORT and PORTSIDE_BEFORE_PORT.
- Host names of compose services in URLs (db, redis, web, web-before) become
  127.0.0.1. The local PostgreSQL on 127.0.0.1:5432 (trust auth) stands in for the db
  service. For the redis service, its own command runs with a free loopback port added,
  so concurrent runs of this test never share a broker (one run's worker would take
  the other's tasks); where no redis-server is installed, the local Redis on
  127.0.0.1:6379 stands in, the database numbers each shop uses becoming spare ones
  (15, 14, …), emptied before and after.
- HOSTNAME is this machine's name, as Docker sets the container's.

Then, as compose would: the one-shot services run first and must exit 0; the others
start only once the one-shots they wait for have succeeded, and each must pass:
- gunicorn (web, web-before): GET /health/ answers 200, the service's healthcheck
  command exits 0, /api/v1/listings/ serves the demo data, and the browser's payment
  flow works: checkout returns a pay page on http://localhost:PORT, paying there
  (the form, CSRF token and all) confirms the booking once that shop's Celery worker
  has posted the sandbox's webhook to PORTSIDE_BASE_URL.
- celery worker: its healthcheck, `celery inspect ping` to this node, answers.
- celery beat: still running after a few seconds, and its healthcheck (a fresh
  schedule file) passes.

Where the tree has no before/ (the after version alone, as on refactor/10-after), the
before shop's services have no code to run: they are not started, and their tests are
skipped, saying so.

Needs PostgreSQL, and redis-server or a Redis on 127.0.0.1:6379: skipped when they are
missing, failed instead when the environment variable CI is set. A summary line per
service is printed at the end of the run (tests/smoke/conftest.py).
"""

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.smoke import compose
from tests.smoke.compose import Service

BIN = Path(sys.executable).parent  # the virtualenv's python, gunicorn and celery
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
SPARE_REDIS_DATABASES = (15, 14, 13, 12)
DATABASE_PREFIX = "portside_smoke_"
ONE_SHOT_TIMEOUT = 300.0  # seconds for migrations and the demo data
READY_TIMEOUT = 60.0  # seconds for a server or worker to answer
WEBHOOK_TIMEOUT = 30.0  # seconds for a payment to confirm its booking
STAY_UP = 5.0  # seconds beat must keep running
DEMO_CUSTOMER = {"username": "demo@portside.example", "password": "portside-demo"}

SERVICES = {service.name: service for service in compose.services(compose.load())}
BUILT = [name for name, service in SERVICES.items() if service.builds]


# ---------------------------------------------------------------- the local PostgreSQL and Redis


def unavailable(reason: str) -> None:
    """Skip for want of a local service; fail in CI, which must run everything."""
    reason = f"The native compose run needs {reason}"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def postgres_version() -> str:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        unavailable(f"PostgreSQL at {POSTGRES_URL}: {str(error).strip()}")
    assert row is not None
    return str(row[0]).split()[0]


def redis_answers(port: int) -> bool:
    import redis

    try:
        with closing(redis.Redis(REDIS_HOST, port, socket_connect_timeout=1)) as store:
            return bool(store.ping())
    except redis.RedisError:
        return False


@dataclass
class Broker:
    """What stands in for the compose redis service."""

    port: int
    databases: dict[str, str]  # compose's database number: the one used here
    server: subprocess.Popen[bytes] | None = None
    described: str = ""

    def flush(self) -> None:
        import redis

        for database in self.databases.values():
            with closing(redis.Redis(REDIS_HOST, self.port, db=int(database))) as store:
                store.flushdb()

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=10)


def start_broker(service: Service | None, used: list[str], log: Path) -> Broker:
    """The redis service's own command on a free port, or else the local Redis."""
    binary = service.argv[0] if service and service.argv else ""
    if binary == "redis-server" and shutil.which(binary):
        assert service is not None
        port = free_port()
        argv = [*service.argv, "--port", str(port), "--bind", REDIS_HOST]
        with log.open("wb") as output:
            server = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not redis_answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"{shlex.join(argv)} did not answer:\n{log.read_text()}")
            time.sleep(0.1)
        described = f"its command `{shlex.join(argv)}`"
        return Broker(port, {number: number for number in used}, server, described)
    if not redis_answers(REDIS_PORT):
        unavailable(f"redis-server, or a Redis at {REDIS_HOST}:{REDIS_PORT}")
    spare = dict(zip(used, map(str, SPARE_REDIS_DATABASES), strict=False))
    assert len(spare) == len(used), "too few spare Redis databases"
    described = f"the local Redis at {REDIS_HOST}:{REDIS_PORT}, databases {spare}"
    return Broker(REDIS_PORT, spare, described=described)


def postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- compose to native


@dataclass
class Native:
    """How compose's names map onto this machine."""

    hosts: set[str]  # compose service names, reached at 127.0.0.1 here
    broker: Broker

    def url(self, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9+.-]*://", value):
            return value
        parts = urlsplit(value)
        if parts.hostname not in self.hosts:
            return value
        user, at, _ = parts.netloc.rpartition("@")
        port, path = parts.port, parts.path
        if parts.scheme == "redis":
            port, path = self.broker.port, "/" + self.broker.databases[path.strip("/") or "0"]
        where = f"127.0.0.1:{port}" if port else "127.0.0.1"
        return urlunsplit(parts._replace(netloc=user + at + where, path=path))

    def environment(self, service: Service) -> dict[str, str]:
        return {
            **base_environment(),
            **{key: self.url(value) for key, value in service.environment.items()},
        }


def base_environment() -> dict[str, str]:
    """What a container starts with before compose adds the service's environment."""
    _, dockerfile = next(s for s in compose.services(compose.load()) if s.builds).build_paths
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only where HOME is unset
        "LANG": "C.UTF-8",
        "HOSTNAME": socket.gethostname(),  # as Docker sets
        **compose.image_environment(compose.dockerfile_instructions(dockerfile)),
    }


@dataclass
class Process:
    service: Service
    environment: dict[str, str]
    log: Path
    cwd: Path
    popen: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    finished: float = 0.0  # when a one-shot exited
    skipped: str = ""  # why compose would not have started it

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.popen = subprocess.Popen(
                self.service.argv,
                cwd=self.cwd,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, pool children included
            )
        self.started = time.monotonic()

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:]

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()

    def healthcheck(self) -> subprocess.CompletedProcess[str]:
        argv = self.service.healthcheck
        assert argv, f"{self.service.name} has no healthcheck"
        return subprocess.run(
            argv,
            cwd=self.cwd,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )


@dataclass
class Stack:
    processes: dict[str, Process]
    built: list[str]  # what the image's build steps did
    stand_ins: list[str]  # what stands in for the db and redis services


def build_image(context: Path, dockerfile: Path, app: Path) -> list[str]:
    """The image's /app in `app`: the COPY instructions, then the build's management
    commands (collectstatic), each of which must exit 0."""
    instructions = compose.dockerfile_instructions(dockerfile)
    compose.copy_into_image(context, instructions, app)
    done = []
    for environment, argv in compose.build_manage_steps(instructions, app):
        result = subprocess.run(
            argv,
            cwd=app,
            env={**base_environment(), **environment},
            capture_output=True,
            text=True,
            timeout=ONE_SHOT_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, f"{shlex.join(argv)}:\n{result.stdout}{result.stderr}"
        last = (result.stdout.strip().splitlines() or [""])[-1].replace(f"{app}/", "")
        done.append(f"{environment.get('DJANGO_SETTINGS_MODULE')} {argv[2]}: {last}")
    return done


def beat_schedule(service: Service) -> str | None:
    argv = service.argv
    return argv[argv.index("--schedule") + 1] if "--schedule" in argv else None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    version = postgres_version()
    workdir = tmp_path_factory.mktemp("compose-native")
    suffix = secrets.token_hex(4)
    variables = {
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": f"{DATABASE_PREFIX}{suffix}",
        "POSTGRES_BEFORE_DB": f"{DATABASE_PREFIX}before_{suffix}",
        "PORTSIDE_PORT": str(free_port()),
        "PORTSIDE_BEFORE_PORT": str(free_port()),
    }
    services = {service.name: service for service in compose.services(compose.load(variables))}
    # Not the before shop's services where the tree has no before/: nothing to run.
    built = [s for s in services.values() if s.builds and not s.missing_code]
    urls = [urlsplit(v) for s in built for v in s.environment.values() if "://" in v]
    databases = sorted({u.path.strip("/") for u in urls if u.scheme.startswith("postgres")})
    assert all(name.startswith(DATABASE_PREFIX) for name in databases), databases
    used = sorted({u.path.strip("/") or "0" for u in urls if u.scheme == "redis"})
    app = workdir / "app"
    built_steps = build_image(*built[0].build_paths, app)
    broker = start_broker(services.get("redis"), used, workdir / "redis.log")
    native = Native(hosts=set(services), broker=broker)
    processes = {
        service.name: Process(
            service, native.environment(service), workdir / f"{service.name}.log", app
        )
        for service in built
    }
    stand_ins = [
        f"{'db':<15} {'postgres':<14} stood in for by the local PostgreSQL {version} at "
        f"127.0.0.1:5432; databases {', '.join(databases)} created, dropped afterwards",
        f"{'redis':<15} {'redis-server':<14} stood in for by {broker.described}",
    ]
    try:
        broker.flush()
        for name in databases:
            postgres(f'CREATE DATABASE "{name}"')
        start_as_compose_would(processes)
        yield Stack(processes, built_steps, stand_ins)
    finally:
        for process in processes.values():
            process.stop()
        for name in databases:
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        broker.flush()
        broker.stop()


def start_as_compose_would(processes: dict[str, Process]) -> None:
    """The one-shots first, together; then each other service whose one-shots succeeded."""
    one_shots = [process for process in processes.values() if process.service.one_shot]
    for process in one_shots:
        process.start()
    deadline = time.monotonic() + ONE_SHOT_TIMEOUT
    pending = list(one_shots)
    while pending and time.monotonic() < deadline:
        for process in [process for process in pending if not process.running()]:
            process.finished = time.monotonic()
            pending.remove(process)
        time.sleep(0.2)
    for process in pending:  # too slow: compose would still be waiting
        process.stop()
        process.finished = time.monotonic()
    for process in processes.values():
        if process.service.one_shot:
            continue
        failed = [
            name
            for name, condition in process.service.depends_on.items()
            if condition == "service_completed_successfully"
            and processes[name].popen is not None
            and processes[name].popen.returncode != 0  # type: ignore[union-attr]
        ]
        if failed:
            process.skipped = f"not started: {', '.join(failed)} failed"
            continue
        process.start()


# ---------------------------------------------------------------- checks, one per kind of service


def eventually[T](what: str, process: Process, timeout: float, attempt: Any) -> T:
    """Call `attempt` until it returns something true; fail if the process dies first."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if not process.running():
            pytest.fail(
                f"{process.service.name} exited while waiting for {what}:\n{process.output()}"
            )
        last = attempt()
        if last:
            return last  # type: ignore[no-any-return]
        time.sleep(0.5)
    pytest.fail(f"{what}: not within {timeout:.0f} s ({last!r}).\n{process.output()}")


def check_one_shot(process: Process) -> str:
    assert process.popen is not None
    code = process.popen.returncode
    assert code == 0, f"exit code {code}:\n{process.output()}"
    took = process.finished - process.started
    last = process.output().strip().splitlines()[-1]
    return f"exit 0 after {took:.1f} s; last line: {last}"


def get(url: str, **kwargs: Any) -> requests.Response | None:
    try:
        return requests.get(url, timeout=5, **kwargs)
    except requests.RequestException:
        return None


def logged_lines(process: Process, url: str) -> int:
    """How many lines the server logs for one request: one, whichever writes it (the
    after version's own JSON line, or gunicorn's access line for the before version)."""
    requests.get(url, timeout=10)
    path = url.split("://", 1)[1].split("/", 1)[1]
    count = lambda: process.output(200_000).count(f"/{path}")  # noqa: E731
    eventually(f"a log line for GET /{path}", process, 10, lambda: count() >= 1)
    time.sleep(0.5)  # a second line, if there is one, is written at the same moment
    assert count() == 1, f"{count()} lines for one request:\n{process.output(2000)}"
    return count()


def check_web(process: Process, stack: Stack) -> str:
    port = process.environment["PORT"]
    base = f"http://127.0.0.1:{port}"
    eventually(
        "GET /health/ 200",
        process,
        READY_TIMEOUT,
        lambda: (answer := get(f"{base}/health/")) is not None and answer.status_code == 200,
    )
    ready = time.monotonic() - process.started
    health = process.healthcheck()
    assert health.returncode == 0, f"healthcheck failed: {health.stdout}{health.stderr}"
    listings = requests.get(f"{base}/api/v1/listings/", timeout=10)
    assert listings.status_code == 200, listings.text
    catalogue = listings.json()
    assert catalogue["results"], "no demo listings"
    lines = logged_lines(process, f"{base}/api/v1/listings/?page=1")
    static = get(f"{base}/static/admin/css/base.css")
    static_status = static.status_code if static is not None else "no answer"
    paid = pay_through_the_pay_page(base, port, process)
    # The sandbox's webhook went through this shop's worker (a broker is configured).
    (worker,) = [
        other
        for other in stack.processes.values()
        if other.service.program == "celery worker"
        and other.environment["CELERY_BROKER_URL"] == process.environment["CELERY_BROKER_URL"]
    ]
    eventually(
        "the worker's log of the webhook it sent",
        process,
        10,
        lambda: re.search(
            r"payment_sandbox\.deliver_event\[[^]]+\] succeeded", worker.output(50_000)
        ),
    )
    return (
        f"/health/ 200 {ready:.1f} s after start, healthcheck exit 0; /api/v1/listings/ "
        f"{catalogue['count']} listings ({catalogue['results'][0]['title']}, …); "
        f"{lines} log line for one request; {paid}; "
        f"/static/admin/css/base.css {static_status} (not asserted: static files are served "
        "only where the settings mount WhiteNoise)"
    )


def pay_through_the_pay_page(base: str, port: str, process: Process) -> str:
    """The demo customer holds a seat and checks out; the browser pays on the pay page;
    the worker's webhook confirms the booking."""
    api = requests.Session()
    token = api.post(f"{base}/api/v1/auth/token/", json=DEMO_CUSTOMER, timeout=10)
    assert token.status_code == 200, token.text
    api.headers["Authorization"] = f"Token {token.json()['token']}"
    listing = api.get(f"{base}/api/v1/listings/", timeout=10).json()["results"][0]
    slots = api.get(f"{base}/api/v1/listings/{listing['id']}/slots/", timeout=10).json()
    slot = next(slot for slot in slots["results"] if slot["seats_available"] >= 1)
    held = api.post(
        f"{base}/api/v1/bookings/",
        json={"lines": [{"slot_id": slot["id"], "seats": 1}]},
        timeout=10,
    )
    assert held.status_code == 201, held.text
    reference = held.json()["reference"]
    checkout = api.post(f"{base}/api/v1/bookings/{reference}/checkout/", timeout=20)
    assert checkout.status_code == 200, f"{checkout.text}\n{process.output()}"
    pay_url = checkout.json()["pay_url"]
    assert pay_url.startswith(f"http://localhost:{port}/sandbox/pay/"), (
        f"the browser could not open {pay_url}"
    )
    browser = requests.Session()
    page = browser.get(pay_url, timeout=10)
    assert page.status_code == 200, page.text
    token_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token_field, "the pay page has no form"
    pressed = time.monotonic()
    paid = browser.post(
        pay_url,
        data={"csrfmiddlewaretoken": token_field[1], "action": "pay"},
        headers={"Referer": pay_url},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code in {200, 302}, paid.text
    if paid.status_code == 302:
        back = urlsplit(paid.headers["Location"])
        assert (back.hostname, str(back.port)) == ("localhost", port), paid.headers["Location"]
    eventually(
        "the booking confirmed by the payment webhook",
        process,
        WEBHOOK_TIMEOUT,
        lambda: (
            api.get(f"{base}/api/v1/bookings/{reference}/", timeout=10).json()["status"]
            == "confirmed"
        ),
    )
    took = time.monotonic() - pressed
    return (
        f"paid {reference} on the pay page at localhost:{port}, confirmed by the worker's "
        f"webhook {took:.1f} s later"
    )


def check_worker(process: Process) -> str:
    def ping() -> str:
        answer = process.healthcheck()
        return answer.stdout if answer.returncode == 0 else ""

    answer = eventually("celery inspect ping", process, READY_TIMEOUT, ping)
    took = time.monotonic() - process.started
    pong = re.search(r"->\s+(\S+): OK\s+(\w+)", answer)
    said = f"{pong[1]}: OK {pong[2]}" if pong else " ".join(answer.split())
    return f"healthcheck `inspect ping` answered {took:.1f} s after start: {said}"


def check_beat(process: Process) -> str:
    time.sleep(max(0.0, STAY_UP - (time.monotonic() - process.started)))
    assert process.running(), f"beat exited:\n{process.output()}"
    eventually(
        "beat's healthcheck", process, READY_TIMEOUT, lambda: process.healthcheck().returncode == 0
    )
    up = time.monotonic() - process.started
    schedule = beat_schedule(process.service)
    return f"still running {up:.1f} s after start, healthcheck (fresh {schedule}) exit 0"


@contextmanager
def summarised(summary: list[str], process: Process) -> Iterator[list[str]]:
    """Adds the service's line to the summary: its outcome, or why it failed."""
    service = process.service
    line: list[str] = []
    label = f"{service.name:<15} {service.program:<14}"
    try:
        yield line
    except BaseException as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        summary.append(f"{label} FAILED: {reason}")
        raise
    summary.append(f"{label} ok: {' '.join(line)}")


def test_the_image_build_steps_run_natively(stack: Stack, smoke_summary: list[str]) -> None:
    smoke_summary.extend(stack.stand_ins)
    smoke_summary.append(f"{'(image build)':<15} {'Dockerfile':<14} ok: {'; '.join(stack.built)}")


@pytest.mark.parametrize("name", BUILT)
def test_the_service_runs_natively(name: str, stack: Stack, smoke_summary: list[str]) -> None:
    if missing := SERVICES[name].missing_code:
        program = SERVICES[name].program
        smoke_summary.append(f"{name:<15} {program:<14} skipped: no code in this tree")
        pytest.skip(missing)
    process = stack.processes[name]
    with summarised(smoke_summary, process) as line:
        if process.skipped:
            pytest.fail(process.skipped)
        match process.service.program:
            case _ if process.service.one_shot:
                line.append(check_one_shot(process))
            case "gunicorn":
                line.append(check_web(process, stack))
            case "celery worker":
                line.append(check_worker(process))
            case "celery beat":
                line.append(check_beat(process))
            case other:
                pytest.fail(f"no check for {other} ({shlex.join(process.service.argv)})")
