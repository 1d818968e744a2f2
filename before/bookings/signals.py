"""Signals of the bookings app.

`booking_status_changed` is sent by `Booking.save()` whenever a booking is created
(`old_status` None) or its status changes, with `booking`, `old_status` and
`new_status`. It is sent inside the caller's transaction: a receiver that writes rows
commits or rolls back with the booking, and one that talks to the world defers that
with `transaction.on_commit`.
"""

import django.dispatch

booking_status_changed = django.dispatch.Signal()
