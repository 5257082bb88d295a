"""Phone calls: CTI accounts, call events in (webhook, Asterisk bridge), callers matched to
customers, the live popup's data, the call log, tickets for missed calls, call metrics."""
