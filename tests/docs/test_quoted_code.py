"""Every Python block the docs quote from a file still stands in that file.

Read: docs/**/*.md and README.md. The convention: a fenced ```python block quotes real
code when the last non-blank line above it holds a markdown link to a file of this
repository, as in ``after — [`domain/booking/booking.py`](../domain/booking/booking.py)``.
Such a block's lines must appear in that file in the same order, line after line,
compared with whitespace collapsed (a quoted expression may drop the trailing comma
its line has in the file); a line that is only ``# …``, ``…`` or ``...`` skips any
number of lines. A block without such a link is an illustration and is not checked.

A block may instead quote a file as it stands on a branch of the refactoring walk
(docs/refactoring.md): its intro names the path, then `on` and the branch, in
backticks and without a link, since the path may not exist on this tree:
``after — `domain/booking/booking.py` on `refactor/2-domain-model`, `Booking.hold` ``.
In the walk's step sections a before quotes the branch of the step before, an after
the step's own branch; a quote of the after version's final code links its file here.
This module skips the blocks naming a branch; tests/branches/test_quoted_blocks.py
checks them with the same matcher against ``git show refactor/<step>:<path>``.
A block quoting a file under before/ is skipped where the tree has no before/ (the after
version alone, as on refactor/10-after): the docs still quote the before version there.

Plain Python, no Django: run it with ``pytest -p no:django tests/docs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
BEFORE = ROOT / "before"

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\S*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# "`path` on `refactor/<step>`": a quote of that path on that branch.
ON_BRANCH = re.compile(r"`([^`\s]+)` on `(refactor/[^`\s]+)`")
ELISIONS = {"...", "…", "# ...", "# …"}
# Files a link may name without being quoted code: the docs themselves, pictures.
NOT_CODE = {".md", ".png", ".svg", ".jpg"}


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # 1-based line of the block's first code line in the doc
    lines: tuple[str, ...]
    source: Path | None  # the file the block names, or None for an illustration
    intro: str  # the introducing line, for messages
    branch: str | None = None  # refactor/<step> when the block quotes that branch
    branch_path: str | None = None  # the quoted file's path on that branch


def _normal(line: str) -> str:
    return " ".join(line.split())


def _linked_file(doc: Path, line: str) -> Path | None:
    """The last link on `line` to a file of the repository that is not a doc."""
    found = None
    for target in LINK.findall(line):
        if "://" in target or target.startswith(("#", "mailto:")):
            continue
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        if path.suffix in NOT_CODE or not path.is_relative_to(ROOT):
            continue
        found = path
    return found


def python_blocks(doc: Path) -> Iterator[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        fence, language = opened.group(2), opened.group(3).lower()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if language in {"python", "py"}:
            above = index - 1
            while above >= 0 and not lines[above].strip():
                above -= 1
            intro = lines[above] if above >= 0 else ""
            on_branch = ON_BRANCH.search(intro)
            yield Block(
                doc=doc,
                line=index + 2,
                lines=tuple(lines[index + 1 : end]),
                source=None if on_branch else _linked_file(doc, intro),
                intro=intro.strip(),
                branch=on_branch.group(2) if on_branch else None,
                branch_path=on_branch.group(1) if on_branch else None,
            )
        index = end + 1


def _segments(block: Block) -> list[list[tuple[int, str]]]:
    """The block's lines between elisions, each with its line number in the doc."""
    segments: list[list[tuple[int, str]]] = [[]]
    for offset, raw in enumerate(block.lines):
        line = _normal(raw)
        if not line:
            continue
        if line in ELISIONS:
            segments.append([])
        else:
            segments[-1].append((block.line + offset, line))
    return [segment for segment in segments if segment]


def first_missing(block: Block, source_lines: list[str]) -> tuple[int, str] | None:
    """The first quoted line not found in order, or None when the whole block is there.

    Each run of lines between elisions must stand as consecutive (non-blank) lines of
    the file, after what the runs before it matched. Taking the earliest match of each
    run leaves the most room for the next, so no backtracking is needed.
    """
    code = [line for line in map(_normal, source_lines) if line]
    start = 0
    for segment in _segments(block):
        best = 0
        for position in range(start, len(code)):
            matched = 0
            while (
                matched < len(segment)
                and position + matched < len(code)
                and code[position + matched] in {segment[matched][1], segment[matched][1] + ","}
            ):
                matched += 1
            if matched == len(segment):
                start = position + matched
                break
            best = max(best, matched)
        else:
            return segment[best]
    return None


ALL_BLOCKS = [block for doc in DOCS if doc.exists() for block in python_blocks(doc)]
QUOTED = [block for block in ALL_BLOCKS if block.source is not None]
ON_BRANCHES = [block for block in ALL_BLOCKS if block.branch is not None]
# Blocks quoting the before version where this tree has none.
NOT_HERE = [
    block
    for block in QUOTED
    if block.source is not None and block.source.is_relative_to(BEFORE) and not BEFORE.is_dir()
]


def _id(block: Block) -> str:
    return f"{block.doc.relative_to(ROOT)}:{block.line}"


def test_the_docs_quote_code() -> None:
    """Guards the convention itself: a doc edit that drops every link fails here.
    A block naming its branch names its file too. (conftest.py prints the counts.)"""
    named = len(QUOTED) + len(ON_BRANCHES)
    assert named >= len(DOCS), "hardly any python block names its file; see the docstring"


@pytest.mark.parametrize("block", QUOTED, ids=_id)
def test_a_quoted_block_stands_in_its_file(block: Block) -> None:
    assert block.source is not None
    if block in NOT_HERE:
        pytest.skip(
            f"quotes {block.source.relative_to(ROOT)}, and this tree has no before/ "
            "(the after version alone, as on refactor/10-after)"
        )
    where = f"{block.doc.relative_to(ROOT)}:{block.line}"
    assert block.source.is_file(), f"{where} quotes {block.source.relative_to(ROOT)}, no such file"
    missing = first_missing(block, block.source.read_text(encoding="utf-8").splitlines())
    assert missing is None, (
        f"{block.doc.relative_to(ROOT)}:{missing[0]}: not in "
        f"{block.source.relative_to(ROOT)} (in order, after the lines before it): "
        f"{missing[1]!r}"
    )


@pytest.mark.parametrize("block", ON_BRANCHES, ids=_id)
def test_a_block_quoting_a_branch_is_checked_where_the_branches_are(block: Block) -> None:
    pytest.skip(
        f"quotes {block.branch_path} on {block.branch}: "
        "tests/branches/test_quoted_blocks.py checks it (make test-branches)"
    )


ILLUSTRATIONS = [block for block in ALL_BLOCKS if block.source is None and block.branch is None]


@pytest.mark.parametrize("block", ILLUSTRATIONS, ids=_id)
def test_an_illustration_names_no_file_on_the_lines_above(block: Block) -> None:
    """A block that quotes code but has its link a line too high would go unchecked.

    An illustration's paragraph may name files in backticks, but a link to a source
    file in the paragraph right above the block means the block quotes it: put that
    link on the last line before the block.
    """
    lines = block.doc.read_text(encoding="utf-8").splitlines()
    above = block.line - 3  # the fence is at block.line - 1 (1-based), so index - 2
    while above >= 0 and not lines[above].strip():
        above -= 1
    linked = []
    while above >= 0 and lines[above].strip() and not FENCE.match(lines[above]):
        path = _linked_file(block.doc, lines[above])
        if path is not None and path.suffix == ".py":
            linked.append(str(path.relative_to(ROOT)))
        above -= 1
    assert not linked, (
        f"{_id(block)}: the paragraph above links {', '.join(linked)} but its last line "
        "does not, so the block is not checked; move the link to that line, or unlink it"
    )


# The checker itself, on small cases.


def _block(*lines: str) -> Block:
    return Block(doc=ROOT / "README.md", line=10, lines=lines, source=None, intro="")


FILE = ["def f(x):", "    a = 1", "", "    b = 2", "    c = 3", "    return a"]


def test_consecutive_lines_match_ignoring_indentation_and_blank_lines() -> None:
    assert first_missing(_block("a = 1", "b  =  2"), FILE) is None


def test_a_gap_needs_an_elision() -> None:
    assert first_missing(_block("a = 1", "c = 3"), FILE) == (11, "c = 3")
    for elision in ("...", "…", "# …", "    # ..."):
        assert first_missing(_block("a = 1", elision, "c = 3"), FILE) is None


def test_a_quoted_expression_may_drop_its_trailing_comma() -> None:
    assert first_missing(_block("x = f(1)"), ["    x = f(1),"]) is None
    assert first_missing(_block("x = f(1),"), ["    x = f(1)"]) == (10, "x = f(1),")


def test_order_counts() -> None:
    assert first_missing(_block("c = 3", "...", "a = 1"), FILE) == (12, "a = 1")


def test_the_first_line_not_found_is_reported() -> None:
    assert first_missing(_block("def f(x):", "a = 1", "b = 3"), FILE) == (12, "b = 3")


def test_an_intro_naming_a_branch_names_the_path_on_it(tmp_path: Path) -> None:
    doc = tmp_path / "walk.md"
    doc.write_text(
        "after — `domain/booking.py` on `refactor/2-domain-model`, `Booking.hold`\n\n"
        "```python\nx = 1\n```\n",
        encoding="utf-8",
    )
    (block,) = python_blocks(doc)
    assert (block.branch, block.branch_path, block.source) == (
        "refactor/2-domain-model",
        "domain/booking.py",
        None,
    )


def test_the_link_on_the_line_above_names_the_file() -> None:
    doc = ROOT / "docs" / "example.md"
    line = "see [`d`](../domain/booking/booking.py), [tour](tour.md):"
    assert _linked_file(doc, line) == ROOT / "domain/booking/booking.py"
    assert _linked_file(doc, "only [the tour](tour.md):") is None
