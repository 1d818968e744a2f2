"""Test data builders: `domain` (plain Python, no Django) and `orm` (database rows)."""
