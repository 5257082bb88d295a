"""The Telegram channel: Bot API updates in (`parser`), replies out (`channel`), over `api`."""
