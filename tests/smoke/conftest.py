"""The native compose run's summary: one line per service, printed at the end of the
run whatever pytest captures, for closing notes and CI logs."""

import pytest

SUMMARY = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def smoke_summary(request: pytest.FixtureRequest) -> list[str]:
    return request.config.stash.setdefault(SUMMARY, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.section("docker-compose.yml services, run natively")
        for line in lines:
            terminalreporter.write_line(line)
