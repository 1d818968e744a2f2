"""Say how many quoted blocks the docs test checked, so a skipped convention shows."""

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = sys.modules.get("tests.docs.test_quoted_code")
    if module is not None:
        checked, blocks = len(module.QUOTED), len(module.ALL_BLOCKS)
        terminalreporter.write_line(
            f"docs: {checked} quoted python blocks checked against their files, "
            f"{blocks - checked} illustrations not checked"
        )
