"""Grade bands: the unit of certification, team keys and class-size caps."""

from __future__ import annotations

BANDS: dict[str, range] = {
    "PK-2": range(-3, 3),
    "3-5": range(3, 6),
    "6-8": range(6, 9),
    "9-12": range(9, 14),
}
"""Band name -> CEDS grade numbers (PK and younger count with K-2)."""
ELEMENTARY = frozenset({"PK-2", "3-5"})


def band_of(grade: int | None) -> str | None:
    """The band of a grade number, ``None`` for an unknown grade."""
    if grade is None:
        return None
    for name, grades in BANDS.items():
        if grade in grades:
            return name
    return None


def parse_certification(text: str) -> tuple[str, str]:
    """``"mathematics:3-5"`` -> ("mathematics", "3-5"); raises ValueError naming the part."""
    subject, sep, band = text.strip().partition(":")
    if not sep or not subject or not band:
        raise ValueError(f"{text!r} is not subject:band (for example mathematics:3-5)")
    if band not in BANDS:
        raise ValueError(f"band {band!r} is not one of {', '.join(BANDS)}")
    return subject, band
