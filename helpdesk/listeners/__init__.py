"""Long-running readers: mailboxes (mail), Telegram polling (telegram), and the leases that keep one reader per source across processes (leases)."""
