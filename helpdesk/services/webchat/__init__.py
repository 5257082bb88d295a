"""Web chat: widgets and their settings, visitors and their verified addresses, chat messages, and the live-chat hand-over between visitor and agent."""
