"""`make measure-steps`: the table of docs/refactoring.md's branches, measured now.

Run `make branches` first. For each refactor/* branch, in a temporary worktree: the
step's diffstat against the one before, lines of code per layer (Python files, tests
and migrations left out), the unit suite's count and wall time where the step has one
(as `make test-unit` runs it, timed on the second run), the queries of a hold
(tests/measure/queries.py under the step's own settings), and this tree's acceptance
suite against the step's shop.
Prints a Markdown table.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["before", "domain", "application", "adapters", "config"]


def sh(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    for name in ("DATABASE_URL", "SANDBOX_DATABASE_URL"):
        environment.pop(name, None)  # every step on throwaway SQLite
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )


def git(*args: str, cwd: Path = ROOT) -> str:
    return sh(["git", *args], cwd).stdout.strip()


def branches() -> list[str]:
    names = git("for-each-ref", "--format=%(refname:short)", "refs/heads/refactor/").split()
    if not names:
        raise SystemExit("No refactor/* branches: run make branches first.")
    return sorted(names, key=lambda name: int(name.split("/")[1].split("-")[0]))


def lines_of_code(tree: Path, layer: str) -> int:
    files = [
        path
        for path in (tree / layer).rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    ]
    return sum(len(path.read_text().splitlines()) for path in files)


def unit_suite(tree: Path) -> str:
    if not any((tree / "tests" / "unit").rglob("test_*.py")):
        return "none"
    command = [sys.executable, "-m", "pytest", "--disable-plugin-autoload"]
    command += ["-p", "no:cacheprovider", "-p", "no:logging", "-q", "tests/unit"]
    sh(command, tree)  # once to write the fresh checkout's bytecode: then timed warm
    began = time.perf_counter()
    done = sh(command, tree)
    elapsed = time.perf_counter() - began
    passed = re.search(r"(\d+) passed", done.stdout)
    return f"{passed.group(1) if passed else 'failed'}, {elapsed:.1f} s"


def settings_of(tree: Path) -> str:
    found = re.search(r'"DJANGO_SETTINGS_MODULE", "([\w.]+)"', (tree / "manage.py").read_text())
    assert found is not None
    return found.group(1)


def hold_queries(tree: Path) -> str:
    done = sh(
        [sys.executable, str(ROOT / "tests" / "measure" / "queries.py")],
        tree,
        DJANGO_SETTINGS_MODULE=settings_of(tree),
        PYTHONPATH=str(tree),
    )
    if done.returncode != 0:
        return "failed"
    return str(json.loads(done.stdout.strip().splitlines()[-1])["hold"])


def acceptance(tree: Path) -> str:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/acceptance"]
    done = sh(command, ROOT, ACCEPTANCE_PROJECT=str(tree))
    summary = re.search(r"(\d+ passed[^=]*?) in ", done.stdout)
    return summary.group(1).strip() if summary else "failed"


def main() -> None:
    rows = []
    previous = None
    for branch in branches():
        print(f"Measuring {branch}…", file=sys.stderr)  # noqa: T201 - progress
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / branch.split("/")[1]
            git("worktree", "add", "--quiet", "--detach", str(tree), branch)
            try:
                diffstat = git("diff", "--shortstat", previous, branch) if previous else "the start"
                cells = [f"`{branch}`", diffstat.replace(" changed", "")]
                cells += [f"{lines_of_code(tree, layer):,}" for layer in LAYERS]
                cells += [unit_suite(tree), hold_queries(tree), acceptance(tree)]
            finally:
                git("worktree", "remove", "--force", str(tree))
        rows.append(cells)
        previous = branch
    header = ["branch", "change on the step before"] + [f"`{layer}/`" for layer in LAYERS]
    header += ["unit tests, wall", "queries of a hold", "acceptance"]
    print("| " + " | ".join(header) + " |")  # noqa: T201
    print("|" + "---|" * len(header))  # noqa: T201
    for cells in rows:
        print("| " + " | ".join(cells) + " |")  # noqa: T201
    print(  # noqa: T201
        f"\nMeasured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, by `make measure-steps`."
    )


if __name__ == "__main__":
    main()
