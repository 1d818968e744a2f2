"""The storefront's forms. They read what was typed; the use cases decide what it may be.

A form checks only that a value can be read (a slot id, a whole number of seats); how
many seats a line may have, whether a slot has started or has room are the domain's
rules, and their errors come back through `add_domain_error` beside the field they name.
"""

from typing import Any
from uuid import uuid4

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from adapters.platform import sign_in_attempts
from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from domain.catalog.errors import NotEnoughSeats
from domain.shared.errors import DomainError, InvalidInput

TOO_MANY = "too_many_attempts"


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

    def clean(self) -> dict[str, Any]:
        """Too many failures for this email from this address (or from this address at
        all) refuse the attempt before the password is checked (`sign_in_attempts`)."""
        email = self.cleaned_data.get("username")
        address = sign_in_attempts.client_address(self.request) if self.request else "-"
        try:
            return sign_in_attempts.attempt(email, address, super().clean, forms.ValidationError)
        except sign_in_attempts.TooManyFailures:
            minutes = sign_in_attempts.WINDOW_SECONDS // 60
            raise forms.ValidationError(
                f"Too many failed attempts. Try again in {minutes} minutes.", code=TOO_MANY
            ) from None


class HoldForm(forms.Form):
    """One line of a booking: a slot of the listing on show, and how many seats.

    `submission` is a fresh id in each form shown: a form sent twice (a double click, a
    reload after a slow answer) carries the same one, and holds seats once.
    """

    # autocomplete off: a browser's Back button must not bring an old id to a new form.
    submission = forms.UUIDField(
        widget=forms.HiddenInput(attrs={"autocomplete": "off"}), required=False
    )

    slot = forms.UUIDField(error_messages={"required": "Pick a slot.", "invalid": "Pick a slot."})
    seats = forms.IntegerField(
        initial=1, error_messages={"required": "How many seats?", "invalid": "A whole number."}
    )

    # The domain's fields this form shows beside their input (its one line is line 0);
    # any other fault goes above the form.
    FORM_FIELDS = frozenset({"slot", "seats"})

    @classmethod
    def blank(cls) -> "HoldForm":
        return cls(initial={"submission": uuid4()})

    def submission_key(self) -> str | None:
        """The key that makes this form's hold happen once; None for a form without one.
        What the form asks for is part of it: the same id with another slot or number of
        seats (a form changed after Back) is a new hold, not the first one's booking."""
        submission = self.cleaned_data.get("submission")
        if not submission:
            return None
        return (
            f"storefront-hold:{submission}:{self.cleaned_data['slot']}:{self.cleaned_data['seats']}"
        )

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
        elif isinstance(error, InvalidInput) and error.faults:
            for fault in error.faults:
                beside = fault.field if fault.field in self.FORM_FIELDS else None
                self.add_error(beside, fault.message)
        else:
            self.add_error(None, str(error))
