"""Template context: the viewer, resolved once per request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from waypoint.access.viewer import request_viewer

get_viewer = request_viewer


def viewer(request: HttpRequest) -> dict[str, Any]:
    return {"viewer": get_viewer(request)}
