"""Writes of evidence: observations from rows, xAPI statements from tools, tool tokens.

Every service here is all-or-nothing: it checks everything first, and on any problem raises
:class:`EvidenceRejected` with the whole list and writes nothing. Mastery is not touched
here (evidence comes before mastery on the one-way street); callers that want the online
update pass the returned observations to ``waypoint.mastery.services.apply_observations``
in the same transaction, as the xAPI endpoint does.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from waypoint.audit.services import record_action
from waypoint.evidence.models import (
    ActivityAlignment,
    EvidenceSettings,
    Observation,
    ToolToken,
    XapiStatement,
    hash_tool_token,
)
from waypoint.roster.models import District, Person
from waypoint.standards.models import FrameworkItem

DEFAULT_SCORE_THRESHOLD = 0.8
"""A score is correct when score / max_score is at least this (DESIGN.md: 80%)."""

PASSING_VERBS = frozenset(
    {
        "http://adlnet.gov/expapi/verbs/passed",
        "http://adlnet.gov/expapi/verbs/mastered",
        "http://adlnet.gov/expapi/verbs/completed-successfully",
    }
)
FAILING_VERBS = frozenset({"http://adlnet.gov/expapi/verbs/failed"})
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


@dataclass(frozen=True)
class Problem:
    """One reason something was refused: which statement or row, which field, and why."""

    index: int
    field: str
    reason: str
    code: str = "invalid"  # "invalid", "unknown_learner" or "unaligned"

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "reason": self.reason}


class EvidenceRejected(Exception):
    """Nothing was stored; ``problems`` says why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"[{p.index}] {p.field}: {p.reason}" for p in self.problems))


def score_threshold(district: District) -> float:
    """The district's threshold for a score to count as correct (a share of the maximum)."""
    value = (
        EvidenceSettings.objects.filter(district=district)
        .values_list("score_threshold", flat=True)
        .first()
    )
    return DEFAULT_SCORE_THRESHOLD if value is None else float(value)


@transaction.atomic
def set_score_threshold(*, district: District, threshold: float, user: Any = None) -> None:
    """Change the district's score threshold; it applies to evidence that arrives from now on
    (observations keep the correctness they were given)."""
    if not (math.isfinite(threshold) and 0.0 < threshold <= 1.0):
        raise ValueError(f"the score threshold must be above 0 and at most 1, not {threshold}")
    before = score_threshold(district)
    EvidenceSettings.objects.update_or_create(
        district=district, defaults={"score_threshold": threshold}
    )
    record_action(
        user=user,
        district_id=district.pk,
        action="evidence.settings",
        obj=district,
        details={"score_threshold": [before, threshold]},
    )


def score_is_correct(score: float, max_score: float, threshold: float) -> bool:
    # compare in a rounded share so that 8 / 10 is exactly at 0.8 whatever the float error
    return round(score / max_score, 9) >= threshold


# --- observations from rows -------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationRow:
    """One response: a learner, the standard(s) it is aligned to, and correct or a score."""

    learner_id: int
    item_ids: Sequence[int]
    observed_at: dt.datetime
    correct: bool | None = None
    score: float | None = None
    max_score: float | None = None
    source_ref: str = ""


def _row_problems(index: int, row: ObservationRow) -> list[Problem]:
    problems = []
    if not row.item_ids:
        problems.append(Problem(index, "standards", "no standard given"))
    if row.correct is None and row.score is None:
        problems.append(Problem(index, "correct", "give correct or a score with its maximum"))
    if row.score is not None:
        if row.max_score is None or not math.isfinite(row.max_score) or row.max_score <= 0:
            problems.append(Problem(index, "max_score", "a score needs a positive maximum"))
        elif not math.isfinite(row.score) or not 0 <= row.score <= row.max_score:
            problems.append(Problem(index, "score", f"{row.score} is not in 0–{row.max_score}"))
    if timezone.is_naive(row.observed_at):
        problems.append(Problem(index, "observed_at", "time needs a time zone"))
    return problems


@transaction.atomic
def record_observations(
    *,
    district: District,
    rows: Sequence[ObservationRow],
    source: str,
    user: Any = None,
    skip_recorded: bool = False,
) -> list[Observation]:
    """Turn rows into observations: one per row and aligned standard. All or nothing.

    A score counts as correct at ``score / max_score >= score_threshold(district)``. With
    ``skip_recorded``, a row whose learner, standard and ``source_ref`` are already stored
    for this source (or earlier in ``rows``) adds nothing, so importing a file twice
    records its evidence once; only the new observations are returned.
    """
    threshold = score_threshold(district)
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        problems += _row_problems(index, row)
    learner_ids = {r.learner_id for r in rows}
    item_ids = {i for r in rows for i in r.item_ids}
    known_learners = set(
        Person.objects.filter(
            district=district, kind=Person.Kind.LEARNER, pk__in=learner_ids
        ).values_list("pk", flat=True)
    )
    known_items = set(
        FrameworkItem.objects.filter(district=district, retired=False, pk__in=item_ids).values_list(
            "pk", flat=True
        )
    )
    for index, row in enumerate(rows):
        if row.learner_id not in known_learners:
            problems.append(
                Problem(index, "learner", f"no learner {row.learner_id} here", "unknown_learner")
            )
        problems += [
            Problem(index, "standards", f"no current standard {i} here")
            for i in row.item_ids
            if i not in known_items
        ]
    if problems:
        raise EvidenceRejected(problems)
    if skip_recorded:
        rows = _unrecorded(district, rows, source)
    created = _create_observations(district=district, rows=rows, source=source, threshold=threshold)
    record_action(
        user=user,
        district_id=district.pk,
        action="evidence.record_observations",
        obj=district,
        details={"source": source, "rows": len(rows), "observations": len(created)},
    )
    return created


def _unrecorded(
    district: District, rows: Sequence[ObservationRow], source: str
) -> list[ObservationRow]:
    """The rows (with only their standards) not yet stored under their ``source_ref``."""
    refs = {r.source_ref[:255] for r in rows}
    seen = set(
        Observation.objects.filter(
            district=district, source=source, source_ref__in=refs
        ).values_list("learner_id", "item_id", "source_ref")
    )
    fresh = []
    for row in rows:
        ref = row.source_ref[:255]
        items = [i for i in dict.fromkeys(row.item_ids) if (row.learner_id, i, ref) not in seen]
        seen.update((row.learner_id, i, ref) for i in items)
        if items:
            fresh.append(replace(row, item_ids=items))
    return fresh


def _create_observations(
    *, district: District, rows: Iterable[ObservationRow], source: str, threshold: float
) -> list[Observation]:
    objs = []
    for row in rows:
        if row.score is not None and row.max_score is not None:
            correct = score_is_correct(row.score, row.max_score, threshold)
        else:
            correct = bool(row.correct)
        for item_id in dict.fromkeys(row.item_ids):  # one observation per distinct standard
            objs.append(
                Observation(
                    district=district,
                    learner_id=row.learner_id,
                    item_id=item_id,
                    correct=correct,
                    score=row.score,
                    max_score=row.max_score,
                    observed_at=row.observed_at,
                    source=source,
                    source_ref=row.source_ref[:255],
                )
            )
    return Observation.objects.bulk_create(objs)


# --- tool tokens ------------------------------------------------------------------------------


@transaction.atomic
def create_tool_token(
    *, district: District, name: str, home_page: str = "", user: Any = None
) -> tuple[ToolToken, str]:
    """A new token for a tool in one district. The raw token is returned once, never kept."""
    raw = "wpt_" + secrets.token_urlsafe(32)
    token = ToolToken.objects.create(
        district=district,
        name=name[:100],
        key_hash=hash_tool_token(raw),
        home_page=home_page,
        created_by=user if getattr(user, "pk", None) else None,
    )
    record_action(
        user=user, district_id=district.pk, action="evidence.tool_token.create", obj=token
    )
    return token, raw


def tool_for_token(raw: str) -> ToolToken | None:
    """The live tool token with this raw value, or None."""
    return (
        ToolToken.objects.select_related("district")
        .filter(key_hash=hash_tool_token(raw), revoked_at__isnull=True)
        .first()
    )


@transaction.atomic
def revoke_tool_token(*, token: ToolToken, user: Any = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_action(
        user=user, district_id=token.district_id, action="evidence.tool_token.revoke", obj=token
    )


@transaction.atomic
def align_activity(
    *, district: District, activity_iri: str, items: Sequence[FrameworkItem], user: Any = None
) -> list[ActivityAlignment]:
    """Align an xAPI activity to standards of the district (adds; existing pairs stay)."""
    problems = [
        Problem(i, "standard", "not a current standard of this district")
        for i, item in enumerate(items)
        if item.district_id != district.pk or item.retired
    ]
    if not activity_iri.strip():
        problems.append(Problem(0, "activity", "empty activity IRI"))
    if problems:
        raise EvidenceRejected(problems)
    out = []
    for item in items:
        row, _ = ActivityAlignment.objects.get_or_create(
            district=district, activity_iri=activity_iri.strip(), item=item
        )
        out.append(row)
    record_action(
        user=user,
        district_id=district.pk,
        action="evidence.align_activity",
        obj=district,
        details={"activity": activity_iri[:200], "items": [i.pk for i in items]},
    )
    return out


# --- xAPI statements --------------------------------------------------------------------------


@dataclass
class ParsedStatement:
    index: int
    statement_id: uuid.UUID
    raw: dict[str, Any]
    learner: Person
    items: list[int]
    correct: bool
    score: float | None
    max_score: float | None
    observed_at: dt.datetime


@dataclass
class IngestResult:
    """What an ingest stored: statement ids in the order sent, and the new observations."""

    statement_ids: list[str] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    observations: list[Observation] = field(default_factory=list)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _outcome(
    index: int, statement: Mapping[str, Any], verb_id: str, threshold: float
) -> tuple[bool | None, float | None, float | None, list[Problem]]:
    """(correct, score, max_score, problems) from result.score, result.success or the verb."""
    result = statement.get("result")
    if result is not None and not isinstance(result, dict):
        return None, None, None, [Problem(index, "result", "must be an object")]
    result = result or {}
    score = result.get("score")
    if score is not None:
        if not isinstance(score, dict):
            return None, None, None, [Problem(index, "result.score", "must be an object")]
        scaled = score.get("scaled")
        if scaled is not None:
            if not _is_number(scaled) or not -1 <= scaled <= 1:
                return None, None, None, [Problem(index, "result.score.scaled", "not in -1…1")]
            return score_is_correct(max(float(scaled), 0.0), 1.0, threshold), scaled, 1.0, []
        raw, top, low = score.get("raw"), score.get("max"), score.get("min", 0)
        if raw is not None:
            if not (_is_number(raw) and _is_number(top) and _is_number(low)) or top <= low:
                reason = "raw needs a numeric max above min"
                return None, None, None, [Problem(index, "result.score", reason)]
            if not low <= raw <= top:
                return None, None, None, [Problem(index, "result.score.raw", "not in min…max")]
            correct = score_is_correct(raw - low, top - low, threshold)
            return correct, float(raw - low), float(top - low), []
    success = result.get("success")
    if success is not None:
        if not isinstance(success, bool):
            return None, None, None, [Problem(index, "result.success", "must be true or false")]
        return success, None, None, []
    if verb_id in PASSING_VERBS:
        return True, None, None, []
    if verb_id in FAILING_VERBS:
        return False, None, None, []
    reason = "no result.score, result.success or passed/failed verb to score"
    return None, None, None, [Problem(index, "result", reason)]


def _parse_statement(
    index: int,
    statement: Any,
    *,
    home_page: str,
    threshold: float,
    now: dt.datetime,
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check the shape of one statement; returns the pieces the lookup needs."""
    if not isinstance(statement, dict):
        return None, [Problem(index, "statement", "must be a JSON object")]
    problems: list[Problem] = []
    version = statement.get("version")
    if version is not None and (
        not isinstance(version, str) or not version.startswith(("1.0", "2.0"))
    ):
        problems.append(Problem(index, "version", "only xAPI 1.0.x and 2.0.x are accepted"))

    raw_id = statement.get("id")
    statement_id: uuid.UUID | None
    if raw_id is None:
        statement_id = uuid.uuid4()
        statement = {**statement, "id": str(statement_id)}
    else:
        try:
            statement_id = uuid.UUID(str(raw_id))
        except ValueError:
            statement_id = None
            problems.append(Problem(index, "id", "not a UUID"))

    actor = statement.get("actor")
    account = actor.get("account") if isinstance(actor, dict) else None
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        problems.append(Problem(index, "actor", "must be an Agent"))
    elif not isinstance(account, dict) or not all(
        isinstance(account.get(k), str) and account.get(k) for k in ("homePage", "name")
    ):
        problems.append(Problem(index, "actor.account", "an account with homePage and name"))
    elif home_page and account["homePage"].rstrip("/") != home_page.rstrip("/"):
        problems.append(
            Problem(index, "actor.account.homePage", "not this tool's account home page")
        )

    verb = statement.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or not verb_id:
        problems.append(Problem(index, "verb", "must be an object with an id"))
        verb_id = ""

    obj = statement.get("object")
    activity_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(obj, dict) or obj.get("objectType", "Activity") != "Activity":
        problems.append(Problem(index, "object", "must be an Activity"))
    elif not isinstance(activity_id, str) or not activity_id:
        problems.append(Problem(index, "object.id", "an activity needs an id (an IRI)"))

    context_ids: list[str] = []
    context = statement.get("context")
    if context is not None:
        activities = context.get("contextActivities") if isinstance(context, dict) else None
        if not isinstance(context, dict) or (
            activities is not None and not isinstance(activities, dict)
        ):
            problems.append(Problem(index, "context", "must be an object"))
        else:
            for kind in CONTEXT_ACTIVITY_KINDS:
                for entry in _as_list((activities or {}).get(kind)):
                    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                        problems.append(
                            Problem(index, f"context.contextActivities.{kind}", "needs ids")
                        )
                    else:
                        context_ids.append(entry["id"])

    observed_at = now
    timestamp = statement.get("timestamp")
    if timestamp is not None:
        parsed = parse_datetime(timestamp) if isinstance(timestamp, str) else None
        if parsed is None:
            problems.append(Problem(index, "timestamp", "not an ISO 8601 date-time"))
        else:
            observed_at = parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)

    correct, score, max_score, outcome_problems = _outcome(index, statement, verb_id, threshold)
    problems += outcome_problems
    if problems:
        return None, problems
    return {
        "statement": statement,
        "statement_id": statement_id,
        "account": account,
        "activity_id": activity_id,
        "context_ids": context_ids,
        "correct": correct,
        "score": score,
        "max_score": max_score,
        "observed_at": observed_at,
    }, []


def find_learners(district: District, names: set[str]) -> dict[str, Person]:
    """Learners of the district whose sourced_id or identifier equals an account name."""
    if not names:
        return {}
    found: dict[str, Person] = {}
    rows = Person.objects.filter(district=district, kind=Person.Kind.LEARNER).filter(
        Q(sourced_id__in=names) | Q(identifier__in=names)
    )
    for person in rows.order_by("id"):
        # a sourced_id match wins over an identifier match
        if person.sourced_id in names:
            found[person.sourced_id] = person
    for person in rows.order_by("id"):
        if person.identifier in names:
            found.setdefault(person.identifier, person)
    return found


def _find_items(district: District, activity_ids: set[str], context_ids: set[str]) -> Any:
    """(activity IRI → aligned item ids, IRI → item id for CASE identifiers or uris)."""
    aligned: dict[str, set[int]] = {}
    for iri, item_id in ActivityAlignment.objects.filter(
        district=district, activity_iri__in=activity_ids, item__retired=False
    ).values_list("activity_iri", "item_id"):
        aligned.setdefault(iri, set()).add(item_id)
    direct: dict[str, int] = {}
    wanted = activity_ids | context_ids
    if wanted:
        for pk, identifier, uri in FrameworkItem.objects.filter(
            Q(identifier__in=wanted) | Q(uri__in=wanted), district=district, retired=False
        ).values_list("pk", "identifier", "uri"):
            for key in (identifier, uri):
                if key in wanted:
                    direct[key] = pk
    return aligned, direct


@transaction.atomic
def ingest_statements(
    *,
    statements: Sequence[Any],
    tool: ToolToken | None = None,
    district: District | None = None,
    user: Any = None,
) -> IngestResult:
    """Store xAPI statements and their observations. All or nothing.

    From a tool (its token names the district and, optionally, the account home page its
    statements must use), or from a district's file of statements (``district``, no tool).
    A statement id already stored in the district (or repeated in the batch) is kept once:
    it is answered with its id and adds nothing. See docs/mastery.md for the mapping.
    """
    if tool is not None:
        district = tool.district
    if district is None:
        raise ValueError("statements come from a tool or for a district")
    home_page = tool.home_page if tool is not None else ""
    threshold = score_threshold(district)
    now = timezone.now()
    problems: list[Problem] = []
    checked: list[tuple[int, dict[str, Any]]] = []
    for index, statement in enumerate(statements):
        parts, found = _parse_statement(
            index, statement, home_page=home_page, threshold=threshold, now=now
        )
        problems += found
        if parts is not None:
            checked.append((index, parts))
    if not statements:
        problems.append(Problem(0, "statements", "no statement sent"))

    learners = find_learners(district, {p["account"]["name"] for _, p in checked})
    aligned, direct = _find_items(
        district,
        {p["activity_id"] for _, p in checked},
        {i for _, p in checked for i in p["context_ids"]},
    )
    parsed: list[ParsedStatement] = []
    for index, c in checked:
        learner = learners.get(c["account"]["name"])
        if learner is None:
            reason = "no learner in this district has this account name"
            problems.append(Problem(index, "actor.account.name", reason, "unknown_learner"))
            continue
        items = set(aligned.get(c["activity_id"], set()))
        items |= {direct[i] for i in [c["activity_id"], *c["context_ids"]] if i in direct}
        if not items:
            reason = f"activity {c['activity_id']} is not aligned to any standard"
            problems.append(Problem(index, "object.id", reason, "unaligned"))
            continue
        parsed.append(
            ParsedStatement(
                index=index,
                statement_id=c["statement_id"],
                raw=c["statement"],
                learner=learner,
                items=sorted(items),
                correct=c["correct"],
                score=c["score"],
                max_score=c["max_score"],
                observed_at=c["observed_at"],
            )
        )
    if problems:
        raise EvidenceRejected(sorted(problems, key=lambda p: p.index))

    result = IngestResult(statement_ids=[str(p.statement_id) for p in parsed])
    stored_ids = set(
        XapiStatement.objects.select_for_update()
        .filter(district=district, statement_id__in=[p.statement_id for p in parsed])
        .values_list("statement_id", flat=True)
    )
    new: list[ParsedStatement] = []
    for p in parsed:
        if p.statement_id in stored_ids:
            result.duplicates += 1
            continue
        stored_ids.add(p.statement_id)
        new.append(p)
    XapiStatement.objects.bulk_create(
        [
            XapiStatement(
                district=district,
                statement_id=p.statement_id,
                raw=p.raw,
                learner=p.learner,
                tool=tool,
                received_at=now,
            )
            for p in new
        ]
    )
    result.stored = len(new)
    result.observations = _create_observations(
        district=district,
        rows=[
            ObservationRow(
                learner_id=p.learner.pk,
                item_ids=p.items,
                observed_at=p.observed_at,
                correct=p.correct,
                score=p.score,
                max_score=p.max_score,
                source_ref=str(p.statement_id),
            )
            for p in new
        ],
        source=Observation.Source.XAPI,
        threshold=threshold,
    )
    if new:
        record_action(
            user=user,
            district_id=district.pk,
            action="evidence.xapi_statements",
            obj=tool if tool is not None else district,
            details={
                "stored": result.stored,
                "duplicates": result.duplicates,
                "observations": len(result.observations),
            },
        )
    return result


def ingest_statement(*, tool: ToolToken, statement: Any) -> IngestResult:
    """One xAPI statement (see :func:`ingest_statements`)."""
    return ingest_statements(tool=tool, statements=[statement])
