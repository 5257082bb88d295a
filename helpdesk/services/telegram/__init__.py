"""Telegram: bots (accounts and webhooks), inbound updates into ingestion, and getUpdates polling."""
