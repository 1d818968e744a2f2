"""What every app of the before shop shares: problem details, pagination, money, health."""
