"""Automation: triggers on domain events (`triggers`, `runner`), their conditions and actions,
time-based automations and outbound webhooks. See ARCHITECTURE.md, Automation."""
