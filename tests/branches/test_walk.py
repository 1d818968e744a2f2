"""The refactoring walk holds: `make branches` makes every step, and every step works.

In a temporary clone of this commit, `docs/refactoring/branches.py` makes the
refactor/* branches (twice: the second run must make the same commits). Then, per step,
in a worktree of its branch: the step's own `make test`, and this tree's acceptance
suite against the step's shop (ACCEPTANCE_PROJECT). The last step's tree must be this
commit's after version, file for file, and its diff only what steps/extras.diff holds;
the step before it (the after version without those extras) runs its own `make test`
like every step. The last step's own suite is this tree's, which `make test` runs
already; only the acceptance suite runs on it here.

`make test-branches` runs this module (CI does, after `make test`); it takes minutes.
"""

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.branches.conftest import (
    BUILDER,
    EXTRAS,
    ROOT,
    add_worktree,
    git,
    regenerate,
    run,
    step_names,
)

Done = subprocess.CompletedProcess[str]


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Print past pytest's capture, so CI logs show each step's figures."""
    with capsys.disabled():
        print(f"\n{line}")  # noqa: T201


def failed(step: str, what: str, done: subprocess.CompletedProcess[str]) -> str:
    output = f"{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return f"refactor/{step}: {what} fails.\n{output}\n{regenerate(step)}"


def test_every_step_is_a_branch_made_again_alike(
    clone: Path, made: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    report(capsys, (clone / ".git" / "made.txt").read_text())
    assert list(made) == step_names()
    again = run([sys.executable, str(BUILDER)], clone)
    assert again.returncode == 0, again.stderr
    assert dict(re.findall(r"^refactor/(\S+)\s+([0-9a-f]+)", again.stdout, re.MULTILINE)) == made
    assert git("status", "--porcelain", cwd=clone) == ""  # the clone's checkout untouched


def test_each_step_is_one_commit_on_the_one_before(clone: Path, made: dict[str, str]) -> None:
    names = step_names()
    assert git("rev-list", "--count", f"refactor/{names[0]}", cwd=clone) == "1"
    for previous, step in itertools.pairwise(names):
        assert git("rev-parse", f"refactor/{step}^", cwd=clone) == git(
            "rev-parse", f"refactor/{previous}", cwd=clone
        ), step


def test_the_last_step_is_the_after_version(clone: Path, made: dict[str, str]) -> None:
    def files(revision: str) -> list[str]:
        return git("ls-tree", "-r", revision, cwd=clone).splitlines()

    after = [
        line
        for line in files("HEAD")
        if not line.split("\t")[1].startswith(("before/", "docs/refactoring/"))
    ]
    assert files(f"refactor/{step_names()[-1]}") == after


def test_the_last_step_is_only_the_extras(clone: Path, made: dict[str, str]) -> None:
    base, last = (f"refactor/{step}" for step in step_names()[-2:])
    changed = git("diff", "--name-only", "--no-renames", base, last, cwd=clone).splitlines()
    stored = re.findall(r"^diff --git a/(\S+) ", EXTRAS.read_text(), re.MULTILINE)
    assert sorted(changed) == sorted(stored)


def test_a_database_of_the_last_stored_step_migrates_into_the_next(
    clone: Path, made: dict[str, str], tmp_path: Path
) -> None:
    """The step after the last stored one brings the after version's own migrations: a
    database that `make run` left at the step before must migrate into it, and take the
    demo data again (its tables start empty; the classic ones keep their rows)."""
    database = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
    }
    for step in step_names()[-3:-1]:
        folder = add_worktree(clone, step, purpose="database")
        try:
            for command in (["migrate", "--no-input"], ["load_demo_data"]):
                done = run([sys.executable, "manage.py", *command], folder, **database)
                assert done.returncode == 0, failed(step, f"manage.py {command[0]}", done)
        finally:
            git("worktree", "remove", "--force", str(folder), cwd=clone)


# Two at a time: each run is one busy process or two (pytest and gunicorn), and CI has
# two cores. WALK_WORKERS=1 runs them one after another.
WORKERS = int(os.environ.get("WALK_WORKERS", "2"))
ACCEPTANCE = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/acceptance"]
# -o: the shared .venv is installed already; do not let a fresh checkout's newer
# requirements file send make to pip.
MAKE_TEST = ["make", "-o", ".venv/.installed-dev", "test"]
# The tests below, by the check each waits for.
CHECKS = {
    "test_the_acceptance_suite_passes_on_every_step": "acceptance",
    "test_make_test_passes_on_every_step": "make test",
}


@pytest.fixture(scope="module")
def runs(
    clone: Path, made: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[dict[tuple[str, str], Future[Done]]]:
    """The slow checks this session selected, started at once, longest first:
    (check, step) -> its run.

    Each step's own `make test` runs in a worktree of its branch; this tree's acceptance
    suite runs against each step's shop (ACCEPTANCE_PROJECT)."""
    selected = {
        (CHECKS[item.originalname], item.callspec.params["step"])
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname in CHECKS
    }
    names = step_names()
    checks = [("make test", step) for step in reversed(names)]  # the later, the longer
    checks += [("acceptance", step) for step in names]
    checks = [check for check in checks if check in selected]
    folders: dict[str, Path] = {}
    try:
        for _, step in checks:
            if step not in folders:
                folders[step] = add_worktree(clone, step)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            started = {
                (check, step): pool.submit(run, MAKE_TEST, folders[step])
                if check == "make test"
                else pool.submit(run, ACCEPTANCE, ROOT, ACCEPTANCE_PROJECT=str(folders[step]))
                for check, step in checks
            }
            yield started
            for future in started.values():
                future.cancel()
    finally:
        for folder in folders.values():
            subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=clone)
        subprocess.run(["git", "worktree", "prune"], cwd=clone)


@pytest.mark.parametrize("step", step_names())
def test_the_acceptance_suite_passes_on_every_step(
    step: str, runs: dict[tuple[str, str], Future[Done]], capsys: pytest.CaptureFixture[str]
) -> None:
    done = runs["acceptance", step].result()
    summary = done.stdout.strip().splitlines()[-1:] or ["no summary"]
    report(capsys, f"refactor/{step}: the acceptance suite: {summary[0].strip('= ')}")
    assert done.returncode == 0, failed(step, "the acceptance suite", done)


@pytest.mark.parametrize("step", step_names()[:-1])
def test_make_test_passes_on_every_step(
    step: str, runs: dict[tuple[str, str], Future[Done]], capsys: pytest.CaptureFixture[str]
) -> None:
    done = runs["make test", step].result()
    summary = [
        line.strip("= ") for line in done.stdout.splitlines() if re.search(r"\d+ passed", line)
    ]
    report(capsys, f"refactor/{step}: make test: {' | '.join(summary)}")
    assert done.returncode == 0, failed(step, "make test", done)
