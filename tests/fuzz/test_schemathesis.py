"""Fuzzing the contract: Schemathesis's own command against `/api/schema/` of each
version, as a customer and as a partner, with every check and every phase.

Each version runs under gunicorn on a fresh database with the demo data, started as the
acceptance suite starts it. For each role this runs what anyone can run by hand:

    st --config-file tests/fuzz/schemathesis.toml run URL/api/schema/ --checks all \\
       --phases examples,coverage,fuzzing,stateful --seed 1 \\
       -H "Authorization: <the role's credentials>" --exclude-path-regex <the other API>

A customer (a token from registering) fuzzes the public operations and the bookings
API; a partner (a Bearer key from `create_partner`) the public operations and the
partner API. Each role leaves out the other role's API, where all it would get is a 401.
The stateful phase follows the schema's OpenAPI links: catalogue, slots, hold, read,
checkout, cancel; and create, read, change, delete a subscription.

A finding is fixed in the code or in the schema, never by dropping a check; where a
check cannot know what the server knows, `schemathesis.toml` says so for that one
operation, with why. The example budgets are there too; `--seed 1` makes the cases the
same on every run.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.conftest import BIN, VERSIONS, Api, Server, started

CONFIG = Path(__file__).with_name("schemathesis.toml")
PHASES = "examples,coverage,fuzzing,stateful"
RUN_TIMEOUT = 300  # seconds; a run takes well under a minute here
# The API each role may not call: all it would get is a 401.
OTHER_API = {"customer": "^/api/v1/partners/", "partner": "^/api/v1/bookings/"}


# Both shops on main; the after alone on the last branch of the refactoring walk.
@pytest.fixture(scope="module", params=[name for name in ("after", "before") if name in VERSIONS])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    # Generated requests come fast from one address: no limits here.
    with started(
        request.param,
        tmp_path_factory.mktemp(f"fuzz-{request.param}"),
        THROTTLE_ANON_RATE="off",
        THROTTLE_CUSTOMER_RATE="off",
        THROTTLE_PARTNER_RATE="off",
        SIGN_IN_LIMITS="off",  # random emails from one address would soon be refused
    ) as running:
        yield running


def credentials(server: Server, role: str) -> str:
    """The Authorization header of a new customer or a new partner."""
    if role == "customer":
        customer = Api(server.url)
        customer.register()
        return customer.headers["Authorization"]
    key = server.manage("create_partner", f"Fuzzing Partner {server.url}").strip()
    return f"Bearer {key.splitlines()[-1]}"


def schemathesis(server: Server, role: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(BIN / "st"),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{server.url}/api/schema/",
        "--checks",
        "all",
        "--phases",
        PHASES,
        "--seed",
        "1",
        "--header",
        f"Authorization: {credentials(server, role)}",
        "--exclude-path-regex",
        OTHER_API[role],
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


def summary(output: str) -> str:
    """The stateful phase's scenarios and links, and st's closing summary."""
    lines = output.splitlines()
    stateful = [line for line in lines if line.strip().startswith(("Scenarios:", "API Links:"))]
    start = next((i for i, line in enumerate(lines) if " SUMMARY " in line), len(lines))
    return "\n".join(stateful + lines[start:])


@pytest.mark.parametrize("role", list(OTHER_API))
def test_schemathesis_finds_nothing(server: Server, role: str, tmp_path: Path) -> None:
    result = schemathesis(server, role, tmp_path)
    output = result.stdout + result.stderr
    print(summary(output))  # noqa: T201 - the run's summary, shown with -s or -rP
    assert result.returncode == 0, output[-20000:]
