"""E-mail: mailboxes (IMAP/SMTP settings), the sync that reads a mailbox into ingestion, and inbound specifics (bounces, auto-replies, failed mail)."""
