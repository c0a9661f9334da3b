"""The xAPI endpoint for digital learning tools: ``POST /api/v1/xapi/statements``.

A tool authenticates with its own token (``Authorization: Bearer wpt_…``), which belongs to
one district. The body is one xAPI 1.0.3 / 2.0 statement or a list of them. All or nothing:
on any problem the answer is a 4xx with every reason, and nothing is stored. A stored
statement moves the learner's mastery on its standards at once (the online update).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import HttpBearer

from waypoint.evidence.services import EvidenceRejected, tool_for_token
from waypoint.mastery.services import record_statements


class ToolTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return tool_for_token(token)


router = Router(auth=ToolTokenAuth(), tags=["xAPI"])


def _refused(reason: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": reason, "errors": problems or []}


def _store(tool: Any, statements: list[Any]) -> Any:
    return record_statements(tool=tool, statements=statements)[0]


@router.post(
    "/statements",
    response={200: list[str], 400: dict[str, Any], 404: dict[str, Any]},
    summary="Store xAPI statements from a tool",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": ["object", "array"]}}},
        }
    },
)
def post_statements(request: HttpRequest) -> Any:
    """Answers the stored statement ids, in the order sent (a repeated id is stored once)."""
    tool = request.auth  # type: ignore[attr-defined]
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as exc:
        return Status(400, _refused(f"malformed JSON: {exc}"))
    statements = body if isinstance(body, list) else [body]
    try:
        try:
            result = _store(tool, statements)
        except IntegrityError:
            # another request stored one of these statement ids meanwhile: once more, and
            # the ids now stored are answered as duplicates
            result = _store(tool, statements)
    except EvidenceRejected as exc:
        problems = exc.problems
        status = 404 if all(p.code == "unknown_learner" for p in problems) else 400
        reason = "no statement was stored: " + "; ".join(
            f"statement {p.index}: {p.field}: {p.reason}" for p in problems[:5]
        )
        return Status(status, _refused(reason, [p.as_dict() for p in problems]))
    return Status(200, result.statement_ids)
