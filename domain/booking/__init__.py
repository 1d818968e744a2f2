"""Bookings: a customer's seats in one or more slots, from hold to confirmation,
cancellation or expiry. Downstream of the catalogue: it uses slots and policies,
the catalogue never knows bookings exist."""
