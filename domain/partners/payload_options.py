"""How one partner wants its payloads shaped: the options a subscription carries.

The options are data; applying them is `application.partners.payload_options`. They are
checked here, whatever door they came in by (the partner API, the admin)."""

from __future__ import annotations

import re

import attrs

from domain.partners.errors import InvalidSubscription
from domain.shared.errors import Fault

# The booking fields a partner may choose from (`application.partners.payloads`).
PAYLOAD_FIELDS = ("reference", "status", "lines", "total", "refund")
# Every top-level key of every format's envelope: the keys a partner may rename.
ENVELOPE_KEYS = frozenset(
    {"type", "timestamp", "data", "id", "specversion", "source", "time", "datacontenttype"}
    | {"subject"}
)
# What a renamed key may be called (the partner API's schema states it too).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,39}")


@attrs.frozen
class PayloadOptions:
    """Amounts as integers in minor units (cents), only the chosen booking fields
    (empty: all of them), and envelope keys renamed (`{"type": "event"}`)."""

    minor_units: bool = False
    fields: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    rename: dict[str, str] = attrs.field(factory=dict, converter=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        faults: list[Fault] = []
        for index, name in enumerate(self.fields):
            if name not in PAYLOAD_FIELDS:
                faults.append(
                    Fault(
                        f"payload_options.fields.{index}",
                        f"Unknown field {name!r}; choose from {', '.join(PAYLOAD_FIELDS)}.",
                    )
                )
        if len(set(self.fields)) != len(self.fields):
            faults.append(Fault("payload_options.fields", "A field is chosen twice."))
        kept = ENVELOPE_KEYS - set(self.rename)  # keys that keep their names
        seen: set[str] = set()
        for key, new in self.rename.items():
            field = f"payload_options.rename.{key}"
            if key not in ENVELOPE_KEYS:
                choices = ", ".join(sorted(ENVELOPE_KEYS))
                faults.append(Fault(field, f"Unknown envelope key {key!r}; choose from {choices}."))
            elif not isinstance(new, str) or not NAME.fullmatch(new):
                faults.append(Fault(field, "A name of letters, digits, _ . or -, at most 40."))
            elif new in kept or new in seen:
                faults.append(Fault(field, f"{new!r} is already a key of the envelope."))
            seen.add(new)
        if faults:
            raise InvalidSubscription("Invalid payload options.", *faults)

    def as_dict(self) -> dict[str, object]:
        return {
            "minor_units": self.minor_units,
            "fields": list(self.fields),
            "rename": dict(self.rename),
        }
