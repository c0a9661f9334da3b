"""Job kinds: each app registers the function that does the work for its kind of job.

A job function takes the JobRun and a Progress, does its work (in its own transactions), and
returns a JSON-able report. Raising JobFailed stops the job with that report; any other error
stops it with a generic message (the traceback goes to the log, not to the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JobFunction = Callable[[Any, Any], dict[str, Any]]
_KINDS: dict[str, JobFunction] = {}


class JobFailed(Exception):  # a job outcome, not a programming error
    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report.get("summary", "job failed"))
        self.report = report


def register(kind: str) -> Callable[[JobFunction], JobFunction]:
    def decorate(function: JobFunction) -> JobFunction:
        _KINDS[kind] = function
        return function

    return decorate


def get(kind: str) -> JobFunction:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"no job kind {kind!r} is registered") from None
