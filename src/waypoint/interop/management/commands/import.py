"""`waypoint import oneroster PATH` and `waypoint import case FILE`."""

from waypoint.interop.management.commands._dispatch import FormatCommand


class Command(FormatCommand):
    help = "Import rosters (OneRoster CSV) or standards (CASE JSON)."
    direction = "import"
