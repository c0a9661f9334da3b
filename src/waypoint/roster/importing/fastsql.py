"""Fast writes for imports: COPY on PostgreSQL, ``executemany`` on SQLite.

``bulk_create`` builds and compiles a model instance per row, which is most of the time an
import of a million enrollments would take. These helpers write plain tuples instead, adapting
only the types that need it. Table and column names come from the models, never from input.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 10_000
Adapter = Callable[[Any], Any]


def chunks(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _JsonDumper:
    """JSON text for a value. Empty containers and short lists of strings (grades, user ids,
    district groups) repeat across hundreds of thousands of rows: their text is made once."""

    def __init__(self) -> None:
        self.encode = json.JSONEncoder(ensure_ascii=False).encode
        self.lists: dict[tuple[Any, ...], str] = {}

    def __call__(self, value: Any) -> str:
        if not value:
            if isinstance(value, dict):
                return "{}"
            if isinstance(value, list):
                return "[]"
        elif type(value) is list and len(value) <= 4:
            key = tuple(value)
            try:
                return self.lists[key]
            except KeyError:
                text = self.encode(value)
                if len(self.lists) < 10_000:
                    self.lists[key] = text
                return text
            except TypeError:  # an unhashable item
                pass
        return self.encode(value)


def _adapter(f: models.Field[Any, Any], copy: bool) -> Adapter | None:
    if isinstance(f, models.JSONField):
        return _JsonDumper()
    if copy:
        return None  # psycopg adapts dates, datetimes, decimals and booleans itself
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return lambda v: v.isoformat() if isinstance(v, dt.date) else v
    if isinstance(f, models.DecimalField):
        return lambda v: str(v) if isinstance(v, decimal.Decimal) else v
    return None


def _adapt_rows(
    rows: Iterable[Sequence[Any]], adapters: list[Adapter | None], tail: tuple[Any, ...]
) -> Iterator[list[Any]]:
    """Rows with the ``tail`` values appended and adapted. A list row without a tail is
    adapted in place (the rows handed to the writers are built for it and not kept)."""
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    for row in rows:
        values = row if not tail and type(row) is list else [*row, *tail]
        for i, adapt in active:
            if values[i] is not None:
                values[i] = adapt(values[i])
        yield values


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(n) for n in names]  # type: ignore[misc]


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert tuples (values in the order of ``names``); other columns take their defaults."""
    meta = model._meta
    given = _fields(model, names)
    rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
    fields = [*given, *rest]
    tail = tuple(f.get_default() for f in rest)
    copy = connection.vendor == "postgresql"
    adapters = [_adapter(f, copy) for f in fields]
    quote = connection.ops.quote_name
    cols = ", ".join(quote(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if copy:
            raw = cursor.cursor
            with raw.copy(f"COPY {quote(meta.db_table)} ({cols}) FROM STDIN") as cp:
                for values in _adapt_rows(rows, adapters, tail):
                    cp.write_row(values)
                    count += 1
            return count
        # multi-row INSERTs: a few statement texts (full ones, then power-of-two rests) so that
        # SQLite's cache of compiled statements stays small
        head = f"INSERT INTO {quote(meta.db_table)} ({cols}) VALUES "  # noqa: S608
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, min(SQLITE_ROWS, _max_params() // len(fields)))
        for chunk in chunks(_adapt_rows(rows, adapters, tail)):
            for start, end in _pieces(len(chunk), size):
                params: list[Any] = []
                for values in chunk[start:end]:
                    params += values
                cursor.execute(head + ", ".join([one] * (end - start)), params)
            count += len(chunk)
    return count


SQLITE_ROWS = 1024


def _max_params() -> int:
    """Parameters one statement may carry (SQLite's own limit, not Django's cautious 999)."""
    import sqlite3

    connection.ensure_connection()
    raw = connection.connection
    if raw is not None and hasattr(raw, "getlimit"):
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 999


def _pieces(total: int, size: int) -> Iterator[tuple[int, int]]:
    """Statements of ``size`` rows, then the rest in power-of-two parts."""
    start = 0
    while total - start >= size:
        yield start, start + size
        start += size
    part = 1 << max(0, (total - start).bit_length() - 1)
    while start < total:
        while part > total - start:
            part >>= 1
        yield start, start + part
        start += part


def update_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Update by primary key: each row is ``(pk, *values in the order of names)``."""
    meta = model._meta
    fields = [meta.pk, *_fields(model, names)]
    copy = connection.vendor == "postgresql"
    adapters = [_adapter(f, copy) for f in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)  # type: ignore[union-attr]
    count = 0
    with connection.cursor() as cursor:
        if copy:
            cols = ", ".join(quote(f.column) for f in fields)
            cursor.execute("DROP TABLE IF EXISTS _waypoint_update")
            cursor.execute(
                f"CREATE TEMP TABLE _waypoint_update AS SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608
            )
            with cursor.cursor.copy(f"COPY _waypoint_update ({cols}) FROM STDIN") as cp:
                for values in _adapt_rows(rows, adapters, ()):
                    cp.write_row(values)
                    count += 1
            sets = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in fields[1:])
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM _waypoint_update u WHERE {table}.{pk} = u.{pk}"  # noqa: S608
            )
            cursor.execute("DROP TABLE _waypoint_update")
            return count
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields[1:])
        sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608
        for chunk in chunks(_adapt_rows(rows, adapters, ())):
            cursor.executemany(sql, [[*v[1:], v[0]] for v in chunk])
            count += len(chunk)
    return count


def delete_rows(model: type[models.Model], pks: Iterable[int]) -> int:
    """Delete rows by primary key (only for link rows that nothing else points to)."""
    count = 0
    for chunk in chunks(pks):
        count += model.objects.filter(pk__in=chunk).delete()[0]
    return count
