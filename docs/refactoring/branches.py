"""`make branches`: the refactoring of docs/refactoring.md as git branches, one per step.

    python docs/refactoring/branches.py                make or move the refactor/* branches
    python docs/refactoring/branches.py --save         write the step branches back as patches
    python docs/refactoring/branches.py --save-extras  write steps/extras.diff back from
                                                       the second-to-last branch

The steps are stored beside this file (decision 11):

- `steps/0-before/` holds the files that make the before version a project of its own
  (its manage.py, Makefile, pyproject.toml, README.md); the rest of step 0 is taken from
  this commit: `before/`, `outside/`, `requirements/` and the golden payload files.
- `steps/<n>-<name>.patch`, one per step, applied in order, each one commit whose
  message is the patch's subject and body.
- The last two steps are computed from this commit's after version (this commit without
  `before/` and without this folder), so the walk ends exactly where main is however the
  after version changes. The last, refactor/<n>-after, is that tree. The one before it,
  refactor/<n-1>-classic-apps-retired, is that tree with `steps/extras.diff` applied in
  reverse: what the after version has beyond the refactor (storefront, Stripe, limits,
  observability, read replica) taken out, so the last step's diff is only those.
  When the after version changes where the extras touch it, the reverse no longer
  applies: fix the second-to-last branch by hand, then `--save-extras`.

Everything is read from the commit HEAD points at and built in a temporary worktree:
the current branch, the index and uncommitted work are never touched. Author, committer
and dates are fixed, so a second run makes the same commits. A refactor/* branch that
is no longer a step (renamed or renumbered) is deleted. A branch checked out in a
worktree is left as it is, and said so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

STEPS = "docs/refactoring/steps"
MATERIAL = "docs/refactoring"  # left out of the last step's tree, with before/
PREFIX = "refactor/"
FIRST = "0-before"
LAST = "after"  # the last branch is refactor/<number of patches + 2>-after
BASE = "classic-apps-retired"  # the one before it: the after version without the extras
EXTRAS = f"{STEPS}/extras.diff"  # what the last step adds; applied in reverse to make BASE
# What step 0 takes from this commit besides the files in steps/0-before/.
BEFORE_PROJECT = ["before", "outside", "requirements", "tests/unit/partners/golden", ".gitignore"]
# ... but not what before/ holds only because it lives beside the after version.
TWO_SHOPS_ONLY = ["before/importlinter.toml"]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Portside",
    "GIT_AUTHOR_EMAIL": "steps@portside.invalid",
    "GIT_COMMITTER_NAME": "Portside",
    "GIT_COMMITTER_EMAIL": "steps@portside.invalid",
}
FIRST_MESSAGE = """The shop as a classic Django project

Fat models with save() overrides and signals, rules in serializers and views, the
payment provider's edge cases inline in the webhook view, partner webhooks sent in the
request. Its own tests import the models and patch module paths. This is where the walk
of docs/refactoring.md starts.
"""
BASE_MESSAGE = """The classic apps retired: the after version's own design

The after version as main has it, without what it has beyond the refactor: its models
and migrations, API, use cases, container and tests, and what later changes to main
brought. Steps of docs/refactoring.md that are not yet commits of their own are in
this diff too.
"""
LAST_MESSAGE = """What the after version has beyond the refactor

Only what docs/refactoring/steps/extras.diff holds: the storefront (server-rendered
pages, their templates, static files and browser test), the Stripe gateway, limits
(API throttles, sign-in attempt counting, request body size limits), observability
(request ids, JSON logs, Celery context) and the read-replica router, with their
settings, wiring, tests and documentation. The tree is main's after version exactly.
"""


def git(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, raw: bool = False
) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout if raw else done.stdout.strip()


def dated(step: int) -> dict[str, str]:
    """Fixed identity and dates: step n is dated n hours after the first."""
    date = f"2026-01-01T{step:02d}:00:00+00:00"
    return {**IDENTITY, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}


def patches(source: str, repository: Path | None = None) -> list[str]:
    names = git("ls-tree", "--name-only", f"{source}:{STEPS}", cwd=repository).splitlines()
    return sorted((name for name in names if name.endswith(".patch")), key=_number)


def step_names(source: str = "HEAD", repository: Path | None = None) -> list[str]:
    """The steps of `source`, in order, as their branches are named after refactor/."""
    stored = [name.removesuffix(".patch") for name in patches(source, repository)]
    after = len(stored) + 1
    return [FIRST, *stored, f"{after}-{BASE}", f"{after + 1}-{LAST}"]


def _number(name: str) -> int:
    return int(name.split("-", 1)[0])


def first_step(source: str, index: Path) -> str:
    """Step 0: the before version's files of `source`, with steps/0-before/ at the root."""
    env = {"GIT_INDEX_FILE": str(index)}
    git("read-tree", "--empty", env=env)
    for path in BEFORE_PROJECT:
        kind = git("cat-file", "-t", f"{source}:{path}")
        if kind == "tree":
            git("read-tree", f"--prefix={path}/", f"{source}:{path}", env=env)
        else:
            _add_blob(source, path, path, env)
    git("update-index", "--force-remove", *TWO_SHOPS_ONLY, env=env)
    for name in git("ls-tree", "--name-only", f"{source}:{STEPS}/{FIRST}").splitlines():
        _add_blob(source, f"{STEPS}/{FIRST}/{name}", name, env)
    tree = git("write-tree", env=env)
    return git("commit-tree", tree, "-m", FIRST_MESSAGE, env=dated(0))


def _add_blob(source: str, path: str, target: str, env: dict[str, str]) -> None:
    mode, _, blob = git("ls-tree", source, path).split("\t")[0].split(" ")
    git("update-index", "--add", "--cacheinfo", f"{mode},{blob},{target}", env=env)


def apply_step(work: Path, source: str, name: str, step: int) -> str:
    """One patch as one commit on the worktree's HEAD, with the patch's message."""
    patch = git("show", f"{source}:{STEPS}/{name}", raw=True)  # a patch's spaces matter
    with tempfile.TemporaryDirectory() as scratch:
        message, diff = Path(scratch, "message"), Path(scratch, "diff")
        done = subprocess.run(
            ["git", "mailinfo", str(message), str(diff)],
            cwd=work,
            input=patch,
            capture_output=True,
            text=True,
            check=True,
        )
        subject = next(
            line.removeprefix("Subject: ")
            for line in done.stdout.splitlines()
            if line.startswith("Subject: ")
        )
        refused = apply(work, diff, "--whitespace=nowarn")
        if refused:
            raise SystemExit(
                f"Step {name} no longer applies to the step before it:\n"
                f"{refused}\n"
                "Make the branches from the last commit where it applied, rebase the step "
                "branches onto the change, then `python docs/refactoring/branches.py --save` "
                "(docs/decisions/0011-the-refactoring-as-branches.md)."
            )
        body = message.read_text()
        git(
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            f"{subject}\n\n{body}".strip() + "\n",
            cwd=work,
            env=dated(step),
        )
    return git("rev-parse", "HEAD", cwd=work)


def apply(work: Path, diff: Path, *options: str) -> str:
    """`git apply --index` of `diff` in the worktree: what git says if it refuses, else ""."""
    done = subprocess.run(
        ["git", "apply", "--index", *options, str(diff)],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr.strip() if done.returncode else ""


def after_tree(source: str, index: Path) -> str:
    """The after version of `source`: its tree without before/ and the step material."""
    env = {"GIT_INDEX_FILE": str(index)}
    git("read-tree", source, env=env)
    git("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "before", MATERIAL, env=env)
    return git("write-tree", env=env)


def base_step(work: Path, source: str, after: str, step: int) -> str:
    """The after tree without the extras, one commit on the worktree's HEAD: the after
    tree checked out, then steps/extras.diff applied in reverse."""
    git("read-tree", "-u", "--reset", after, cwd=work)
    diff = git("show", f"{source}:{EXTRAS}", raw=True)
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "extras.diff").write_text(diff)
        refused = apply(work, Path(scratch, "extras.diff"), "-R", "--binary")
    if refused:
        raise SystemExit(
            f"Step {step}-{BASE}: {EXTRAS} no longer comes out of the after version "
            f"(applied in reverse):\n{refused}\n"
            f"Make the branches from the last commit where it applied, bring "
            f"{PREFIX}{step}-{BASE} up to this after version without the extras (one commit "
            "on the step before it), commit that here, then "
            "`python docs/refactoring/branches.py --save-extras` and commit "
            "(docs/decisions/0011-the-refactoring-as-branches.md)."
        )
    tree = git("write-tree", cwd=work)
    return git("commit-tree", tree, "-p", "HEAD", "-m", BASE_MESSAGE, cwd=work, env=dated(step))


def build() -> list[tuple[str, str]]:
    source = git("rev-parse", "HEAD")
    if subprocess.run(["git", "cat-file", "-e", f"{source}:{STEPS}"], check=False).returncode:
        raise SystemExit(f"This commit has no {STEPS}/: it is a step branch, not main.")
    names = step_names(source)
    made: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        index, work = Path(scratch, "index"), Path(scratch, "work")
        made.append((FIRST, first_step(source, index)))
        git("worktree", "add", "--quiet", "--detach", str(work), made[-1][1])
        try:
            for step, name in enumerate(patches(source), start=1):
                made.append((name.removesuffix(".patch"), apply_step(work, source, name, step)))
            after = after_tree(source, index)
            made.append((names[-2], base_step(work, source, after, len(made))))
        finally:
            git("worktree", "remove", "--force", str(work))
        last = git(
            "commit-tree", after, "-p", made[-1][1], "-m", LAST_MESSAGE, env=dated(len(made))
        )
        made.append((names[-1], last))
    return made


def checked_out() -> set[str]:
    lines = git("worktree", "list", "--porcelain").splitlines()
    return {line.removeprefix("branch refs/heads/") for line in lines if line.startswith("branch ")}


def main() -> None:
    os.chdir(git("rev-parse", "--show-toplevel"))
    if sys.argv[1:] == ["--save"]:
        save()
        return
    if sys.argv[1:] == ["--save-extras"]:
        save_extras()
        return
    made = build()
    busy = checked_out()
    previous = None
    for name, commit in made:
        branch = PREFIX + name
        if branch in busy and git("rev-parse", branch) != commit:
            note = "checked out, left as it is"
        else:
            if branch not in busy:
                git("branch", "--force", "--quiet", branch, commit)
            note = git("diff", "--shortstat", previous, commit) if previous else "the start"
        print(f"{branch:32} {commit[:10]}  {note}")
        previous = commit
    remove_stale({PREFIX + name for name, _ in made}, busy)
    print(f"Read a step: git diff {PREFIX}<previous> {PREFIX}<step> (docs/refactoring.md).")


def remove_stale(made: set[str], busy: set[str]) -> None:
    """Delete the refactor/* branches of steps this commit no longer has (a step renamed
    or renumbered), so that every refactor/* branch is a step of this walk."""
    names = git("for-each-ref", "--format=%(refname:short)", f"refs/heads/{PREFIX}").split()
    for stale in sorted(set(names) - made):
        if stale in busy:
            print(f"{stale:32} not a step any more; checked out, left as it is")
        else:
            git("branch", "--delete", "--force", "--quiet", stale)
            print(f"{stale:32} removed: not a step any more")


def save() -> None:
    """Write the step branches back as patches, for authors of the steps: every
    refactor/<n>-<name> between the first and the last, each one commit on the one
    before it. Patches of steps that no longer have a branch are removed."""
    names = git("for-each-ref", "--format=%(refname:short)", f"refs/heads/{PREFIX}").splitlines()
    steps = sorted(
        (name.removeprefix(PREFIX) for name in names),
        key=_number,
    )
    steps = [
        step for step in steps if step != FIRST and not step.endswith((f"-{LAST}", f"-{BASE}"))
    ]
    previous = PREFIX + FIRST
    for step in steps:
        branch = PREFIX + step
        if git("rev-parse", f"{branch}^") != git("rev-parse", previous):
            raise SystemExit(f"{branch} is not one commit on {previous}: rebase it first.")
        patch = git(
            "format-patch", "-1", "--stdout", "--zero-commit", "--no-signature", branch, raw=True
        )
        Path(STEPS, f"{step}.patch").write_text(patch)
        print(f"{STEPS}/{step}.patch from {branch}")
        previous = branch
    for stale in set(patches("HEAD")) - {f"{step}.patch" for step in steps}:
        Path(STEPS, stale).unlink(missing_ok=True)
        print(f"{STEPS}/{stale} removed: no branch {PREFIX}{stale.removesuffix('.patch')}")


def save_extras() -> None:
    """Write steps/extras.diff back: from the tip of refactor/<n>-classic-apps-retired
    (as an author fixed it) to this commit's after version, binary-safe."""
    names = git("for-each-ref", "--format=%(refname:short)", f"refs/heads/{PREFIX}").splitlines()
    bases = [name for name in names if name.endswith(f"-{BASE}")]
    if len(bases) != 1:
        raise SystemExit(f"Need exactly one {PREFIX}<n>-{BASE} branch, not {bases or 'none'}.")
    with tempfile.TemporaryDirectory() as scratch:
        after = after_tree("HEAD", Path(scratch, "index"))
    diff = git("diff", "--binary", "--no-renames", bases[0], after, raw=True)
    Path(EXTRAS).write_text(diff)
    print(f"{EXTRAS} from {bases[0]} to this commit's after version")


if __name__ == "__main__":
    main()
