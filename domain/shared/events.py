"""Domain events: facts the business cares about, named in the past tense."""

from datetime import datetime

import attrs


@attrs.frozen
class DomainEvent:
    occurred_at: datetime
