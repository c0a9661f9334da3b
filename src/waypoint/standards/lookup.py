"""Finding a district's current standards by the names files and forms use for them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from waypoint.roster.models import District
from waypoint.standards.models import FrameworkItem

LIST_SEPARATORS = (";", "|")


def split_list(value: str) -> list[str]:
    """``"4.NF.A.1; 4.NF.B.3"`` → both codes (``;`` or ``|`` between them)."""
    for sep in LIST_SEPARATORS[1:]:
        value = value.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in value.split(LIST_SEPARATORS[0]) if part.strip()]


class StandardFinder:
    """A current standard of the district by its CASE identifier, its URI or its code.

    A code (``humanCodingScheme``) names a standard only when one current item of the
    district carries it; otherwise the file must use the identifier.
    """

    def __init__(self, district: District, names: set[str]) -> None:
        self.by_key: dict[str, int] = {}
        codes: dict[str, set[int]] = defaultdict(set)
        rows = FrameworkItem.objects.filter(district=district, retired=False).filter(
            Q(identifier__in=names) | Q(uri__in=names) | Q(human_coding_scheme__in=names)
        )
        for pk, identifier, uri, code in rows.values_list(
            "pk", "identifier", "uri", "human_coding_scheme"
        ):
            for key in (identifier, uri):
                if key in names:
                    self.by_key[key] = pk
            if code in names:
                codes[code].add(pk)
        self.ambiguous = {code: len(pks) for code, pks in codes.items() if len(pks) > 1}
        for code, pks in codes.items():
            if len(pks) == 1:
                self.by_key.setdefault(code, next(iter(pks)))

    def find(self, name: str) -> tuple[int | None, str]:
        """``(item id, "")`` or ``(None, reason)``."""
        if name in self.by_key:
            return self.by_key[name], ""
        if name in self.ambiguous:
            n = self.ambiguous[name]
            return None, f"the code names {n} current standards; use the CASE identifier"
        return None, "no current standard of this district has this identifier, URI or code"
