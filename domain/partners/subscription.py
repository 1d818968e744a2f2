"""A partner's subscription: where to send which booking events, in which format
shaped by which options, signed with which secret."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs

from domain.partners.errors import InvalidSubscription, RotationUnderWay
from domain.partners.events import EVENT_TYPE_NAMES
from domain.partners.payload_options import PayloadOptions
from domain.shared.errors import Fault

# After a rotation the old secret keeps signing beside the new one for this long, so a
# partner can switch its verifier without losing a single delivery.
ROTATION_OVERLAP = timedelta(hours=24)
# A subscription whose every attempt has failed for this long is disabled. Time, not a
# count of failures: a count depends on how many bookings happen (a busy shop would burn
# through any N in a short outage, a quiet one would never reach it), while a day of
# nothing but failures means the same for every partner, and is shorter than the retry
# schedule's 33 hours, so the deliveries disabling holds back have not died yet.
DISABLE_AFTER = timedelta(hours=24)


@attrs.define
class Subscription:
    id: UUID
    partner_id: int
    url: str
    event_types: frozenset[str]  # empty: every event
    format: str
    secret: str
    is_active: bool = True
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None
    payload_options: PayloadOptions = attrs.field(factory=PayloadOptions)
    # When the current run of failed attempts began (None: the last attempt succeeded).
    failing_since: datetime | None = None
    # Why the relay disabled it; empty when the partner paused it or it is active.
    disabled_reason: str = ""

    def __attrs_post_init__(self) -> None:
        unknown = sorted(self.event_types - EVENT_TYPE_NAMES)
        if unknown:
            raise InvalidSubscription(
                f"Unknown event types: {', '.join(unknown)}.",
                Fault("event_types", f"Choose from {', '.join(sorted(EVENT_TYPE_NAMES))}."),
            )

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.event_types or event_type in self.event_types)

    def note_attempts(self, any_succeeded: bool, now: datetime) -> bool:
        """Take a batch's attempts to this subscription into account: a success ends a
        run of failures; a run that has lasted DISABLE_AFTER disables the subscription
        (its deliveries wait, they are not dropped). Whether anything changed."""
        if any_succeeded:
            changed = self.failing_since is not None
            self.failing_since = None
            return changed
        if self.failing_since is None:
            self.failing_since = now
            return True
        if self.is_active and now - self.failing_since >= DISABLE_AFTER:
            self.is_active = False
            self.disabled_reason = (
                f"Every attempt failed from {self.failing_since.isoformat()} for "
                f"{DISABLE_AFTER.total_seconds() / 3600:.0f} hours; set is_active to "
                "true to enable it again."
            )
            return True
        return False

    def enable(self) -> None:
        """Active again, with a clean slate (the partner says it is fixed)."""
        self.is_active = True
        self.failing_since = None
        self.disabled_reason = ""

    def rotate_secret(self, new_secret: str, now: datetime) -> None:
        """Sign with `new_secret` from now on, and with the old one too for a day.

        One rotation at a time: a second one during the overlap would drop the oldest
        secret at once, while the partner may still be verifying with it."""
        if self.previous_secret_expires_at is not None and now < self.previous_secret_expires_at:
            raise RotationUnderWay(
                f"The last rotation overlaps until {self.previous_secret_expires_at.isoformat()}."
            )
        self.previous_secret = self.secret
        self.previous_secret_expires_at = now + ROTATION_OVERLAP
        self.secret = new_secret

    def signing_secrets(self, now: datetime) -> list[str]:
        """Every secret a delivery sent now is signed with, newest first."""
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and now < self.previous_secret_expires_at
        ):
            secrets.append(self.previous_secret)
        return secrets
