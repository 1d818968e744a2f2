"""`make compare`: the before and after versions side by side, from real runs.

Prints a Markdown table (quoted by docs/refactoring.md) of:
- lines of code per layer (non-blank, non-comment lines of Python; no migrations, no tests);
- files and lines touched by three prepared changes: a partner payload format
  (`tests/measure/add_format/`), a partner payload option (`add_option/`: `omit_nulls`)
  and a new field on a hold (`add_hold_field/`: a customer's `note`, the case that
  costs the after version more). Each change is applied to a scratch copy of the
  repository, its test runs there, and the files it touched are counted with their
  changed lines (tests not counted; generated migrations count as files, not lines);
- the fastest meaningful test subset: its test count and wall time;
- queries per request on the main endpoints (`tests.measure.queries`, run under each
  version's settings);
- median latency of the main endpoints, both versions under gunicorn, each on a fresh
  database of the same engine (new databases on DATABASE_URL's PostgreSQL, else SQLite
  files), requests alternating between the two so that both see the same machine.

Run from the repository root with the project's virtualenv: `python -m tests.measure.compare`.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from tests.acceptance.conftest import ROOT, VERSIONS, Api, started

PYTHON = sys.executable
ROUNDS = int(os.environ.get("COMPARE_ROUNDS", "200"))  # timed requests per endpoint
MEASURE = Path(__file__).parent
# The prepared changes: the folder of each one's patches, and what the table calls it.
CHANGES = {
    "add_format": "a payload format",
    "add_option": "a payload option",
    "add_hold_field": "a field on a hold",
}

# What "a layer" is in each version: a name and the folders whose code it holds.
LAYERS: dict[str, list[tuple[str, list[str]]]] = {
    "after": [
        # Counted apart: the before version has no HTML storefront to compare it with.
        ("storefront (HTML pages, not in before)", ["adapters/storefront"]),
        ("Stripe adapter (not in before)", ["adapters/payments/stripe.py"]),
        ("domain", ["domain"]),
        ("application", ["application"]),
        ("in-memory fakes (tests/fakes)", ["tests/fakes"]),
        ("adapters: the rest", ["adapters"]),
        ("config", ["config"]),
    ],
    "before": [
        ("models", ["before/*/models.py"]),
        ("serializers", ["before/*/serializers.py"]),
        ("views", ["before/*/views.py", "before/*/authentication.py"]),
        ("the rest", ["before"]),  # whatever the rows above did not count
    ],
}

VERSIONS_ = ("before", "after")  # the table's column order

FAST_TESTS = {
    "after": (
        # as `make test-unit` runs it
        ["--disable-plugin-autoload", "-p", "no:logging", "tests/unit"],
        "unit suite, no database",
    ),
    "before": (["before", "--ds=before.settings"], "its own tests (database-bound)"),
}


# ---------------------------------------------------------------- lines of code


def code_lines(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def python_files(pattern: str) -> set[Path]:
    if "*" in pattern or pattern.endswith(".py"):
        found = set(ROOT.glob(pattern))
    else:
        found = set((ROOT / pattern).rglob("*.py"))
    return {
        path
        for path in found
        if "migrations" not in path.parts
        # Tests are not counted, but the in-memory fakes are: the after version asks
        # for them as it asks for its adapters.
        and ("tests" not in path.parts or pattern.startswith("tests/fakes"))
        and path.name != "conftest.py"
    }


def lines_per_layer(version: str) -> dict[str, int]:
    counted: set[Path] = set()
    figures = {}
    for layer, patterns in LAYERS[version]:
        files = set().union(*(python_files(pattern) for pattern in patterns)) - counted
        counted |= files
        figures[layer] = sum(code_lines(path) for path in files)
    figures["total"] = sum(lines for layer, lines in figures.items() if "not in" not in layer)
    return figures


# ---------------------------------------------------------------- prepared changes


def is_test(path: str) -> bool:
    return "test" in Path(path).name


def touched_by(patch: str) -> tuple[list[str], int]:
    """The source files a patch touches (tests left out) and its changed lines in them
    (generated migrations left out of the lines)."""
    files: list[str] = []
    lines = 0
    current = ""
    for line in patch.splitlines():
        if line.startswith("+++ b/"):
            current = line.removeprefix("+++ b/")
            if not is_test(current):
                files.append(current)
        elif (
            line.startswith(("+", "-"))
            and not line.startswith(("+++", "---"))
            and not is_test(current)
            and "migrations" not in Path(current).parts
        ):
            lines += 1
    return files, lines


def apply_a_change(change: str, version: str) -> tuple[int, int, str]:
    """Apply the prepared change to a scratch copy, prove it with its test, count
    the files and lines it touched."""
    patch = (MEASURE / change / f"{version}.patch").read_text()
    touched = re.findall(r"^\+\+\+ b/(\S+)", patch, flags=re.MULTILINE)
    test = next(path for path in touched if is_test(path))
    with tempfile.TemporaryDirectory(prefix=f"portside-{version}-{change}-") as scratch:
        copy = Path(scratch) / "repo"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(".venv", ".git", "var", "*.sqlite3", "__pycache__"),
        )
        run(["git", "apply", str(MEASURE / change / f"{version}.patch")], cwd=copy)
        if version == "before":
            plugins = ["--ds=before.settings"]
        elif test.startswith("tests/unit/"):
            plugins = ["-p", "no:django"]
        else:
            plugins = []
        run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins, test], cwd=copy)
    files, lines = touched_by(patch)
    return len(files), lines, ", ".join(f"`{path}`" for path in files)


# ---------------------------------------------------------------- tests


def fastest_tests(version: str) -> tuple[int, float]:
    args, _ = FAST_TESTS[version]
    began = time.perf_counter()
    output = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args])
    elapsed = time.perf_counter() - began
    passed = re.search(r"(\d+) passed", output)
    if passed is None:
        raise SystemExit(f"No pytest summary in:\n{output[-2000:]}")
    return int(passed.group(1)), elapsed


# ---------------------------------------------------------------- queries


def queries_per_request(version: str) -> dict[str, int]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": VERSIONS[version].settings}
    env.pop("DATABASE_URL", None)  # a throwaway SQLite database: the counts don't depend on it
    env.pop("SANDBOX_DATABASE_URL", None)
    output = run([PYTHON, "-m", "tests.measure.queries"], env=env)
    return dict(json.loads(output.strip().splitlines()[-1]))


# ---------------------------------------------------------------- latency


Request = tuple[str, Callable[[], requests.Response]]  # the endpoint's name, one call


def endpoints(api: Api) -> Iterator[list[Request]]:
    """The main endpoints in steps that can be repeated: a hold is cancelled again in
    the same step, so the slot never runs out of seats."""
    listing = api.get("/api/v1/listings/").json()["results"][1]
    starts_from = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    slots_path = f"/api/v1/listings/{listing['id']}/slots/"
    slot = api.get(slots_path, **{"from": starts_from}).json()["results"][0]
    reference = api.post("/api/v1/bookings/", {"lines": [{"slot_id": slot["id"], "seats": 1}]})
    booking = f"/api/v1/bookings/{reference.json()['reference']}/"
    held: list[str] = []

    def hold() -> requests.Response:
        response = api.post("/api/v1/bookings/", {"lines": [{"slot_id": slot["id"], "seats": 1}]})
        held.append(response.json()["reference"])
        return response

    def cancel() -> requests.Response:
        return api.post(f"/api/v1/bookings/{held.pop()}/cancel/")

    yield [("list listings", lambda: api.get("/api/v1/listings/"))]
    yield [("listing detail", lambda: api.get(f"/api/v1/listings/{listing['id']}/"))]
    yield [("list slots", lambda: api.get(slots_path, **{"from": starts_from}))]
    yield [("hold", hold), ("cancel a hold", cancel)]
    yield [("read a booking", lambda: api.get(booking))]
    yield [("list bookings", lambda: api.get("/api/v1/bookings/"))]


def median_latencies(workdir: Path) -> dict[str, dict[str, float]]:
    """Milliseconds per endpoint and version; each round times both versions in turn."""
    with ExitStack() as stack:
        servers = {}
        for name in ("after", "before"):
            (workdir / name).mkdir()
            # Hundreds of timed requests a minute from one address: no rate limits.
            servers[name] = stack.enter_context(
                started(
                    name,
                    workdir / name,
                    THROTTLE_ANON_RATE="off",
                    THROTTLE_CUSTOMER_RATE="off",
                    THROTTLE_PARTNER_RATE="off",
                )
            )
        apis = {name: Api(server.url) for name, server in servers.items()}
        for api in apis.values():
            api.register()
        plans = {name: list(endpoints(api)) for name, api in apis.items()}
        timings: dict[str, dict[str, list[float]]] = {name: {} for name in apis}
        for step in range(len(plans["after"])):
            for round_ in range(ROUNDS + 10):  # the first ten warm up and are not kept
                order = ("after", "before") if round_ % 2 else ("before", "after")
                for name in order:
                    for endpoint, call in plans[name][step]:
                        began = time.perf_counter()
                        response = call()
                        elapsed = (time.perf_counter() - began) * 1000
                        if response.status_code >= 400:
                            raise SystemExit(
                                f"{name} {endpoint}: {response.status_code} {response.text}"
                            )
                        if round_ >= 10:
                            timings[name].setdefault(endpoint, []).append(elapsed)
        return {
            name: {endpoint: statistics.median(values) for endpoint, values in per.items()}
            for name, per in timings.items()
        }


# ---------------------------------------------------------------- the table


def run(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| measure | before | after |", "|---|---:|---:|"]
    lines += [f"| {measure} | {before} | {after} |" for measure, before, after in rows]
    return "\n".join(lines)


def main() -> None:
    say = lambda text: sys.stderr.write(text + "\n")  # noqa: E731 - progress, not the table
    rows: list[tuple[str, str, str]] = []

    say("Counting lines of code…")
    loc = {version: lines_per_layer(version) for version in ("before", "after")}
    for version in ("before", "after"):
        for layer, lines in loc[version].items():
            if layer != "total":
                cells = (f"{lines:,}", "") if version == "before" else ("", f"{lines:,}")
                rows.append((f"lines of code: {version}'s {layer}", *cells))
    rows.append(
        (
            "lines of code: total (like for like)",
            f"{loc['before']['total']:,}",
            f"{loc['after']['total']:,}",
        )
    )

    changes: dict[str, dict[str, tuple[int, int, str]]] = {}
    for change, name in CHANGES.items():
        say(f"Adding {name} to a scratch copy of each version…")
        changes[change] = {version: apply_a_change(change, version) for version in VERSIONS_}
        before, after = (
            f"{files} file{'' if files == 1 else 's'}, {lines} lines"
            for files, lines, _ in changes[change].values()
        )
        rows.append((f"to add {name}: files, lines touched (tests not counted)", before, after))

    say("Running the fastest meaningful test subset of each version…")
    tests = {version: fastest_tests(version) for version in ("before", "after")}
    rows.append(
        (
            "fastest meaningful tests: count",
            f"{tests['before'][0]} ({FAST_TESTS['before'][1]})",
            f"{tests['after'][0]} ({FAST_TESTS['after'][1]})",
        )
    )
    rows.append(
        (
            "fastest meaningful tests: wall time",
            f"{tests['before'][1]:.1f} s",
            f"{tests['after'][1]:.1f} s",
        )
    )

    say("Counting queries per request…")
    queries = {version: queries_per_request(version) for version in ("before", "after")}
    for endpoint in queries["after"]:
        rows.append(
            (
                f"queries: {endpoint}",
                str(queries["before"][endpoint]),
                str(queries["after"][endpoint]),
            )
        )

    say(f"Timing {ROUNDS} rounds per endpoint under gunicorn…")
    with tempfile.TemporaryDirectory(prefix="portside-compare-") as workdir:
        latency = median_latencies(Path(workdir))
    for endpoint in latency["after"]:
        rows.append(
            (
                f"median latency: {endpoint}",
                f"{latency['before'][endpoint]:.1f} ms",
                f"{latency['after'][endpoint]:.1f} ms",
            )
        )

    database = os.environ.get("DATABASE_URL", "").split("://")[0] or "sqlite"
    say("")
    sys.stdout.write(table(rows) + "\n\n")
    sys.stdout.write(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, latency on {database}.\n"
    )
    for change, name in CHANGES.items():
        sys.stdout.write(
            f"\nFiles touched to add {name}: "
            + "; ".join(f"{version}: {changes[change][version][2]}" for version in VERSIONS_)
            + "\n"
        )


if __name__ == "__main__":
    main()
