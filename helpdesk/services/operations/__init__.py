"""Running the helpdesk: readiness checks, Prometheus metrics, JSON logs with request ids, backups."""
