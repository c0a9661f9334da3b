"""Fast bulk writes for the demo's millions of rows, on SQLite and PostgreSQL alike.

``bulk_create`` builds a model instance and compiles every field of every row, which is
most of the time it takes to write a 100,000-learner district. These rows are plain values
we made ourselves, so they are written as tuples: multi-row ``INSERT … VALUES`` on SQLite,
``COPY … FROM STDIN`` on PostgreSQL. Only the types that need it (dates, decimals, JSON)
are adapted, the way Django would. Columns not named take the model field's default. With
``returning=True`` the new primary keys come back in row order (``RETURNING`` on SQLite;
on PostgreSQL the ids are drawn from the table's sequence first, which is safe alongside
other writers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from django.db import connection, models

BATCH = 5000
SQLITE_ROWS = 1024  # rows per INSERT statement on SQLite
T = TypeVar("T")

Adapter = Callable[[Any], Any]


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    """How to turn a Python value into a parameter (None: pass it as it is)."""
    ops = connection.ops
    postgres = connection.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda v: json.dumps(v, cls=encoder)
    if postgres:  # COPY adapts dates, decimals and the rest itself
        return None
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(
        field, (models.CharField, models.TextField, models.BooleanField, models.IntegerField)
    ):
        return None
    if isinstance(field, models.ForeignKey):
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _max_params() -> int:
    """Parameters one statement may carry (SQLite's real limit, not Django's cautious 999)."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        raw = connection.connection
        if raw is not None and hasattr(raw, "getlimit"):
            return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or 60_000)


def insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: bool = False,
) -> tuple[int, list[int]]:
    """Insert ``rows`` (tuples in the order of ``names``); returns (count, new ids)."""
    meta = model._meta
    given = [cast(models.Field[Any, Any], meta.get_field(n)) for n in names]
    rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
    fields = [*given, *rest]
    adapters = [_adapter(f) for f in fields]
    defaults = []
    for f, adapt in zip(rest, adapters[len(given) :], strict=True):
        value = f.get_default()
        defaults.append(adapt(value) if adapt is not None and value is not None else value)
    adapt_at = [(i, a) for i, a in enumerate(adapters[: len(given)]) if a is not None]

    def prepared(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for i, adapt in adapt_at:
            if values[i] is not None:
                values[i] = adapt(values[i])
        values += defaults
        return values

    if connection.vendor == "postgresql":
        return _copy(meta, fields, rows, prepared, returning)
    return _insert_values(meta, fields, rows, prepared, returning)


def _insert_values(
    meta: Any,
    fields: list[Any],
    rows: Iterable[Sequence[Any]],
    prepared: Callable[[Sequence[Any]], list[Any]],
    returning: bool,
) -> tuple[int, list[int]]:
    quote = connection.ops.quote_name
    head = (  # table and column names come from the model, never from input
        f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(SQLITE_ROWS, _max_params() // len(fields)))
    count, ids = 0, []
    with connection.cursor() as cursor:
        for chunk in batched(rows, BATCH):
            for start, end in _pieces(len(chunk), size):
                params: list[Any] = []
                for row in chunk[start:end]:
                    params += prepared(row)
                cursor.execute(head + ", ".join([one_row] * (end - start)) + tail, params)
                if returning:
                    ids += [r[0] for r in cursor.fetchall()]
            count += len(chunk)
    return count, ids


def _pieces(total: int, size: int) -> Iterator[tuple[int, int]]:
    """Full statements of ``size`` rows, then the rest in power-of-two parts.

    SQLite keeps each distinct statement text compiled in a cache (128 per connection);
    with few distinct row counts per table that cache stays small instead of holding
    hundreds of megabytes of one-off statements.
    """
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


def _copy(
    meta: Any,
    fields: list[Any],
    rows: Iterable[Sequence[Any]],
    prepared: Callable[[Sequence[Any]], list[Any]],
    returning: bool,
) -> tuple[int, list[int]]:
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(f.column) for f in fields]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            rows = list(rows)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = sorted(r[0] for r in cursor.fetchall())
            columns.insert(0, quote(meta.pk.column))
        count = 0
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = prepared(row)
                if returning:
                    values.insert(0, ids[count])
                copy.write_row(values)
                count += 1
    return count, ids
