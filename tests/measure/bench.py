"""`make bench`: both versions under load, alike, on the same PostgreSQL server.

Both versions start under gunicorn with the same flags (`started()` from the acceptance
suite: 2 workers x 4 threads, gthread, no access log), each on a fresh database of its
own on the PostgreSQL server DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432/portside), with the demo data. wrk
(https://github.com/wg/wrk; Debian's `wrk` package) then drives one endpoint of one
version at a time on loopback, with `tests/measure/bench.lua`:

- list listings: GET /api/v1/listings/
- list slots: GET /api/v1/listings/{id}/slots/?from=…
- hold and cancel: POST /api/v1/bookings/ for one seat, then POST …/cancel/ for it;
  the holds go round-robin over every demo slot, so none runs out of seats. The row's
  latency and req/s are over both kinds of request.
- read a booking: GET /api/v1/bookings/{reference}/

Requests that need a customer send a registered customer's token. The after version's
rate limits (THROTTLE_*_RATE) are turned off: the before version has none, and a
benchmark's few callers would only measure the 429s. Per endpoint, both
versions are warmed up, then timed in rounds that alternate between them (before,
after; then after, before; …) so both see the machine in the same state. A round
reports req/s, p50 and p99 (wrk's own histogram), and the CPU time the server's
processes (gunicorn's master and workers, from /proc) spent per request in it; the
table shows the median of the rounds, and the spread of req/s over them as a measure
of the noise. CPU per request is the steadier figure on a shared machine: other
processes slow a round down, but spend none of the server's CPU time. Any non-2xx answer
or socket error fails the run. Queries per request come from `tests.measure.queries`.

Environment: BENCH_SECONDS (per round, default 10), BENCH_ROUNDS (default 3),
BENCH_WARMUP (seconds, default 3), BENCH_CONNECTIONS (default 8, the server's 2 x 4
threads), DATABASE_URL.
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.acceptance.conftest import POSTGRES_SCHEMES, Api, Server, started
from tests.measure.compare import queries_per_request

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portside"
SCRIPT = Path(__file__).with_name("bench.lua")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
VERSIONS = ("before", "after")
# The after version's throttles (config/settings.py), off; the before version has none.
NO_LIMITS = {f"THROTTLE_{scope}_RATE": "off" for scope in ("ANON", "CUSTOMER", "PARTNER")}
# The endpoints, and which of tests.measure.queries' counts belong to each.
QUERIES = {
    "list listings": ["list listings"],
    "list slots": ["list slots"],
    "hold and cancel": ["hold", "cancel a hold"],
    "read a booking": ["read a booking"],
}


@dataclass(frozen=True)
class Load:
    """One endpoint of one running version, as wrk is to drive it."""

    url: str
    env: dict[str, str]
    server_pid: int | None = None  # gunicorn's master, whose CPU time is counted


@dataclass
class Rounds:
    """What wrk measured, round by round, for one endpoint of one version."""

    per_second: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the server's, per request

    def add(self, result: dict[str, int], cpu_seconds: float | None) -> None:
        self.per_second.append(result["requests"] / (result["duration_us"] / 1e6))
        self.p50_ms.append(result["p50_us"] / 1000)
        self.p99_ms.append(result["p99_us"] / 1000)
        if cpu_seconds is not None:
            self.cpu_ms.append(1000 * cpu_seconds / result["requests"])

    def spread(self) -> float:
        """Half the range of req/s over the rounds, as a percentage of their median."""
        middle = statistics.median(self.per_second)
        return 50 * (max(self.per_second) - min(self.per_second)) / middle


def say(text: str) -> None:
    sys.stderr.write(text + "\n")


def wrk(load: Load, seconds: int) -> dict[str, int]:
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(SCRIPT),
        load.url,
    ]
    result = subprocess.run(
        command, env={**os.environ, **load.env}, capture_output=True, text=True, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    measured: dict[str, int] = json.loads(lines[-1])
    if measured["non_2xx_3xx"] or measured["socket_errors"]:
        raise SystemExit(f"{load.url}: errors under load: {measured}\n{result.stdout}")
    return measured


def cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU time of process `pid` and its children (gunicorn's workers),
    from /proc; None where there is no /proc."""
    if pid is None or not Path("/proc/self/stat").exists():
        return None
    total_ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        process, parent = int(stat.parent.name), int(fields[1])
        if pid in (process, parent):
            total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return total_ticks / os.sysconf("SC_CLK_TCK")


def timed_round(load: Load, seconds: int) -> tuple[dict[str, int], float | None]:
    """wrk's figures for one round, and the CPU seconds the server spent in it."""
    started_cpu = cpu_seconds(load.server_pid)
    result = wrk(load, seconds)
    ended_cpu = cpu_seconds(load.server_pid)
    if started_cpu is None or ended_cpu is None:
        return result, None
    return result, ended_cpu - started_cpu


def all_slot_ids(api: Api) -> list[str]:
    ids = []
    for listing in every(api, "/api/v1/listings/"):
        ids += [slot["id"] for slot in every(api, f"/api/v1/listings/{listing['id']}/slots/")]
    return ids


def every(api: Api, path: str) -> list[dict[str, str]]:
    items, url = [], path
    while url:
        page = api.get(url).json()
        items += page["results"]
        url = page["next"]
    return items


def loads(server: Server) -> dict[str, Load]:
    """The endpoints of one version, with a customer of its own and one booking to read."""
    api = Api(server.url)
    api.register()
    token = api.headers["Authorization"].removeprefix("Token ")
    listing = api.get("/api/v1/listings/").json()["results"][1]
    starts_from = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    slots_url = f"{server.url}/api/v1/listings/{listing['id']}/slots/"
    slot_ids = all_slot_ids(api)
    held = api.post("/api/v1/bookings/", {"lines": [{"slot_id": slot_ids[-1], "seats": 1}]})
    if held.status_code != 201:
        raise SystemExit(f"Could not hold a booking to read: {held.status_code} {held.text}")
    pid = server.pid
    return {
        "list listings": Load(f"{server.url}/api/v1/listings/", {}, pid),
        "list slots": Load(f"{slots_url}?{urlencode({'from': starts_from})}", {}, pid),
        "hold and cancel": Load(
            f"{server.url}/api/v1/bookings/",
            {"BENCH_METHOD": "HOLD", "BENCH_TOKEN": token, "BENCH_SLOTS": ",".join(slot_ids)},
            pid,
        ),
        "read a booking": Load(
            f"{server.url}/api/v1/bookings/{held.json()['reference']}/",
            {"BENCH_TOKEN": token},
            pid,
        ),
    }


def measure(plans: dict[str, dict[str, Load]]) -> dict[str, dict[str, Rounds]]:
    results: dict[str, dict[str, Rounds]] = {}
    for endpoint in QUERIES:
        say(f"{endpoint}: warm-up {WARMUP} s each, then {ROUNDS} x {SECONDS} s each, alternating")
        for version in VERSIONS:
            wrk(plans[version][endpoint], WARMUP)
        results[endpoint] = {version: Rounds() for version in VERSIONS}
        for round_ in range(ROUNDS):
            order = VERSIONS if round_ % 2 == 0 else VERSIONS[::-1]
            for version in order:
                results[endpoint][version].add(*timed_round(plans[version][endpoint], SECONDS))
    return results


def table(results: dict[str, dict[str, Rounds]], queries: dict[str, dict[str, int]]) -> str:
    lines = [
        "| endpoint | version | req/s (± spread) | p50 | p99 | server CPU/request "
        "| after/before req/s | after/before p50 | after/before CPU | queries/request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for endpoint, per_version in results.items():
        medians = {
            version: (
                statistics.median(rounds.per_second),
                statistics.median(rounds.p50_ms),
                statistics.median(rounds.p99_ms),
                statistics.median(rounds.cpu_ms) if rounds.cpu_ms else None,
            )
            for version, rounds in per_version.items()
        }
        for version in VERSIONS:
            per_second, p50, p99, cpu = medians[version]
            ratios = ["", "", ""]
            if version == "after":
                cpu_before = medians["before"][3]
                ratios = [
                    f"{per_second / medians['before'][0]:.2f}",
                    f"{p50 / medians['before'][1]:.2f}",
                    f"{cpu / cpu_before:.2f}" if cpu and cpu_before else "",
                ]
            cpu_cell = f"{cpu:.1f} ms" if cpu is not None else "n/a"
            counted = " + ".join(str(queries[version][name]) for name in QUERIES[endpoint])
            spread = per_version[version].spread()
            lines.append(
                f"| {endpoint} | {version} | {per_second:,.0f} (± {spread:.0f} %)"
                f" | {p50:.1f} ms | {p99:.1f} ms | {cpu_cell} | {ratios[0]} | {ratios[1]}"
                f" | {ratios[2]} | {counted} |"
            )
    return "\n".join(lines)


def machine(database_url: str, load_before: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    import gunicorn
    import psycopg

    with psycopg.connect(database_url, dbname="postgres") as connection:
        row = connection.execute("SHOW server_version").fetchone()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {cpu}, {os.cpu_count()} cores, "
        f"{memory_kb / 1024 / 1024:.0f} GiB; PostgreSQL {row[0] if row else '?'} on the same "
        f"machine; Python {platform.python_version()}; gunicorn {gunicorn.__version__}, 2 "
        f"workers x 4 threads (gthread) for each version; "
        f"{(wrk_version.stdout or wrk_version.stderr).split(' Copyright')[0].strip()}, "
        f"1 thread, {CONNECTIONS} connections, {ROUNDS} rounds of {SECONDS} s per endpoint "
        f"and version after {WARMUP} s of warm-up. Load average (1, 5, 15 min) before: "
        f"{load_before}; after: {load_average()}."
    )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit(
            "make bench needs wrk, the HTTP load generator: `sudo apt-get install wrk` on "
            "Debian or Ubuntu, `brew install wrk` on macOS (https://github.com/wg/wrk)."
        )
    database_url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if urlsplit(database_url).scheme not in POSTGRES_SCHEMES:
        raise SystemExit(f"make bench runs on PostgreSQL; DATABASE_URL is {database_url!r}.")
    load_before = load_average()
    say("Counting queries per request…")
    queries = {version: queries_per_request(version) for version in VERSIONS}
    with tempfile.TemporaryDirectory(prefix="portside-bench-") as workdir, ExitStack() as stack:
        plans = {}
        for version in VERSIONS:
            say(f"Starting the {version} version on a fresh PostgreSQL database…")
            (Path(workdir) / version).mkdir()
            server = stack.enter_context(started(version, Path(workdir) / version, **NO_LIMITS))
            plans[version] = loads(server)
        results = measure(plans)
    say("")
    sys.stdout.write(table(results, queries) + "\n\n" + machine(database_url, load_before) + "\n")


if __name__ == "__main__":
    main()
