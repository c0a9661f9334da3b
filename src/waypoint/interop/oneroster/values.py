"""Reading single values: dates, date-times, booleans, lists, grades, subjects."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from waypoint.roster.grades import grade_from_code
from waypoint.roster.models import Subject

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


class BadValue(ValueError):
    """A value that cannot be read; the message is the reason shown to the clerk."""


_dates: dict[str, dt.date] = {}
_datetimes: dict[str, dt.datetime] = {}


def parse_date(text: str) -> dt.date:
    """An ISO 8601 calendar date, YYYY-MM-DD, as OneRoster requires."""
    cached = _dates.get(text)
    if cached is not None:
        return cached
    if not _DATE.fullmatch(text):
        raise BadValue("not an ISO 8601 date (write it as YYYY-MM-DD, e.g. 2025-08-15)")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise BadValue("not a real calendar date") from None
    if len(_dates) < 100_000:
        _dates[text] = value
    return value


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 date-time such as 2025-08-15T00:00:00.000Z (a bare date means midnight UTC)."""
    cached = _datetimes.get(text)
    if cached is not None:
        return cached
    if not _DATETIME.fullmatch(text):
        raise BadValue(
            "not an ISO 8601 date-time (write it as YYYY-MM-DDThh:mm:ss.sssZ, "
            "e.g. 2025-08-15T08:01:05.000Z)"
        )
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadValue("not a real date and time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    if len(_datetimes) < 100_000:
        _datetimes[text] = value
    return value


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_bool(text: str) -> bool:
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise BadValue("not true or false")


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_grade(text: str) -> int:
    try:
        return grade_from_code(text)
    except ValueError:
        raise BadValue(
            "not a grade level (use a CEDS code: IT, PR, PK, TK, KG, 01 … 13, PS, UG, Other)"
        ) from None


def parse_share(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadValue("not a number between 0 and 1") from None
    if not value.is_finite() or not 0 <= value <= 1:
        raise BadValue("not a number between 0 and 1")
    return value.quantize(Decimal("0.001"))


_SUBJECT_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("homeroom", "advisory"), Subject.HOMEROOM),
    (("math", "algebra", "geometry", "calculus", "statistic"), Subject.MATHEMATICS),
    (
        ("english", "language arts", "ela", "reading", "literacy", "writing", "literature"),
        Subject.ELA,
    ),
    (("science", "biology", "chemistry", "physics", "earth"), Subject.SCIENCE),
    (
        ("social", "history", "geography", "civics", "economics", "government"),
        Subject.SOCIAL_STUDIES,
    ),
    (
        ("spanish", "french", "german", "chinese", "latin", "world language"),
        Subject.WORLD_LANGUAGES,
    ),
    (("art", "music", "theat", "drama", "band", "choir", "dance"), Subject.ARTS),
    (("physical", "health", "p.e.", "pe"), Subject.PHYSICAL_EDUCATION),
    (("computer", "coding", "programming"), Subject.COMPUTER_SCIENCE),
    (("career", "technical", "cte", "vocational"), Subject.CAREER_TECHNICAL),
)
SUBJECTS = {value for value, _label in Subject.choices}


def subject_from(subjects: list[str]) -> str:
    """Waypoint's subject for OneRoster's free-text subjects (the first that matches)."""
    for text in subjects:
        low = text.lower()
        if low in SUBJECTS:
            return low
        words = set(re.split(r"[^a-z.]+", low))
        for needles, subject in _SUBJECT_WORDS:
            if any((n in words) if len(n) <= 3 else (n in low) for n in needles):
                return str(subject)
    return str(Subject.OTHER)
