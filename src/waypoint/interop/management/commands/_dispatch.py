"""Shared plumbing for `waypoint import FORMAT …` and `waypoint export FORMAT …`.

Each format lives in its own package (``waypoint.interop.<format>.command``) exposing
``add_import_arguments(parser)`` / ``run_import(command, options)`` and the export pair;
``module:Name`` points at a class holding them instead (several formats in one module).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

FORMATS = {
    "oneroster": "waypoint.interop.oneroster.command",
    "case": "waypoint.interop.case.command",
    "responses": "waypoint.interop.evidence.command:Responses",
    "alignments": "waypoint.interop.evidence.command:Alignments",
    "xapi": "waypoint.interop.evidence.command:Statements",
    "scores": "waypoint.interop.effectiveness.command:Scores",
    "instructors": "waypoint.interop.effectiveness.command:Instructors",
    "ratings": "waypoint.interop.effectiveness.command:Ratings",
    "salaries": "waypoint.interop.staffing.command:Salaries",
    "positions": "waypoint.interop.staffing.command:Positions",
}


def _load(path: str) -> Any:
    module_path, _, name = path.partition(":")
    module = importlib.import_module(module_path)
    return getattr(module, name) if name else module


class FormatCommand(BaseCommand):
    direction = "import"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="format", required=True, metavar="FORMAT")
        for name, module_path in FORMATS.items():
            module = _load(module_path)
            adder = getattr(module, f"add_{self.direction}_arguments", None)
            if adder is None:
                continue
            child = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            adder(child)

    def handle(self, *args: Any, **options: Any) -> None:
        module = _load(FORMATS[options["format"]])
        runner = getattr(module, f"run_{self.direction}", None)
        if runner is None:
            raise CommandError(f"{options['format']} has no {self.direction}")
        runner(self, options)
