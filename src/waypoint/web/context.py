"""Template context: the viewer, resolved once per request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waypoint.access.viewer import Viewer, viewer_for


def get_viewer(request: HttpRequest) -> Viewer:
    cached = getattr(request, "_waypoint_viewer", None)
    if cached is None:
        cached = viewer_for(getattr(request, "user", None))
        request._waypoint_viewer = cached  # type: ignore[attr-defined]
    return cached


def viewer(request: HttpRequest) -> dict[str, Any]:
    return {"viewer": get_viewer(request)}
