"""The changes `make compare` measures still apply to the code they change.

`make compare` counts the files and lines it takes to add a payload format, a payload
option and a field on a hold by applying the patches in tests/measure/add_*/ to a
scratch copy of each version. A patch that no longer applies breaks that table without
a word until someone runs it: this test says so at once.
"""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATCHES = sorted((ROOT / "tests" / "measure").glob("add_*/*.patch"))


@pytest.mark.parametrize("patch", PATCHES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_change_applies_to_the_code_as_it_is(patch: Path) -> None:
    if patch.stem == "before" and not (ROOT / "before").is_dir():
        pytest.skip("This tree has no before/ (the last branch of the refactoring walk).")
    done = subprocess.run(
        ["git", "apply", "--check", str(patch)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{patch.relative_to(ROOT)} no longer applies:\n{done.stderr}"
