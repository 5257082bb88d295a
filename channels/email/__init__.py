"""E-mail channel: SMTP out (IMAP in arrives with the e-mail channel issue)."""
