"""Partners: outside systems subscribed to booking events by webhook, each with its own
URL, secret, event filter and payload format. Downstream of bookings: it reads booking
events, bookings never know partners exist."""
