"""A subscription's payload options, applied as small pure steps in order over the
envelope a format builds: amounts in minor units, the chosen fields, renamed keys.

A new option is a field on `PayloadOptions` (domain), a step here and one line in
`steps()`; no format, view or task changes, and every format gets it."""

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from application.partners.ports import PartnerEvent, PayloadFormatter, RenderedPayload
from domain.partners.payload_options import PAYLOAD_FIELDS, PayloadOptions
from domain.shared.money import MINOR_UNITS

type Envelope = Mapping[str, Any]
type Step = Callable[[Envelope], Envelope]


def in_minor_units(envelope: Envelope) -> Envelope:
    """Every `{"amount": "12.50", "currency": "EUR"}` becomes `{"amount": 1250, …}`."""

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            if isinstance(value.get("amount"), str) and value.get("currency") in MINOR_UNITS:
                exponent = MINOR_UNITS[value["currency"]]
                cents = int(Decimal(value["amount"]).scaleb(exponent))
                return {**{k: convert(v) for k, v in value.items()}, "amount": cents}
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return dict(convert(envelope))


def select_fields(fields: tuple[str, ...], envelope: Envelope) -> Envelope:
    """Only the chosen booking fields stay in `data` (other data, a test event's, stays)."""
    data = envelope.get("data")
    if not isinstance(data, Mapping):
        return envelope
    dropped = set(PAYLOAD_FIELDS) - set(fields)
    return {**envelope, "data": {k: v for k, v in data.items() if k not in dropped}}


def rename_keys(rename: Mapping[str, str], envelope: Envelope) -> Envelope:
    """The envelope's keys under the partner's names, in their order."""
    return {rename.get(key, key): value for key, value in envelope.items()}


def steps(options: PayloadOptions) -> list[Step]:
    """The steps these options ask for, in the order they apply (renaming last: the
    steps before it find `data` under its own name)."""
    chosen: list[Step] = []
    if options.minor_units:
        chosen.append(in_minor_units)
    if options.fields:
        chosen.append(partial(select_fields, options.fields))
    if options.rename:
        chosen.append(partial(rename_keys, options.rename))
    return chosen


def render(
    formatter: PayloadFormatter, event: PartnerEvent, options: PayloadOptions
) -> RenderedPayload:
    """The event in the formatter's format, shaped by the subscription's options."""
    envelope: Envelope = formatter.envelope(event)
    for step in steps(options):
        envelope = step(envelope)
    return RenderedPayload(formatter.content_type, formatter.serialize(envelope))
