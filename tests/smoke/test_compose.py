"""docker-compose.yml and the Dockerfile, proved where no Docker engine runs.

- The compose file, interpolated with its defaults as `docker compose` would, is valid
  against the Compose Specification's JSON schema. `compose-spec.json` beside this file
  is a copy of the schema from the compose-spec project
  (https://github.com/compose-spec/compose-spec), licensed under the Apache License 2.0.
- Every build context and Dockerfile exists; every path the Dockerfile copies exists
  and is not kept out of the build context by .dockerignore, and so does every file a
  service's command names.
- Every service's programs resolve in a subprocess with that service's environment:
  management commands exist and accept their arguments, gunicorn's config and WSGI
  module load, Celery apps import and register every scheduled task
  (`tests/smoke/entrypoints.py`).
- The wiring holds together: dependencies wait on healthchecks or finished one-shots,
  each shop has its own database, broker, worker and single beat, every variable set
  is one the code reads and every variable the file reads is in .env.example, and the
  addresses the browser and the other containers use reach the web servers.
- Where the tree has no before/ (the after version alone, as on refactor/10-after), the
  before shop's services have no code here: what loads their code is skipped, saying
  so; the checks that read only the compose file still cover them.

`test_compose_commands.py` then runs each service's command for real.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft7Validator

from tests.smoke import compose
from tests.smoke.compose import ROOT, Service

COMPOSE = compose.load()
SERVICES = {service.name: service for service in compose.services(COMPOSE)}
BUILT = [name for name, service in SERVICES.items() if service.builds]
# The built services whose code this tree holds (all of them where before/ is present).
RUNNABLE = [name for name in BUILT if not SERVICES[name].missing_code]
WEB = [name for name in BUILT if SERVICES[name].program == "gunicorn"]
SHARED_SCHEMA = ROOT.parent / "shared" / "compose-spec.json"
# Read by Django, Celery or gunicorn themselves rather than by a settings module.
READ_ELSEWHERE = {"DJANGO_SETTINGS_MODULE"}
ENV_READ = re.compile(
    r"""(?:environ(?:\.get)?|getenv|env_bool|env_list|env_int)\s*[(\[]\s*["']([A-Z][A-Z0-9_]*)["']"""
)


def url_hosts(environment: dict[str, str]) -> set[str]:
    return {
        urlsplit(value).hostname or ""
        for value in environment.values()
        if re.match(r"^[a-z][a-z0-9+.-]*://", value)
    }


def version_of(service: Service) -> str:
    return service.environment.get("DJANGO_SETTINGS_MODULE", "")


def in_version(version: str, program: str) -> list[Service]:
    return [
        service
        for service in SERVICES.values()
        if service.builds and version_of(service) == version and service.program == program
    ]


# ---------------------------------------------------------------- the file itself


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(compose.SCHEMA_FILE.read_text())
    errors = sorted(
        Draft7Validator(schema).iter_errors(COMPOSE), key=lambda error: list(error.path)
    )
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.path)) or '(top)'}: {error.message}" for error in errors
    )


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no ../shared/compose-spec.json here")
def test_the_schema_copy_matches_the_shared_one() -> None:
    assert compose.SCHEMA_FILE.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_every_variable_the_file_reads_is_in_env_example() -> None:
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert compose.variable_names() - documented == set()


# ---------------------------------------------------------------- the image


def test_build_contexts_and_dockerfiles_exist() -> None:
    assert BUILT, "no service builds the project's image"
    for name in BUILT:
        context, dockerfile = SERVICES[name].build_paths
        assert context.is_dir(), f"{name}: no build context {context}"
        assert dockerfile.is_file(), f"{name}: no Dockerfile {dockerfile}"


def dockerfiles() -> set[tuple[Path, Path]]:
    return {SERVICES[name].build_paths for name in BUILT}


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each Dockerfile's image WORKDIR as its COPY instructions lay it out."""
    laid_out = {}
    for context, dockerfile in dockerfiles():
        workdir = tmp_path_factory.mktemp("image")
        compose.copy_into_image(context, compose.dockerfile_instructions(dockerfile), workdir)
        laid_out[dockerfile] = workdir
    return laid_out


def test_every_copied_path_exists_and_reaches_the_build_context() -> None:
    for context, dockerfile in dockerfiles():
        sources = [
            source
            for instruction in compose.dockerfile_instructions(dockerfile)
            if instruction.keyword in {"COPY", "ADD"}
            for source in compose.copied_sources(instruction)
        ]
        assert sources, f"{dockerfile} copies nothing"
        for source in sources:
            assert (context / source).exists(), f"{dockerfile}: COPY {source}: no such path"
            assert not compose.DockerIgnore(context).ignores(source), (
                f"{dockerfile}: COPY {source}, but .dockerignore leaves it out"
            )


def test_files_the_commands_name_are_in_the_image(images: dict[Path, Path]) -> None:
    for name in BUILT:
        context, dockerfile = SERVICES[name].build_paths
        named = [
            word
            for step in SERVICES[name].steps
            for word in step
            if word.endswith(".py")  # manage.py, config/gunicorn.py
        ]
        for path in named:
            assert (context / path).is_file(), f"{name}: {path} does not exist"
            assert not compose.DockerIgnore(context).ignores(path), (
                f"{name}: .dockerignore leaves {path} out of the image"
            )
            assert (images[dockerfile] / path).is_file(), (
                f"{name}: {path} is not copied into the image"
            )


def test_the_image_is_slim_python_313_and_runs_unprivileged() -> None:
    for _, dockerfile in dockerfiles():
        instructions = compose.dockerfile_instructions(dockerfile)
        bases = [i.arguments for i in instructions if i.keyword == "FROM"]
        assert bases, f"{dockerfile} has no FROM"
        assert bases[-1].split()[0] == "python:3.13-slim", bases
        users = [i.arguments for i in instructions if i.keyword == "USER"]
        assert users, "the image runs as root"
        assert users[-1] not in {"root", "0", "0:0"}, "the image runs as root"
        runs = " ".join(i.arguments for i in instructions if i.keyword == "RUN")
        assert "-r requirements/base.txt" in runs or "--requirement requirements/base.txt" in runs
        assert "collectstatic" in runs


# ---------------------------------------------------------------- commands resolve


def programs(service: Service) -> list[list[str]]:
    """The service's command's programs, then its healthcheck's."""
    steps = list(service.steps)
    health = service.healthcheck
    if health:
        steps.append(shlex.split(health[2]) if health[:2] == ["sh", "-c"] else health)
    return steps


def resolve(environment: dict[str, str], steps: list[list[str]]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.smoke.entrypoints", json.dumps(steps)],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return list(json.loads(result.stdout.splitlines()[-1]))


@pytest.fixture(scope="module")
def resolved() -> dict[str, list[dict[str, Any]]]:
    """Each built service's programs resolved; one subprocess per distinct environment
    (a shop's services share theirs), as loading Django and Celery takes seconds."""
    groups: dict[str, list[str]] = {}
    for name in RUNNABLE:
        key = json.dumps(SERVICES[name].environment, sort_keys=True)
        groups.setdefault(key, []).append(name)
    outcomes = {}
    for key, names in groups.items():
        steps = [programs(SERVICES[name]) for name in names]
        flat = resolve(json.loads(key), [step for group in steps for step in group])
        for name, group in zip(names, steps, strict=True):
            outcomes[name], flat = flat[: len(group)], flat[len(group) :]
    return outcomes


@pytest.mark.parametrize("name", BUILT)
def test_every_program_of_the_service_resolves(
    name: str, resolved: dict[str, list[dict[str, Any]]]
) -> None:
    if SERVICES[name].missing_code:
        pytest.skip(SERVICES[name].missing_code)
    problems = [outcome["problem"] for outcome in resolved[name] if outcome["problem"]]
    assert problems == []
    unresolved = [
        " ".join(step)
        for step, outcome in zip(programs(SERVICES[name]), resolved[name], strict=True)
        if not outcome["resolved"]
    ]
    assert unresolved == [], "programs this test cannot check"


def test_the_dockerfile_management_commands_resolve(images: dict[Path, Path]) -> None:
    for _, dockerfile in dockerfiles():
        instructions = compose.dockerfile_instructions(dockerfile)
        steps = compose.build_manage_steps(instructions, images[dockerfile])
        assert steps, f"{dockerfile} runs no management command"
        for environment, argv in steps:
            (outcome,) = resolve({**compose.image_environment(instructions), **environment}, [argv])
            assert outcome["problem"] is None
            assert outcome["resolved"]


# ---------------------------------------------------------------- wiring


def test_dependencies_wait_for_health_or_completion() -> None:
    for service in SERVICES.values():
        for dependency, condition in service.depends_on.items():
            assert dependency in SERVICES, f"{service.name} depends on unknown {dependency}"
            if condition == "service_healthy":
                assert SERVICES[dependency].healthcheck, f"{dependency} has no healthcheck"
            elif condition == "service_completed_successfully":
                assert SERVICES[dependency].one_shot, f"{dependency} is no one-shot"
            else:
                pytest.fail(f"{service.name} waits for {dependency} only to start")


def reachable_dependencies(name: str) -> set[str]:
    seen: set[str] = set()
    pending = list(SERVICES[name].depends_on)
    while pending:
        dependency = pending.pop()
        if dependency not in seen:
            seen.add(dependency)
            pending.extend(SERVICES[dependency].depends_on)
    return seen


@pytest.mark.parametrize("name", BUILT)
def test_the_service_starts_after_what_it_needs(name: str) -> None:
    service = SERVICES[name]
    infrastructure = {other for other, spec in SERVICES.items() if not spec.builds}
    if service.one_shot:
        needed = {"db"} & infrastructure
    else:
        needed = url_hosts(service.environment) & infrastructure
        (migrate,) = [
            one_shot.name
            for one_shot in in_version(version_of(service), "manage.py")
            if one_shot.one_shot
        ]
        assert service.depends_on.get(migrate) == "service_completed_successfully"
    assert needed <= reachable_dependencies(name)


def test_every_long_running_service_has_a_healthcheck() -> None:
    for service in SERVICES.values():
        if not service.one_shot:
            assert service.healthcheck, f"{service.name} has no healthcheck"


def test_each_shop_has_its_own_database_broker_worker_and_one_beat() -> None:
    versions = {version_of(SERVICES[name]) for name in BUILT}
    assert len(versions) == 2, versions
    databases, brokers = set(), set()
    for version in versions:
        members = [SERVICES[name] for name in BUILT if version_of(SERVICES[name]) == version]
        shared = {
            (s.environment["DATABASE_URL"], s.environment["CELERY_BROKER_URL"]) for s in members
        }
        assert len(shared) == 1, f"{version}'s services disagree on database or broker"
        ((database, broker),) = shared
        databases.add(database)
        brokers.add(broker)
        assert len(in_version(version, "gunicorn")) == 1
        assert len(in_version(version, "celery worker")) >= 1
        # Two beats on one broker would send every scheduled task twice.
        assert len(in_version(version, "celery beat")) == 1
    assert len(databases) == len(brokers) == 2, "the shops share a database or a broker"


def test_every_database_the_shops_use_is_created() -> None:
    """The db service creates POSTGRES_DB itself, and runs the SQL files mounted in
    /docker-entrypoint-initdb.d when its volume is new: together, every shop's database."""
    db = SERVICES["db"]
    created = {db.environment["POSTGRES_DB"]}
    for config in db.spec.get("configs", []):
        if str(config["target"]).startswith("/docker-entrypoint-initdb.d/"):
            sql = COMPOSE["configs"][config["source"]]["content"]
            created |= set(re.findall(r'CREATE DATABASE "?([A-Za-z0-9_]+)"?', sql))
    for name in BUILT:
        url = urlsplit(SERVICES[name].environment["DATABASE_URL"])
        assert url.hostname == "db", f"{name} uses a database outside compose"
        assert url.path.strip("/") in created, f"{name}: nothing creates {url.path}"
        assert url.username == db.environment["POSTGRES_USER"]
        assert url.password == db.environment["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("name", BUILT)
def test_every_variable_set_is_one_the_code_reads(name: str) -> None:
    if SERVICES[name].missing_code:
        pytest.skip(SERVICES[name].missing_code)
    read = set(READ_ELSEWHERE) | set(ENV_READ.findall((ROOT / "config/gunicorn.py").read_text()))
    environment = SERVICES[name].environment
    settings_file = ROOT / (environment["DJANGO_SETTINGS_MODULE"].replace(".", "/") + ".py")
    known = read | set(ENV_READ.findall(settings_file.read_text()))
    assert set(environment) - known == set(), f"{name} sets variables nobody reads"


@pytest.mark.parametrize("name", WEB)
def test_the_browser_and_the_other_containers_reach_the_web_server(name: str) -> None:
    environment = SERVICES[name].environment
    port = environment["PORT"]
    # The sandbox builds its pay page's address from the host and port the shop calls it
    # on: localhost inside the container must be the browser's localhost:PORT too.
    assert SERVICES[name].published_ports == [(port, port)]
    for setting in ("PAYMENTS_SANDBOX_URL", "PAYMENTS_RETURN_URL"):
        if environment.get(setting):
            where = urlsplit(environment[setting])
            assert (where.hostname, str(where.port)) == ("localhost", port), setting
    # The worker posts the sandbox's webhooks to PORTSIDE_BASE_URL: the service's name.
    base = urlsplit(environment["PORTSIDE_BASE_URL"])
    assert (base.hostname, str(base.port)) == (name, port)
    allowed = environment["DJANGO_ALLOWED_HOSTS"].split(",")
    assert {name, "localhost"} <= set(allowed)
    assert name in environment["WEBHOOK_ALLOWED_HOSTS"].split(",")
    assert environment["PARTNER_INBOX_ENABLED"] == environment["WEBHOOK_ALLOW_HTTP"] == "1"
    assert environment["DJANGO_DEBUG"] == "0"
    workers = in_version(version_of(SERVICES[name]), "celery worker")
    assert all(
        worker.environment["CELERY_BROKER_URL"] == environment["CELERY_BROKER_URL"]
        for worker in workers
    )
