"""Privacy of the published equity sets (the issue's "must show" 3), as properties.

Random learners are spread over schools and subgroups with random access categories and
proficiency; the whole published set (district and school levels, every dimension, the
numerators, and the CSV export) is built and suppressed, then:

- no hidden count can be worked out (``reports.suppression.exposed``, over whole numbers);
- every group below the threshold is hidden, with its numerators;
- no cell at or above the threshold is hidden unless needed: showing any complementary cell
  again lets a reader work out some hidden cell;
- the CSV export shows exactly the shown cells (hidden ones as ``*``), nothing more.
"""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypoint.reports.published import ALL, N, PublishedSet, Record, publish
from waypoint.reports.suppression import HIDDEN_TEXT, Reason, exposed

THRESHOLD = 5
MEASURES = ("he", "nr")
SUMS: dict[str, tuple[str, ...]] = {}
# With a measure that is the sum of others (effective or better = highly effective +
# effective) the check needs integer programmes over many hidden numerators: a few examples.
SUM_MEASURES = ("he", "e", "eob")
SUM_SUMS = {"eob": ("he", "e")}


@st.composite
def record_sets(draw: st.DrawFn) -> list[Record]:
    schools = draw(st.integers(1, 3))
    n = draw(st.integers(1, 40))
    out = []
    for _ in range(n):
        school = f"S{draw(st.integers(1, schools))}"
        grade = draw(st.sampled_from([3, 4])) if school != "S3" else 7
        el = draw(st.booleans())
        race = draw(st.sampled_from(["A", "B", "C"]))
        category = draw(st.sampled_from(["he", "e", "d", "nr"]))
        flags = {category} | ({"eob"} if category in ("he", "e") else set())
        section = "2025"
        values = {"grade": grade, "el": el, "race": race}
        out.append(Record(section, school, values, frozenset(flags)))
    return out


def _publish(records: list[Record], measures=MEASURES, sums=SUMS) -> PublishedSet:
    return publish(
        records,
        ["grade", "el", "race"],
        measures,
        threshold=THRESHOLD,
        structural=frozenset({"grade"}),
        sums=sums,
    )


def _hidden(p: PublishedSet) -> set[Hashable]:
    return {c.key for c in p.result.hidden()}


def _exposed(p: PublishedSet, hidden: set[Hashable]) -> frozenset[Hashable]:
    return exposed(p.counts, p.relations, hidden, numerators=p.numerators)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_nothing_hidden_can_be_worked_out(records: list[Record]) -> None:
    p = _publish(records)
    hidden = _hidden(p)
    assert not _exposed(p, hidden)
    for key, value in p.counts.items():
        if key[0] == N and value < THRESHOLD:
            assert key in hidden
            assert all((m, *key[1:]) in hidden for m in MEASURES)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_with_a_sum_measure_nothing_can_be_worked_out(records: list[Record]) -> None:
    p = _publish(records, SUM_MEASURES, SUM_SUMS)
    hidden = _hidden(p)
    assert not _exposed(p, hidden)
    for cell in p.result.hidden(Reason.COMPLEMENT):
        assert _exposed(p, hidden - {cell.key}), f"{cell.key} need not be hidden"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_no_cell_hidden_unless_needed(records: list[Record]) -> None:
    p = _publish(records)
    hidden = _hidden(p)
    for cell in p.result.hidden(Reason.COMPLEMENT):
        assert _exposed(p, hidden - {cell.key}), f"{cell.key} need not be hidden"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_sets())
def test_csv_export_is_the_same_set(records: list[Record]) -> None:
    p = _publish(records)
    header, *rows = p.csv_rows()
    seen = set()
    for row in rows:
        r = dict(zip(header, row, strict=True))
        group = (r["section"], r["place"], r["dimension"], r["value"])
        key = next(k for k in p.counts if k[0] == N and tuple(map(str, k[1:])) == group)
        seen.add(key)
        for column, cell in [("learners", key)] + [(m, (m, *key[1:])) for m in MEASURES]:
            result = p.result[cell]
            assert r[column] == (HIDDEN_TEXT if result.hidden else f"{result.value:,}")
            if column != "learners" and p.result[key].hidden:
                assert r[f"{column}_percent"] == HIDDEN_TEXT
    # every group of the set is in the export, and the export adds no other group
    assert seen == {k for k in p.counts if k[0] == N}


def test_two_level_drill_down_hand_worked() -> None:
    """12 learners at S1 (2 English learners), 10 at S2 (none): S1's EL cell (2) is small;
    S1's non-EL cell (10) must go with it, and then S2's EL cell (0, small anyway) and the
    district's EL total need protection across levels."""
    recs = [Record("y", "S1", {"el": i < 2}, frozenset({"he"})) for i in range(12)]
    recs += [Record("y", "S2", {"el": False}, frozenset()) for _ in range(10)]
    p = publish(recs, ["el"], ["he"], threshold=10)
    assert p.result[(N, "y", "S1", "el", True)].reason is Reason.SMALL
    assert p.result[(N, "y", "S1", "el", False)].hidden
    assert p.result[(N, "y", "S2", "el", True)].reason is Reason.SMALL
    assert not _exposed(p, _hidden(p))
    assert p.result.count((N, "y", ALL, ALL, ALL)) == "22"
