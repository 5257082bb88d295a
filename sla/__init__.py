"""SLA time math: business calendars, policies and clocks (pure, no Flask, no database).

The engine arrives with the SLA issue; tickets already carry `first_response_due_at` and
`resolution_due_at` for it to fill.
"""
