"""Many rows in one short statement on PostgreSQL: each column travels as one array and `unnest`
turns them back into rows. A batch of 500 was 500 UPDATEs in a pipeline, or an INSERT with 3,500
placeholders that psycopg parsed afresh for every batch; as arrays it is one statement of a few
placeholders, compiled and converted once whatever the batch size. SQLite keeps executemany (no
round trips to save in-process): callers use these only on PostgreSQL.

Reads by a list of ids likewise: `column = ANY(:ids)` is one query text on PostgreSQL whatever the
number of ids, where an expanding `IN` made a new text of 500 placeholders every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Table, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

T = TypeVar("T")


def by_dialect(build: Callable[[Callable], T]) -> dict[str, T]:
    """`build(member)` for each dialect, where `member(column, name="ids")` is the clause "column
    is one of parameter `name`": an expanding IN on SQLite, `= ANY(array)` on PostgreSQL."""
    def expanding(column, name: str = "ids"):
        return column.in_(bindparam(name, expanding=True))

    def array(column, name: str = "ids"):
        return column == any_(bindparam(name, type_=ARRAY(column.type)))

    return {"sqlite": build(expanding), "postgresql": build(array)}


def _rows(table: Table, columns: dict[str, str]):
    """unnest(:param::type[], ...) AS v(param, ...) for {parameter: column of `table`}."""
    arrays = [bindparam(param, type_=ARRAY(table.c[column].type)) for param, column in columns.items()]  # %(p)s::type[]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name="v")


def update_from_arrays(table: Table, key: tuple[str, str], names: Sequence[str]):
    """UPDATE `table` SET each of `names` WHERE key column = key parameter, for rows given as
    arrays: execute with {key parameter: [...], name: [...], ...} (`arrays(rows, ...)`)."""
    column, param = key
    rows = _rows(table, {param: column} | {name: name for name in names})
    return table.update().where(table.c[column] == rows.c[param]).values({name: rows.c[name] for name in names})


def insert_from_arrays(table: Table, names: Sequence[str]):
    """INSERT INTO `table` (names) of rows given as arrays (`arrays(rows, names)`); a PostgreSQL
    insert, so `.on_conflict_do_nothing()` and `.returning()` can follow."""
    rows = _rows(table, {name: name for name in names})
    return pg_insert(table).from_select(list(names), select(*(rows.c[name] for name in names)))


def arrays(rows: Sequence[dict], names: Sequence[str]) -> dict[str, list]:
    """Row dicts as one list per name, the parameters of the statements above."""
    return {name: [row[name] for row in rows] for name in names}
