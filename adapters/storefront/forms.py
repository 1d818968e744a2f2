"""The storefront's forms. They read what was typed; the use cases decide what it may be.

A form checks only that a value can be read (a slot id, a whole number of seats); how
many seats a line may have, whether a slot has started or has room are the domain's
rules, and their errors come back through `add_domain_error` beside the field they name.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from domain.catalog.errors import NotEnoughSeats
from domain.shared.errors import DomainError, InvalidInput


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for the email: customers' usernames are their emails,
    stored lower-cased (as registration and the token endpoint treat them)."""

    username = UsernameField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "This email and password do not match an account.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class HoldForm(forms.Form):
    """One line of a booking: a slot of the listing on show, and how many seats."""

    slot = forms.UUIDField(error_messages={"required": "Pick a slot.", "invalid": "Pick a slot."})
    seats = forms.IntegerField(
        initial=1, error_messages={"required": "How many seats?", "invalid": "A whole number."}
    )

    # Where the domain's field names (the API's `lines.0.seats`) land on this form; any
    # other goes above the form.
    DOMAIN_FIELDS = {"lines.0.slot_id": "slot", "lines.0.seats": "seats"}

    def command(self, customer_id: int) -> HoldSeatsCommand:
        data = self.cleaned_data
        return HoldSeatsCommand(customer_id, (HoldLine(data["slot"], data["seats"]),))

    def selected_slot(self) -> str:
        """The slot picked, as the radio buttons' values spell it ('' for none)."""
        value = self["slot"].value()
        return str(value) if value else ""

    def add_domain_error(self, error: DomainError) -> None:
        """Put the use case's refusal beside the field it is about; others above the form."""
        if isinstance(error, NotEnoughSeats):
            seats = "seat is" if error.available == 1 else "seats are"
            self.add_error("seats", f"Only {error.available} {seats} left in this slot.")
        elif isinstance(error, InvalidInput) and error.fields:
            for name, messages in error.fields.items():
                for message in messages:
                    self.add_error(self.DOMAIN_FIELDS.get(name), message)
        else:
            self.add_error(None, str(error))
