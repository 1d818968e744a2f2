"""What the tests of the refactoring walk share: one clone of this commit per session,
with the refactor/* branches made by `docs/refactoring/branches.py`, and a worktree per step.
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEPS = ROOT / "docs" / "refactoring" / "steps"
BUILDER = Path("docs/refactoring/branches.py")
EXTRAS = STEPS / "extras.diff"  # the last step's diff; the one before is the after without it
STORED = (
    "Regenerate: make branches, check out the step's branch, fix it, rebase the later "
    "steps onto it, then python docs/refactoring/branches.py --save and commit "
    "(docs/decisions/0011-the-refactoring-as-branches.md)."
)
WITHOUT_EXTRAS = (
    "This branch is main's after version without steps/extras.diff: fix it on main, or "
    "bring the branch up to the after version without the extras and run python "
    "docs/refactoring/branches.py --save-extras "
    "(docs/decisions/0011-the-refactoring-as-branches.md)."
)
AFTER = "This branch is main's after version, file for file: fix it on main."
TIMEOUT = 30 * 60  # seconds one step's check may take before it counts as hung


def regenerate(step: str) -> str:
    """How to mend the step `step`, by the way it is stored."""
    names = step_names()
    if step == names[-1]:
        return AFTER
    return WITHOUT_EXTRAS if step == names[-2] else STORED


def _builder() -> ModuleType:
    """docs/refactoring/branches.py, which names the steps (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("branches", ROOT / BUILDER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def step_names() -> list[str]:
    """The steps of this commit, as `make branches` names them (from the commit, as it
    builds them: an uncommitted patch is not a step yet)."""
    names: list[str] = _builder().step_names("HEAD", ROOT)
    return names


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Nothing of this run's own settings (pytest-django sets DJANGO_SETTINGS_MODULE) or
    # make's: each step is run as from a fresh shell, on SQLite unless `env` says so.
    inherited = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    environment = {name: value for name, value in os.environ.items() if name not in inherited}
    environment.update(env)
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="session")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("walk") / "portside"
    git("clone", "--quiet", str(ROOT), str(folder), cwd=ROOT)
    return folder


@pytest.fixture(scope="session")
def made(clone: Path) -> dict[str, str]:
    """Branch name -> commit, as `make branches` printed them."""
    done = run([sys.executable, str(BUILDER)], clone)
    assert done.returncode == 0, done.stdout + done.stderr
    (clone / ".git" / "made.txt").write_text(done.stdout)  # reported by the first test
    return dict(re.findall(r"^refactor/(\S+)\s+([0-9a-f]+)", done.stdout, re.MULTILINE))


def add_worktree(clone: Path, step: str, purpose: str = "step") -> Path:
    """A worktree of refactor/<step> beside the clone, with this tree's .venv."""
    folder = clone.parent / f"{purpose}-{step}"
    git("worktree", "add", "--quiet", str(folder), f"refactor/{step}", cwd=clone)
    (folder / ".venv").symlink_to(ROOT / ".venv")  # the same pinned requirements
    return folder
