"""Agent performance reports: the facts credited per event (facts), the tables over them (tables), drill-down to tickets (details) and CSV export (export)."""
