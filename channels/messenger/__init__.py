"""The Messenger channel (a Facebook Page): webhook parsing (`parser`) and the Send API adapter
(`adapter`). Authentication and the Graph API client are shared with WhatsApp (channels.whatsapp)."""
