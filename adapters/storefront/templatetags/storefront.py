"""Template filters for the storefront: how the shop's values read on a page."""

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from application.booking.queries import BookedLine
from domain.catalog.policy import CancellationPolicy

register = template.Library()

EN_DASH = "\N{EN DASH}"  # between two times, as the listing page writes a slot


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


@register.filter
def slot_times(booked: BookedLine) -> str:
    """When a booked slot runs, in the shop's time zone, named so no one has to guess:
    "Sat 12 Dec 2026, 10:00 to 12:00 UTC" (with a dash), and the end's date as well
    when it ends on another day. Each end is a `<time>`, for machines and so that a
    narrow column breaks the line between them, not inside one."""
    starts, ends = timezone.localtime(booked.starts_at), timezone.localtime(booked.ends_at)
    same_day = starts.date() == ends.date()
    return format_html(
        '<time datetime="{}">{}</time>{}<time datetime="{}">{}</time>',
        starts.isoformat(),
        dateformat.format(starts, "D j M Y, H:i"),
        EN_DASH if same_day else f" {EN_DASH} ",
        ends.isoformat(),
        dateformat.format(ends, "H:i T" if same_day else "D j M Y, H:i T"),
    )
