"""Where the CSV files come from (a folder or a zip) and how they are read: UTF-8, strict CSV.

Reading streams each file row by row, so a million-row file never sits in memory whole.
Problems with the files themselves (missing, not UTF-8, truncated, a broken zip) are reported
like any other problem, with the file and row.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from waypoint.roster.importing.data import Problem

csv.field_size_limit(1 << 24)


class SourceError(Exception):
    """The path cannot be read as a OneRoster folder or zip at all."""


class Source:
    """A OneRoster package: a folder, or a zip (files at its root or in one folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if path.is_dir():
            self._names = {p.name: p for p in path.iterdir() if p.is_file()}
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise SourceError(
                    f"{path.name} is neither a folder nor a readable zip ({exc})"
                ) from None
            names = [n for n in self._zip.namelist() if not n.endswith("/")]
            manifests = sorted(n for n in names if PurePosixPath(n).name == "manifest.csv")
            if manifests:
                self._prefix = str(PurePosixPath(manifests[0]).parent)
                self._prefix = "" if self._prefix == "." else self._prefix + "/"
            self._names = {
                n[len(self._prefix) :]: n
                for n in names
                if n.startswith(self._prefix) and "/" not in n[len(self._prefix) :]
            }
        else:
            raise SourceError(f"{path} does not exist")

    def __contains__(self, name: str) -> bool:
        return name in self._names

    @property
    def names(self) -> set[str]:
        return set(self._names)

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(str(self._names[name]))
        return open(self._names[name], "rb")

    def size(self, name: str) -> int:
        if self._zip is not None:
            return self._zip.getinfo(str(self._names[name])).file_size
        return Path(self._names[name]).stat().st_size

    def total_size(self) -> int:
        return sum(self.size(n) for n in self._names if n.endswith(".csv"))

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class Table:
    """One CSV file: its header, then its rows as lists of strings, with problems noted.

    ``rows()`` yields ``(row_number, fields)``; the header is row 1. A row with the wrong
    number of fields, bytes that are not UTF-8, or a file that stops mid-row are reported
    and the rest of the file is skipped where it cannot be trusted.
    """

    def __init__(
        self,
        source: Source,
        name: str,
        problems: list[Problem],
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.progress = progress
        self.source = source
        self.name = name
        self.problems = problems
        self.header: list[str] = []
        self.ended_cleanly = True

    def _problem(self, row: int | None, reason: str, value: str = "", column: str = "") -> None:
        self.problems.append(Problem(self.name, row, column, value, reason))

    def _find_bad_bytes(self) -> tuple[int | None, bytes]:
        """The first line (1 = the header) holding bytes that are not UTF-8, and those bytes."""
        try:
            with self.source.open(self.name) as raw:
                for n, data in enumerate(raw, 1):
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        return n, data[exc.start : exc.end]
        except (OSError, zipfile.BadZipFile, EOFError):
            pass
        return None, b""

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        try:
            raw = self.source.open(self.name)
        except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
            self._problem(None, f"cannot be read ({exc})")
            return
        last_line = [""]  # the last line read (a quoted value may span several)
        progress = self.progress
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")

        number = 0
        width = 0
        counted = 0  # characters read since progress was last told

        pending: list[str | None] = [None]

        def lines() -> Iterator[str]:
            """What the csv module reads: the first line of a row with a quote, then the
            lines its quoted values span."""
            nonlocal counted
            while True:
                line = pending[0]
                if line is None:
                    line = next(text, None)
                    if line is None:
                        return
                    counted += len(line)
                else:
                    pending[0] = None
                last_line[0] = line
                yield line

        reader = csv.reader(lines(), strict=True)

        try:
            with raw:
                # A line without a quote is split at its commas, which is what the csv module
                # makes of it (strictly, in a quarter of the time); a line with a quote is
                # read by the csv module, strictly, with the lines a quoted value spans.
                for line in text:
                    if progress is not None:
                        counted += len(line)
                        if number & 4095 == 0:
                            progress(counted)
                            counted = 0
                    if '"' in line:
                        pending[0] = line
                        fields = next(reader)
                        line = last_line[0]
                    else:
                        stripped = line.rstrip("\r\n")
                        fields = stripped.split(",") if stripped else []
                    number += 1
                    if number == 1:
                        self.header = fields
                        width = len(fields)
                        continue
                    if fields == [""] or fields == []:
                        continue
                    if "\x00" in line:
                        self._problem(number, "this row holds a NUL character (a damaged file?)")
                        continue
                    if len(fields) != width:
                        at_end = not line.endswith(("\n", "\r"))
                        if at_end and len(fields) < width:
                            self._problem(
                                number,
                                f"the file ends in the middle of this row ({len(fields)} of "
                                f"{width} fields): it looks truncated",
                            )
                            self.ended_cleanly = False
                        else:
                            self._problem(
                                number,
                                f"this row has {len(fields)} fields but the header has "
                                f"{width} (a missing or extra comma, or an "
                                "unquoted comma in a value)",
                            )
                        continue
                    yield number, fields
                if progress is not None:
                    progress(counted)
        except UnicodeDecodeError:
            self.ended_cleanly = False
            line, bad = self._find_bad_bytes()
            self._problem(
                line or number + 1,
                "the file is not UTF-8 encoded (save it as UTF-8; it may be Windows-1252 "
                "or Latin-1)",
                value=bad.hex(" "),
            )
        except csv.Error as exc:
            self.ended_cleanly = False
            truncated = "unexpected end of data" in str(exc) or "EOF" in str(exc)
            self._problem(
                number + 1,
                "the file ends inside a quoted value: it looks truncated"
                if truncated
                else f"this row is not valid CSV ({exc})",
            )
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.ended_cleanly = False
            self._problem(number + 1, f"the file is damaged and cannot be read past here ({exc})")
        if number == 0:
            self._problem(None, "the file is empty: it needs at least a header row")
            self.ended_cleanly = False
