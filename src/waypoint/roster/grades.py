"""Grade levels: stored as small integers so they sort and compare; exchanged as CEDS codes."""

from __future__ import annotations

from django.db import models


class Grade(models.IntegerChoices):
    INFANT_TODDLER = -3, "IT"
    PRESCHOOL = -2, "PR"
    PREKINDERGARTEN = -1, "PK"
    KINDERGARTEN = 0, "KG"
    G1 = 1, "01"
    G2 = 2, "02"
    G3 = 3, "03"
    G4 = 4, "04"
    G5 = 5, "05"
    G6 = 6, "06"
    G7 = 7, "07"
    G8 = 8, "08"
    G9 = 9, "09"
    G10 = 10, "10"
    G11 = 11, "11"
    G12 = 12, "12"
    G13 = 13, "13"
    POSTSECONDARY = 14, "PS"
    UNGRADED = 15, "UG"


_BY_CODE = {label: value for value, label in Grade.choices}
_BY_CODE.update({"TK": -1, "K": 0, "PreK": -1, "Other": 15})


def grade_from_code(code: str) -> int:
    """CEDS code ("KG", "03", "3") to the stored integer; ValueError for anything else."""
    text = code.strip()
    if text in _BY_CODE:
        return _BY_CODE[text]
    if text.isdigit() and 1 <= int(text) <= 13:
        return int(text)
    raise ValueError(f"{code!r} is not a grade level (expected a CEDS code such as KG, 01 … 12)")


def grade_label(value: int | None) -> str:
    """Human label: Kindergarten shows as K, grades as their number."""
    if value is None:
        return "—"
    if value == 0:
        return "K"
    if 1 <= value <= 13:
        return str(value)
    return Grade(value).label
