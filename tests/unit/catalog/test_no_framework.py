import sys

import pytest

FRAMEWORKS = {"django", "rest_framework", "drf_spectacular", "dependency_injector", "celery"}


def test_the_unit_suite_loads_no_framework(request: pytest.FixtureRequest) -> None:
    """Every unit test module is imported by now; none of them may have pulled in Django."""
    if request.config.pluginmanager.has_plugin("django"):
        pytest.skip("pytest-django loads Django itself; run with -p no:django")

    loaded = sorted(name for name in sys.modules if name.partition(".")[0] in FRAMEWORKS)

    assert loaded == []
