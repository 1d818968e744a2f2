"""Every Python block the docs quote from a branch of the walk stands on that branch.

A block whose intro names a path and a branch, as in
``after — `domain/booking/booking.py` on `refactor/2-domain-model`, `Booking.hold` ``,
quotes that file as `git show refactor/2-domain-model:domain/booking/booking.py` prints
it, in the temporary clone where the branches are made. The convention and the matcher
(lines in order, whitespace collapsed, ``# …`` skips lines) are those of
tests/docs/test_quoted_code.py, which checks the blocks that link a file of this tree.

Each step of docs/refactoring.md quotes its before from the branch of the step before
it and its after from its own branch, so the quotes show the code the step really has.
"""

import re
import subprocess
from pathlib import Path

import pytest

from tests.branches.conftest import ROOT, step_names
from tests.docs.test_quoted_code import ON_BRANCHES, Block, first_missing

WALK = ROOT / "docs" / "refactoring.md"
SECTION = re.compile(r"^## (\d+)\. ")


def _id(block: Block) -> str:
    return f"{block.doc.relative_to(ROOT)}:{block.line}"


def _section(block: Block) -> int | None:
    """The number of the `## <n>.` section of docs/refactoring.md holding the block."""
    if block.doc != WALK:
        return None
    number = None
    for line in WALK.read_text(encoding="utf-8").splitlines()[: block.line]:
        found = SECTION.match(line)
        if found:
            number = int(found.group(1))
        elif line.startswith("## "):
            number = None
    return number


@pytest.mark.parametrize("block", ON_BRANCHES, ids=_id)
def test_a_block_quoting_a_branch_stands_on_it(
    block: Block, clone: Path, made: dict[str, str]
) -> None:
    assert block.branch is not None
    assert block.branch_path is not None
    where = f"{_id(block)} quotes {block.branch_path} on {block.branch}"
    assert block.branch.removeprefix("refactor/") in made, f"{where}: no such branch"
    shown = subprocess.run(
        ["git", "show", f"{block.branch}:{block.branch_path}"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, f"{where}: no such file there ({shown.stderr.strip()})"
    missing = first_missing(block, shown.stdout.splitlines())
    assert missing is None, (
        f"{block.doc.relative_to(ROOT)}:{missing[0]}: not in {block.branch_path} on "
        f"{block.branch} (in order, after the lines before it): {missing[1]!r}"
    )


def test_every_step_quotes_its_before_and_its_after_from_the_branches() -> None:
    """Step n quotes refactor/<n-1>-* (its before) and refactor/<n>-* (its after), for
    every stored step (the two computed last ones have sections of prose only)."""
    names = step_names()
    stored = range(1, len(names) - 2)
    quoted = {(_section(block), block.branch) for block in ON_BRANCHES}
    missing = [
        f"## {number}. wants a quote on refactor/{branch}"
        for number in stored
        for branch in (names[number - 1], names[number])
        if (number, f"refactor/{branch}") not in quoted
    ]
    assert not missing, "docs/refactoring.md: " + "; ".join(missing)
