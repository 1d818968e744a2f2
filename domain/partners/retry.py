"""When to try a failed delivery again: the Standard Webhooks schedule.

After the first attempt fails, retry after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
10 h; after the eighth attempt fails the delivery is dead. Each delay is spread by up
to ±10 % (jitter) so a partner's recovery is not met by every retry at once.
"""

from datetime import timedelta

SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1


def delay_after(failed_attempts: int, spread: float) -> timedelta | None:
    """The wait before the next attempt after `failed_attempts` failures, or None when
    none is left. `spread` in [-1, 1] picks the point within the jitter band."""
    if not 1 <= failed_attempts < MAX_ATTEMPTS:
        return None
    if not -1 <= spread <= 1:
        raise ValueError("spread is between -1 and 1")
    return SCHEDULE[failed_attempts - 1] * (1 + JITTER * spread)
