"""Payment providers, seen from Portside: gateways (outgoing calls) and the inbound
webhook adapter. Which provider runs is the `PAYMENT_PROVIDER` setting."""
