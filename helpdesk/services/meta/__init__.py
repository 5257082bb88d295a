"""Meta's messaging channels: the Graph API webhook shared by WhatsApp and Messenger (accounts, inbound) and each one's accounts and inbound parts."""
