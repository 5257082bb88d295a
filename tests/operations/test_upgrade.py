"""Upgrading from the oldest supported schema keeps every row: a database made by the first migration
and filled with data is upgraded to head, and every value is still there."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    create_engine,
    insert,
    select,
    text,
)

from helpdesk import create_app
from helpdesk.services.operations.readiness import MIGRATIONS

ROWS = 3
# Tables a migration replaced by another, with the columns that carried over (old name: new name).
REPLACED = {"priority_rules": ("triggers", {"id": "id", "position": "position", "name": "name",
                                           "active": "active", "stop": "stop"})}


def _oldest_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    return [r.revision for r in script.walk_revisions()][-1]


def _value(column, n: int):
    kind = column.type
    if column.foreign_keys:
        return None if column.nullable else 1 + (n % ROWS)
    if isinstance(kind, Boolean):
        return n % 2 == 0
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1 + n, 9, 30)
    if isinstance(kind, Date):
        return datetime(2026, 1, 1 + n).date()
    if isinstance(kind, Integer):
        return n + 1
    if isinstance(kind, Float | Numeric):
        return n + 0.5
    if isinstance(kind, JSON):
        return {"n": n}
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 40
        return f"{column.name[:10]}-{n}-{uuid.uuid4().hex[:6]}"[:length]
    return None


def _fill(engine) -> dict[str, list[dict]]:
    """ROWS rows in every table of the schema as the oldest migration made it."""
    tables = MetaData()
    tables.reflect(engine)
    written: dict[str, list[dict]] = {}
    with engine.begin() as conn:
        for table in tables.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [{c.name: _value(c, n) for c in table.columns} for n in range(ROWS)]
            conn.execute(insert(table), rows)
            written[table.name] = rows
    return written


@pytest.fixture
def oldest_database(database_url, tmp_path):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
              "HELPDESK_ATTACHMENTS_DIR": str(tmp_path / "attachments")}
    app = create_app(config)
    engine = create_engine(database_url)
    with engine.begin() as conn:  # the per-test database arrives migrated: start from nothing
        if conn.dialect.name == "postgresql":  # (its search objects and functions too; head is rebuilt below)
            schema = conn.scalar(text("SELECT current_schema()"))
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        else:
            tables = MetaData()
            tables.reflect(conn)
            tables.drop_all(conn)
    with app.app_context():
        upgrade(revision=_oldest_revision())
    yield app, engine
    engine.dispose()


def test_upgrading_the_oldest_schema_to_head_keeps_every_row(oldest_database):
    app, engine = oldest_database
    written = _fill(engine)
    with app.app_context():
        upgrade()
    after = MetaData()
    after.reflect(engine)
    with engine.connect() as conn:
        head = conn.scalar(text("SELECT version_num FROM alembic_version"))
        assert head in ScriptDirectory(str(MIGRATIONS)).get_heads()
        for name, rows in written.items():
            if name not in after.tables:  # its rows live on in the table that replaced it
                target, columns = REPLACED[name]
                table = after.tables[target]
                found = [dict(r._mapping) for r in conn.execute(select(*[table.c[c] for c in columns.values()]))]
                expected = [{new: row[old] for old, new in columns.items()} for row in rows]
                assert sorted(found, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"]), name
                continue
            table = after.tables[name]
            kept = [c for c in rows[0] if c in table.columns]
            found = [dict(r._mapping) for r in conn.execute(select(*[table.c[c] for c in kept]))]
            expected = [{c: row[c] for c in kept} for row in rows]
            key = lambda r: str(sorted(r.items()))  # noqa: E731
            assert sorted(found, key=key) == sorted(expected, key=key), name
