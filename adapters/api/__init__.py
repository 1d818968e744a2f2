"""What every REST endpoint shares: problem details, pagination, money fields."""
