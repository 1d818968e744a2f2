"""docker-compose.yml read the way `docker compose` reads it, for tests that run no Docker.

`load()` parses the file (YAML anchors and merge keys resolved) and interpolates every
string the way the Compose Specification says: `$$` is a literal `$`; `${VAR}`, `$VAR`,
`${VAR:-default}`, `${VAR-default}`, `${VAR:+other}`, `${VAR+other}`, `${VAR:?error}`
and `${VAR?error}` read the given variables. Nested expressions are not supported: the
file does not use them, and `load()` says so if it ever does.

`Service` gives one service's command as argv lists (a `sh -ec` script becomes one list
per line, as the shell runs them), its environment, healthcheck and what it waits for,
and whether this tree holds its code at all: the before shop's services have none where
the tree has no before/ (the after version alone, as on the refactor/10-after branch).
"""

import re
import shlex
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
BEFORE = ROOT / "before"
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-+?])(?P<argument>[^${}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>))"
)


class InterpolationError(ValueError):
    pass


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None and match["braced"] is None and match["bare"] is None:
            raise InterpolationError(f"Unsupported interpolation in {text!r}")
        name = match["braced"] or match["bare"]
        value = variables.get(name)
        operator, argument = match["operator"], match["argument"] or ""
        if operator is None:
            return value or ""
        present = value is not None and (value != "" or not operator.startswith(":"))
        match operator.lstrip(":"):
            case "-":
                return value if present and value is not None else argument
            case "+":
                return argument if present else ""
            case _:  # "?"
                if not present:
                    raise InterpolationError(f"${{{name}}} is required: {argument}")
                return value or ""

    return _VARIABLE.sub(replace, text)


def _interpolate_tree(node: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    return node


def raw() -> dict[str, Any]:
    """The file as YAML, anchors and merge keys resolved, nothing interpolated."""
    return dict(yaml.safe_load(COMPOSE_FILE.read_text()))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list | dict):
        for item in node.values() if isinstance(node, dict) else node:
            yield from _strings(item)


def variable_names() -> set[str]:
    """Every variable the file's values read (`$$` escapes are not variables)."""
    return {
        match["braced"] or match["bare"]
        for text in _strings(raw())
        for match in _VARIABLE.finditer(text)
        if match["braced"] or match["bare"]
    }


def load(variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The file as compose sees it with these variables set (defaults for the rest)."""
    return dict(_interpolate_tree(raw(), variables or {}))


@dataclass(frozen=True)
class Service:
    name: str
    spec: dict[str, Any]

    @property
    def missing_code(self) -> str:
        """Why this tree cannot run the service, or "" when it can: a service of the
        before shop where the tree has no before/."""
        settings = self.environment.get("DJANGO_SETTINGS_MODULE", "")
        if settings.partition(".")[0] == BEFORE.name and not BEFORE.is_dir():
            return (
                f"{self.name} runs the before shop ({settings}), and this tree has no "
                "before/ (the after version alone, as on refactor/10-after): not this "
                "tree's to check"
            )
        return ""

    @property
    def builds(self) -> bool:
        """Built from this repository (as opposed to an official image)."""
        return "build" in self.spec

    @property
    def build_paths(self) -> tuple[Path, Path]:
        """The build context and its Dockerfile."""
        build = self.spec["build"]
        if isinstance(build, str):
            build = {"context": build}
        context = ROOT / build.get("context", ".")
        return context, context / build.get("dockerfile", "Dockerfile")

    @property
    def one_shot(self) -> bool:
        return str(self.spec.get("restart", "no")) == "no"

    @property
    def environment(self) -> dict[str, str]:
        environment = self.spec.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        return {key: "" if value is None else str(value) for key, value in environment.items()}

    @property
    def argv(self) -> list[str]:
        command = self.spec.get("command", [])
        return shlex.split(command) if isinstance(command, str) else [str(x) for x in command]

    @property
    def steps(self) -> list[list[str]]:
        """The programs the command runs, in order: a `sh -c`/`-ec` script's lines, or
        the command itself."""
        argv = self.argv
        if len(argv) == 3 and argv[0] == "sh" and argv[1] in {"-c", "-ec", "-euc"}:
            return [shlex.split(line) for line in argv[2].splitlines() if line.strip()]
        return [argv]

    @property
    def program(self) -> str:
        """What kind of process it is: `manage.py`, `gunicorn`, `celery worker`, …"""
        first = self.steps[0]
        if first[0] == "celery":
            return f"celery {celery_subcommand(first)}"
        if first[:2] == ["python", "manage.py"]:
            return "manage.py"
        return first[0]

    @property
    def healthcheck(self) -> list[str] | None:
        """The healthcheck's test as argv (a CMD-SHELL test runs under `sh -c`)."""
        test = (self.spec.get("healthcheck") or {}).get("test")
        if test is None:
            return None
        if isinstance(test, str):
            return ["sh", "-c", test]
        kind, *rest = test
        return ["sh", "-c", rest[0]] if kind == "CMD-SHELL" else list(rest)

    @property
    def depends_on(self) -> dict[str, str]:
        """Each dependency and the condition it waits for."""
        depends = self.spec.get("depends_on") or {}
        if isinstance(depends, list):
            return dict.fromkeys(depends, "service_started")
        return {name: value.get("condition", "service_started") for name, value in depends.items()}

    @property
    def published_ports(self) -> list[tuple[str, str]]:
        """(host port, container port) pairs."""
        pairs = []
        for port in self.spec.get("ports", []):
            *_, host, container = str(port).split(":")
            pairs.append((host, container))
        return pairs


def services(compose: Mapping[str, Any]) -> Iterator[Service]:
    for name, spec in compose["services"].items():
        yield Service(name, spec)


def celery_subcommand(argv: list[str]) -> str:
    """`worker`, `beat` or `inspect` in `celery --app X worker …`."""
    rest = argv[1:]
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in {"--app", "-A", "-b", "--broker"} else rest[1:]
    return rest[0] if rest else ""


def celery_app(argv: list[str]) -> str:
    for flag in ("--app", "-A"):
        if flag in argv:
            return argv[argv.index(flag) + 1]
    raise ValueError(f"No --app in {argv}")


# ---------------------------------------------------------------- the Dockerfile and its context


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_instructions(path: Path) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def copied_sources(instruction: Instruction) -> list[str]:
    """The context paths a COPY or ADD reads (none when it copies from another stage)."""
    words = shlex.split(instruction.arguments)
    if any(word.startswith("--from") for word in words):
        return []
    return [word for word in words if not word.startswith("--")][:-1]


def image_environment(instructions: list[Instruction]) -> dict[str, str]:
    """What the image's ENV instructions set."""
    environment = {}
    for instruction in instructions:
        if instruction.keyword == "ENV":
            for word in shlex.split(instruction.arguments):
                key, _, value = word.partition("=")
                environment[key] = value
    return environment


def build_manage_steps(
    instructions: list[Instruction], workdir: Path
) -> list[tuple[dict[str, str], list[str]]]:
    """Each `python manage.py …` a RUN instruction runs, with the variables it exports or
    sets for it (commands split on `;`, as the Dockerfile writes them). `workdir` is the
    image's WORKDIR as `copy_into_image` laid it out: what stands in
    `if [ -d FOLDER ]; then …; fi` runs only where it holds FOLDER. Any other shell
    compound is refused rather than guessed at."""
    steps = []
    for instruction in instructions:
        if instruction.keyword != "RUN":
            continue
        exported: dict[str, str] = {}
        taken: list[bool] = []  # one per enclosing `if`: whether its test holds
        for command in instruction.arguments.split(";"):
            words = shlex.split(command)
            match words:
                case ["if", "[", "-d", folder, "]"] | ["if", "test", "-d", folder]:
                    taken.append((workdir / folder).is_dir())
                    continue
                case ["fi"]:
                    taken.pop()
                    continue
                case ["then", *rest]:
                    words = rest
                case ["if" | "elif" | "else" | "case" | "for" | "while" | "until", *_]:
                    raise ValueError(f"RUN: no emulation of {command.strip()!r}")
            if not all(taken):
                continue
            if words[:1] == ["export"]:
                exported.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
                continue
            assigned = {}
            while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
                key, _, value = words.pop(0).partition("=")
                assigned[key] = value
            if words[:2] == ["python", "manage.py"]:
                steps.append(({**exported, **assigned}, words))
    return steps


def _pattern(pattern: str) -> re.Pattern[str]:
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        else:
            regex += {"*": "[^/]*", "?": "[^/]"}.get(pattern[index], re.escape(pattern[index]))
            index += 1
    return re.compile(regex)


class DockerIgnore:
    """.dockerignore's rules: Docker's patterns, `**` and `!` exceptions included, the
    last matching line winning; a path is out when it or a folder above it is."""

    def __init__(self, context: Path) -> None:
        path = context / ".dockerignore"
        self.rules = []
        for line in path.read_text().splitlines() if path.exists() else []:
            line = line.strip()
            if line and not line.startswith("#"):
                self.rules.append((line.startswith("!"), _pattern(line.lstrip("!").strip("/"))))

    def ignores(self, relative: str) -> bool:
        parts = Path(relative).parts
        prefixes = ["/".join(parts[: length + 1]) for length in range(len(parts))]
        ignored = False
        for keep, pattern in self.rules:
            if any(pattern.fullmatch(prefix) for prefix in prefixes):
                ignored = not keep
        return ignored


def copy_into_image(context: Path, instructions: list[Instruction], workdir: Path) -> None:
    """Lay out what the Dockerfile's COPY instructions put in its WORKDIR, .dockerignore
    applied: the files the containers' commands find."""
    ignore = DockerIgnore(context)

    def left_out(directory: str, names: list[str]) -> list[str]:
        relative = Path(directory).relative_to(context)
        return [name for name in names if ignore.ignores(str(relative / name))]

    for instruction in instructions:
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        sources = copied_sources(instruction)
        if not sources:
            continue
        destination = shlex.split(instruction.arguments)[-1]
        for source in sources:
            origin, target = context / source, workdir / destination
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=left_out, dirs_exist_ok=True)
                continue
            if destination.endswith("/") or destination in {".", "./"}:
                target = target / origin.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target)
