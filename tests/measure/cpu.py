"""CPU time per request of each version, in-process: what `make bench` measures in
requests per second, without the noise of a shared machine.

`python -m tests.measure.cpu` runs each version in its own process (its settings
module), on a throwaway SQLite database with the demo data, and sends every endpoint's
request through Django's test client (the whole middleware stack, no socket) N times
in a run, timing the run with `time.process_time()`. The versions' processes alternate
for several rounds; a figure is the fastest run of all rounds, in milliseconds of CPU
per request: other processes can only make a run slower, never faster.

`python -m tests.measure.cpu --instructions` counts machine instructions per request
instead, with valgrind's callgrind (Debian's `valgrind` package): each version's
process runs uninstrumented through its setup and warm-up, then counting is switched
on (`callgrind_control`) around CPU_INSTRUCTION_REQUESTS requests (default 40). The
count is the same whatever else the machine does, so a change of a few percent shows;
it leaves out what the CPU's caches make of those instructions.

`python -m tests.measure.cpu --profile "read a booking"` prints a cProfile of that
endpoint in the after version instead (sorted by cumulative time).
"""

import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tests.measure.queries import demo_shop, prepare_environment

SETTINGS = {
    "before": os.environ.get("CPU_BEFORE_SETTINGS", "before.settings"),
    "after": os.environ.get("CPU_AFTER_SETTINGS", "config.settings"),
}
REQUESTS = int(os.environ.get("CPU_REQUESTS", "300"))  # per run
RUNS = int(os.environ.get("CPU_RUNS", "3"))  # per round, per version
ROUNDS = int(os.environ.get("CPU_ROUNDS", "3"))
INSTRUCTION_REQUESTS = int(os.environ.get("CPU_INSTRUCTION_REQUESTS", "40"))


def endpoints() -> dict[str, Callable[[], Any]]:
    """Each endpoint's request, ready to send, on a migrated database with the demo data."""
    shop = demo_shop()
    client, auth = shop.client, shop.auth
    reference = shop.hold().json()["reference"]

    def expect(status: int, send: Callable[[], Any]) -> Callable[[], Any]:
        def sent() -> Any:
            response = send()
            if response.status_code != status:
                raise SystemExit(f"Expected {status}, got {response.status_code}")
            return response

        return sent

    def hold_and_cancel() -> Any:
        cancel = f"/api/v1/bookings/{shop.hold().json()['reference']}/cancel/"
        return client.post(cancel, content_type="application/json", **auth)

    return {
        "list listings": expect(200, lambda: client.get("/api/v1/listings/")),
        "list slots": expect(200, lambda: client.get(shop.slots_url, {"from": shop.starts_from})),
        "read a booking": expect(200, lambda: client.get(f"/api/v1/bookings/{reference}/", **auth)),
        "list bookings": expect(200, lambda: client.get("/api/v1/bookings/", **auth)),
        "hold and cancel": expect(200, hold_and_cancel),
    }


ENDPOINT_NAMES = (
    "list listings",
    "list slots",
    "read a booking",
    "list bookings",
    "hold and cancel",
)


def timed(send: Callable[[], Any], count: int) -> float:
    """Milliseconds of CPU per request over `count` requests."""
    started = time.process_time()
    for _ in range(count):
        send()
    return (time.process_time() - started) * 1000 / count


def worker() -> None:
    """In a version's process: the fastest of RUNS runs per endpoint, as JSON."""
    only = os.environ.get("CPU_ENDPOINTS")
    sends = endpoints()
    figures = {}
    for name, send in sends.items():
        if only and name not in only.split(","):
            continue
        timed(send, 20)  # warm-up: imports, first queries, caches
        figures[name] = min(timed(send, REQUESTS) for _ in range(RUNS))
    sys.stdout.write(json.dumps(figures) + "\n")


def version_env(version: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS[version]}
    env.pop("DATABASE_URL", None)  # each run its own SQLite database
    env.setdefault("THROTTLE_ANON_RATE", "off")
    env.setdefault("THROTTLE_CUSTOMER_RATE", "off")
    env.setdefault("LOG_LEVEL", "INFO")
    return env


def run_version(version: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.measure.cpu", "--worker"],
        env=version_env(version),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def compare() -> None:
    best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for round_ in range(ROUNDS):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for version in order:
            for name, ms in run_version(version).items():
                best[version][name] = min(ms, best[version].get(name, ms))
    lines = [
        f"CPU per request, ms (fastest of {ROUNDS} rounds x {RUNS} runs x {REQUESTS} requests)",
        "| endpoint | before | after | after/before |",
        "|---|---:|---:|---:|",
    ]
    for name, before in best["before"].items():
        after = best["after"][name]
        lines.append(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f} |")
    sys.stdout.write("\n".join(lines) + "\n")


def instruction_worker(name: str) -> None:
    """Under callgrind, counting off: set up and warm up, then send the requests while
    the parent has counting switched on (it answers each line this writes)."""
    send = endpoints()[name]
    timed(send, 30)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    timed(send, INSTRUCTION_REQUESTS)
    sys.stdout.write("done\n")
    sys.stdout.flush()
    sys.stdin.readline()


def callgrind(pid: int, *command: str) -> None:
    subprocess.run(["callgrind_control", *command, str(pid)], check=True, capture_output=True)


def wait_for(stream: IO[str] | None, line: str) -> None:
    assert stream is not None
    while (read := stream.readline()) and read.strip() != line:
        pass
    if not read:
        raise SystemExit(f"The measured process ended before it said {line!r}.")


def instructions_per_request(version: str, name: str) -> float:
    with tempfile.TemporaryDirectory(prefix="portside-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        worker = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "tests.measure.cpu",
                "--instruction-worker",
                name,
            ],
            env=version_env(version),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert worker.stdin is not None
        wait_for(worker.stdout, "ready")
        callgrind(worker.pid, "--instr=on")
        worker.stdin.write("go\n")
        worker.stdin.flush()
        wait_for(worker.stdout, "done")
        callgrind(worker.pid, "--instr=off")
        worker.stdin.write("end\n")
        worker.stdin.close()
        worker.wait()
        total = sum(
            int(line.split()[1])
            for dump in Path(folder).glob("callgrind.out*")
            for line in dump.read_text().splitlines()
            if line.startswith("totals:")
        )
    return total / INSTRUCTION_REQUESTS


def count_instructions() -> None:
    lines = [
        f"Instructions per request, millions (callgrind, {INSTRUCTION_REQUESTS} requests)",
        "| endpoint | before | after | after/before |",
        "|---|---:|---:|---:|",
    ]
    only = os.environ.get("CPU_ENDPOINTS")
    for name in ENDPOINT_NAMES:
        if only and name not in only.split(","):
            continue
        before, after = (instructions_per_request(v, name) / 1e6 for v in ("before", "after"))
        lines.append(f"| {name} | {before:.2f} | {after:.2f} | {after / before:.2f} |")
    sys.stdout.write("\n".join(lines) + "\n")


def profile(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS["after"])
    os.environ.setdefault("THROTTLE_ANON_RATE", "off")
    os.environ.setdefault("THROTTLE_CUSTOMER_RATE", "off")
    send = endpoints()[name]
    timed(send, 20)
    profiler = cProfile.Profile()
    profiler.runcall(timed, send, REQUESTS)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    prepare_environment()
    if sys.argv[1:2] == ["--worker"]:
        worker()
    elif sys.argv[1:2] == ["--instruction-worker"]:
        instruction_worker(sys.argv[2])
    elif sys.argv[1:2] == ["--instructions"]:
        count_instructions()
    elif sys.argv[1:2] == ["--profile"]:
        profile(sys.argv[2])
    else:
        compare()
