"""`waypoint export oneroster PATH` and `waypoint export case FILE`."""

from waypoint.interop.management.commands._dispatch import FormatCommand


class Command(FormatCommand):
    help = "Export rosters (OneRoster CSV) or standards (CASE JSON)."
    direction = "export"
