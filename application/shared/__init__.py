"""What every context's use cases share: pagination, the clock, the message bus, errors."""
