"""Properties of the domain, explored by Hypothesis: pure Python like tests/unit, run
beside it by `make test` (`make test-properties` alone).

Hypothesis profiles: a few dozen examples per property while you work, many in CI
(which sets `CI`); `HYPOTHESIS_PROFILE=ci make test-properties` runs CI's locally.
"""

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None)
default = "ci" if os.environ.get("CI") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or default)
