"""The WhatsApp Cloud API channel: webhook parsing (`parser`), webhook authentication
(`signature`), the Graph API client (`graph`, `errors`) and the outbound adapter (`adapter`)."""
