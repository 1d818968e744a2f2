"""Say how many quoted blocks the docs test checked, so a skipped convention shows."""

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = sys.modules.get("tests.docs.test_quoted_code")
    if module is not None:
        quoted, on_branches = len(module.QUOTED), len(module.ON_BRANCHES)
        not_here = len(module.NOT_HERE)
        absent = f" ({not_here} quoting before/ skipped: no before/ here)" if not_here else ""
        terminalreporter.write_line(
            f"docs: {quoted - not_here} quoted python blocks checked against their files"
            f"{absent}, {on_branches} quoting a branch left to tests/branches, "
            f"{len(module.ILLUSTRATIONS)} illustrations not checked"
        )
