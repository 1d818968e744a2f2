"""Resolve a compose service's programs without running them.

`python -m tests.smoke.entrypoints '<json list of argv lists>'`, run from the project
folder with the service's environment, prints a JSON list: for each program what resolved
(`resolved`) or what did not (`problem`). For each program:
- `python manage.py NAME ARGS`: the settings load, NAME is a management command, its
  parser accepts ARGS, and a `--database` alias exists.
- `gunicorn ARGS MODULE`: gunicorn's parser accepts ARGS, the `--config` file exists and
  every value in it is a valid gunicorn setting, MODULE imports and has `application`.
- `celery --app MODULE SUB ARGS`: MODULE imports and holds a Celery app, the `SUB`
  command's parser accepts ARGS, every task in the beat schedule is registered, and so
  is the sandbox provider's event task when the sandbox is mounted.
- `python -c CODE`: CODE compiles.
Anything else (the official images' `pg_isready`, `redis-cli`) is not this project's.
"""

import contextlib
import importlib
import io
import json
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_TASK = "payment_sandbox.deliver_event"


def check_manage(args: list[str]) -> str:
    import django
    from django.conf import settings
    from django.core.management import get_commands, load_command_class

    django.setup()
    name, *rest = args
    commands = get_commands()
    if name not in commands:
        raise LookupError(f"manage.py has no command {name!r}")
    command = load_command_class(commands[name], name)
    command.create_parser("manage.py", name).parse_args(rest)
    if "--database" in rest:
        alias = rest[rest.index("--database") + 1]
        if alias not in settings.DATABASES:
            raise LookupError(f"no database alias {alias!r} in {settings.SETTINGS_MODULE}")
    return f"manage.py {name} ({settings.SETTINGS_MODULE})"


def check_gunicorn(args: list[str]) -> str:
    from gunicorn.config import Config

    config = Config()
    with contextlib.redirect_stderr(io.StringIO()) as errors:
        try:
            parsed = config.parser().parse_args(args)
        except SystemExit:
            raise ValueError(errors.getvalue().strip().splitlines()[-1]) from None
    if parsed.config:
        path = ROOT / parsed.config
        if not path.is_file():
            raise FileNotFoundError(f"gunicorn config {parsed.config} does not exist")
        for key, value in runpy.run_path(str(path)).items():
            if key in config.settings:
                config.set(key, value)  # validates the value
    (target,) = parsed.args
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    if not callable(getattr(module, attribute or "application", None)):
        raise LookupError(f"{module_name} has no WSGI application")
    return f"gunicorn {target} with {parsed.config or 'no config file'}"


def check_celery(args: list[str]) -> str:
    import django
    from celery import Celery
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as cli
    from django.conf import settings

    from tests.smoke.compose import celery_app, celery_subcommand

    django.setup()
    app_name, name = celery_app(["celery", *args]), celery_subcommand(["celery", *args])
    module = importlib.import_module(app_name)
    app = getattr(module, "app", None) or getattr(module, "celery", None)
    if not isinstance(app, Celery):
        raise LookupError(f"{app_name} holds no Celery app named app or celery")
    split = args.index(name)
    context = cli.make_context("celery", args[:split], resilient_parsing=False)
    context.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    subcommand = cli.get_command(context, name)
    if subcommand is None:
        raise LookupError(f"celery has no command {name!r}")
    subcommand.make_context(name, args[split + 1 :], parent=context)
    app.loader.import_default_modules()
    wanted = {entry["task"] for entry in app.conf.beat_schedule.values()}
    if settings.PAYMENTS_SANDBOX_ENABLED and settings.CELERY_BROKER_URL:
        wanted.add(SANDBOX_TASK)
    missing = sorted(wanted - set(app.tasks))
    if missing:
        raise LookupError(f"{app_name} does not register {', '.join(missing)}")
    return f"celery {name} ({app_name}: {len(wanted)} scheduled and sent tasks registered)"


def check(argv: list[str]) -> str | None:
    match argv:
        case ["python", "manage.py", *args]:
            return check_manage(args)
        case ["python", "-c", code]:
            compile(code, "<healthcheck>", "exec")
            return "python -c (compiles)"
        case ["gunicorn", *args]:
            return check_gunicorn(args)
        case ["celery", *args]:
            return check_celery(args)
    return None


def main(steps: list[list[str]]) -> list[dict[str, str | None]]:
    """For each program: what resolved (None: not this project's) or the problem."""
    outcomes: list[dict[str, str | None]] = []
    for argv in steps:
        try:
            outcomes.append({"resolved": check(argv), "problem": None})
        except BaseException as error:  # SystemExit from a parser, CommandError, …
            problem = f"{' '.join(argv)}: {type(error).__name__}: {error}"
            outcomes.append({"resolved": None, "problem": problem})
    return outcomes


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    print(json.dumps(main(json.loads(sys.argv[1]))))  # noqa: T201
