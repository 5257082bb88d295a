"""The search engines' own database objects, which the migration makes and the ORM does not describe."""

from __future__ import annotations

ENGINE_PREFIX = "kb_fts"  # FTS5 tables and their shadow tables, triggers, the tsvector column, GIN indexes


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name` hook: leave the engines' `kb_fts*` objects out of autogenerate and comparisons."""
    return not (name or "").startswith(ENGINE_PREFIX)


def chain_include_name(previous):
    """`include_name` combined with a hook the application already had (or None)."""
    if previous is None:
        return include_name
    return lambda name, type_, parent_names: include_name(name, type_, parent_names) and previous(
        name, type_, parent_names)
