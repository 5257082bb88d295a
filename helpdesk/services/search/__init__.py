"""Ticket search: the index (kept current after every committed change) and the search itself,
on the knowledge base's engines (FTS5 on SQLite, tsvector and pg_trgm on PostgreSQL)."""
