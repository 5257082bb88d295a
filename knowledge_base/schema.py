"""The search engines' own database objects, which the migration makes and the ORM does not describe."""

from __future__ import annotations

# FTS5 tables and their shadow tables, triggers, the tsvector columns, GIN indexes (articles; tickets)
ENGINE_PREFIXES = ("kb_fts", "ticket_fts")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name` hook: leave the engines' `kb_fts*` and `ticket_fts*` objects out of autogenerate and comparisons."""
    return not (name or "").startswith(ENGINE_PREFIXES)


def chain_include_name(previous):
    """`include_name` combined with a hook the application already had (or None)."""
    if previous is None:
        return include_name
    return lambda name, type_, parent_names: include_name(name, type_, parent_names) and previous(
        name, type_, parent_names)
