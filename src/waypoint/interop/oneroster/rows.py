"""Reading one CSV file's rows field by field, noting every problem with file, row and column."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator
from typing import TypeVar

from waypoint.interop.oneroster import spec
from waypoint.interop.oneroster.source import Table
from waypoint.interop.oneroster.values import BadValue, parse_bool, parse_date, parse_datetime
from waypoint.roster.importing.data import DELTA, Problem

T = TypeVar("T")


class Rows:
    """Walks a :class:`Table`; the accessors read the current row and report what is wrong."""

    def __init__(
        self,
        table: Table,
        problems: list[Problem],
        columns: tuple[str, ...],
        required: tuple[str, ...],
        mode: str,
    ) -> None:
        self.table = table
        self.file = table.name
        self.problems = problems
        self.columns = columns
        self.required_columns = required
        self.mode = mode
        self.index: dict[str, int] = {}
        self.extensions: list[tuple[str, int]] = []
        self.number = 0
        self.fields: list[str] = []
        self.ok = True
        self.seen: dict[str, int] = {}

    # -- the file ---------------------------------------------------------------------------
    def _check_header(self) -> None:
        header = self.table.header
        known = set(self.columns)
        for i, name in enumerate(header):
            if name in self.index:
                self.problem(f"the column {name} appears twice in the header", column=name, row=1)
                continue
            self.index[name] = i
            if name in known:
                continue
            if name.startswith(spec.EXTENSION_PREFIXES):
                self.extensions.append((name, i))
                continue
            close = difflib.get_close_matches(name, self.columns, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self.problem(
                f"{name} is not a column of this file in OneRoster; extension columns must "
                f"start with metadata. or ext_{hint}",
                column=name,
                row=1,
                value=name,
            )
        for name in self.required_columns:
            if name not in self.index:
                self.problem(
                    f"the required column {name} is missing from the header", column=name, row=1
                )

    def __iter__(self) -> Iterator[int]:
        first = True
        for number, fields in self.table.rows():
            if first:
                self._check_header()
                first = False
            self.number, self.fields, self.ok = number, fields, True
            yield number
        if first and self.table.header:
            self._check_header()

    # -- reporting --------------------------------------------------------------------------
    def problem(
        self,
        reason: str,
        *,
        column: str = "",
        value: str = "",
        row: int | None = -1,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(
                self.file,
                self.number if row == -1 else row,
                column,
                value,
                reason,
                severity,
            )
        )
        if severity == "error":
            self.ok = False

    # -- fields -----------------------------------------------------------------------------
    def get(self, column: str) -> str:
        i = self.index.get(column)
        return self.fields[i].strip() if i is not None else ""

    def text(self, column: str, limit: int = 255, *, required: bool = False) -> str:
        value = self.get(column)
        if not value:
            if required and column in self.index:
                self.problem("a required field is empty", column=column)
            return ""
        if len(value) > limit:
            self.problem(
                f"longer than the {limit} characters Waypoint keeps",
                column=column,
                value=value[:80],
            )
            return value[:limit]
        return value

    def read(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.get(column)
        if not value:
            if required and column in self.index:
                self.problem("a required field is empty", column=column)
            return None
        try:
            return parse(value)
        except BadValue as exc:
            self.problem(str(exc), column=column, value=value)
            return None

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        return self.read(column, parse_date, required=required)

    def boolean(self, column: str, default: bool) -> bool:
        value = self.read(column, parse_bool)
        return default if value is None else value

    def vocab(self, column: str, words: tuple[str, ...], *, required: bool = False) -> str:
        value = self.get(column)
        if not value:
            if required and column in self.index:
                self.problem("a required field is empty", column=column)
            return ""
        if value not in words:
            self.problem(
                f"not one of the allowed values ({', '.join(words)})", column=column, value=value
            )
            return ""
        return value

    def extension_values(self) -> dict[str, str]:
        return {name: self.fields[i] for name, i in self.extensions if self.fields[i] != ""}

    def common(self) -> tuple[str, str, dt.datetime | None] | None:
        """sourcedId (unique in the file), status and dateLastModified of the current row."""
        sid = self.text("sourcedId", required=True)
        if sid:
            first = self.seen.get(sid)
            if first is not None:
                self.problem(
                    f"duplicate sourcedId (already used on row {first})",
                    column="sourcedId",
                    value=sid,
                )
                sid = ""
            else:
                self.seen[sid] = self.number
        status = self.vocab("status", spec.STATUS)
        dlm_text = self.get("dateLastModified")
        dlm = self.read("dateLastModified", parse_datetime)
        if self.mode == DELTA:
            if not self.get("status"):
                self.problem("a delta file needs a status (active or tobedeleted)", column="status")
            if not dlm_text:
                self.problem("a delta file needs a dateLastModified", column="dateLastModified")
        if not sid:
            return None
        return sid, status or "active", dlm
