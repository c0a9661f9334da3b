"""Reading a table of evidence (CSV or Parquet) into rows of text, with spreadsheet row numbers.

Both formats give the same thing: the column names, and each row as ``{column: text}`` with
its row number as a spreadsheet shows it (the header is row 1). Values are text so that one
set of checks serves both; Parquet numbers and times are written the way a CSV would hold
them (times in ISO 8601).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from waypoint.roster.importing.data import Problem


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


class UnreadableFile(Exception):
    """The file cannot be read at all; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_table(path: Path) -> Table:
    """A CSV (UTF-8, with a header row) or a Parquet file, by its extension."""
    if not path.is_file():
        raise UnreadableFile(Problem(path.name, None, "", "", "no such file"))
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_csv(path)
    reason = "give a .csv or a .parquet file"
    raise UnreadableFile(Problem(path.name, None, "", path.suffix, reason))


def _read_csv(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        raise UnreadableFile(Problem(path.name, None, "", "", reason)) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise UnreadableFile(Problem(path.name, 1, "", "", "the file has no header row"))
    columns = [h.strip() for h in header]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(columns):
            reason = f"{len(values)} value(s) for {len(columns)} column(s)"
            raise UnreadableFile(Problem(path.name, number, "", ",".join(values)[:80], reason))
        rows.append((number, {c: v.strip() for c, v in zip(columns, values, strict=True)}))
    return Table(columns, rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(_text(v) for v in value)
    return str(value).strip()


def _read_parquet(path: Path) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        reason = f"not a readable Parquet file ({exc})"
        raise UnreadableFile(Problem(path.name, None, "", "", reason)) from None
    columns = [str(c) for c in table.column_names]
    data = table.to_pydict()
    rows = [
        (number + 2, {c: _text(data[c][number]) for c in columns})
        for number in range(table.num_rows)
    ]
    return Table(columns, rows)
