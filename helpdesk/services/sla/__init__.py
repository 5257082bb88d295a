"""Service level agreements inside the app: policy configuration, each ticket's clocks, the scan that
finds crossings, alerts, the dashboard and the timeline. The time math itself is the pure top-level
`sla` package."""
