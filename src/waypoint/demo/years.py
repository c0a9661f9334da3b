"""The demo's two school years (last year and the one containing today) and their terms.

A school year runs July 1 – June 30, so that one always contains today, even in summer;
instruction runs from mid-August to mid-June in two semesters (the terms), with an
October 1 count date. Enrollments for the current year begin on the first day of school,
or on July 1 when the demo is built before school has started, so that a summer demo still
shows classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class YearPlan:
    """One school year: its dates, and the dates enrollments and terms use."""

    key: str  # "prev" or "cur"
    start_year: int
    start_date: dt.date
    end_date: dt.date
    count_date: dt.date
    first_day: dt.date  # first day of instruction
    last_day: dt.date  # last day of instruction
    enroll_begin: dt.date  # begin date of enrollments that start with the year

    @property
    def title(self) -> str:
        return f"{self.start_year}–{str(self.start_year + 1)[-2:]}"

    def semesters(self) -> list[tuple[str, dt.date, dt.date]]:
        midyear = dt.date(self.start_year + 1, 1, 15)
        return [
            ("Semester 1", self.first_day, midyear),
            ("Semester 2", midyear + dt.timedelta(days=1), self.last_day),
        ]

    def quarters(self) -> list[tuple[str, int, dt.date, dt.date]]:
        """Grading periods as (title, semester index, start, end)."""
        y = self.start_year
        return [
            ("Quarter 1", 0, self.first_day, dt.date(y, 10, 31)),
            ("Quarter 2", 0, dt.date(y, 11, 1), dt.date(y + 1, 1, 15)),
            ("Quarter 3", 1, dt.date(y + 1, 1, 16), dt.date(y + 1, 3, 31)),
            ("Quarter 4", 1, dt.date(y + 1, 4, 1), self.last_day),
        ]


def year_plans(today: dt.date) -> tuple[YearPlan, YearPlan]:
    """(previous, current) school years, the current one containing ``today``."""
    start = today.year if today.month >= 7 else today.year - 1

    def plan(key: str, y: int, enroll_begin: dt.date | None = None) -> YearPlan:
        first_day = dt.date(y, 8, 15)
        return YearPlan(
            key=key,
            start_year=y,
            start_date=dt.date(y, 7, 1),
            end_date=dt.date(y + 1, 6, 30),
            count_date=dt.date(y, 10, 1),
            first_day=first_day,
            last_day=dt.date(y + 1, 6, 15),
            enroll_begin=enroll_begin or first_day,
        )

    current_first = dt.date(start, 8, 15)
    begin = current_first if today >= current_first else dt.date(start, 7, 1)
    return plan("prev", start - 1), plan("cur", start, begin)


def mid_year_window(year: YearPlan, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Dates on which learners may have joined or left during ``year`` (so far)."""
    first = year.first_day + dt.timedelta(days=14)
    last = min(year.last_day - dt.timedelta(days=14), today - dt.timedelta(days=1))
    return (first, last) if (last - first).days >= 14 else None
