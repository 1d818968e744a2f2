"""Template filters for the storefront: how the shop's values read on a page."""

from django import template

from domain.catalog.policy import CancellationPolicy

register = template.Library()


@register.filter
def refund_terms(policy: CancellationPolicy) -> list[str]:
    """The policy's tiers in words, longest notice first."""
    terms = [
        f"{'Full' if tier.refund_percent == 100 else f'{tier.refund_percent}%'} refund "
        f"if you cancel more than {tier.hours_before} h before the start"
        for tier in policy.tiers
        if tier.refund_percent
    ]
    return [*terms, "no refund after that"] if terms else ["Non-refundable"]


@register.filter
def seats(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"
