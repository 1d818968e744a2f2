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
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.branches.conftest import BUILDER, EXTRAS, REGENERATE, ROOT, git, run, step_names


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Print past pytest's capture, so CI logs show each step's figures."""
    with capsys.disabled():
        print(f"\n{line}")  # noqa: T201


def failed(step: str, what: str, done: subprocess.CompletedProcess[str]) -> str:
    output = f"{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    return f"refactor/{step}: {what} fails.\n{output}\n{REGENERATE}"


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


@pytest.mark.parametrize("worktree", step_names(), indirect=True)
def test_the_acceptance_suite_passes_on_every_step(
    worktree: Path, made: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    step = worktree.name.removeprefix("step-")
    done = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/acceptance"],
        ROOT,
        ACCEPTANCE_PROJECT=str(worktree),
    )
    summary = done.stdout.strip().splitlines()[-1:] or ["no summary"]
    report(capsys, f"refactor/{step}: the acceptance suite: {summary[0].strip('= ')}")
    assert done.returncode == 0, failed(step, "the acceptance suite", done)


@pytest.mark.parametrize("worktree", step_names()[:-1], indirect=True)
def test_make_test_passes_on_every_step(
    worktree: Path, made: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    step = worktree.name.removeprefix("step-")
    # -o: the shared .venv is installed already; do not let a fresh checkout's newer
    # requirements file send make to pip.
    done = run(["make", "-o", ".venv/.installed-dev", "test"], worktree)
    summary = [
        line.strip("= ") for line in done.stdout.splitlines() if re.search(r"\d+ passed", line)
    ]
    report(capsys, f"refactor/{step}: make test: {' | '.join(summary)}")
    assert done.returncode == 0, failed(step, "make test", done)
