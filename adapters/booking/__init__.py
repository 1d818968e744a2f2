"""The booking context's Django side: tables, repositories, the unit of work, API,
admin, tasks and commands."""
