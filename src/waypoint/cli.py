"""The `waypoint` console command: Django's management commands with Waypoint's settings.

Configuration and connection problems are reported in one line, without a traceback.
"""

from __future__ import annotations

import os
import sys


def _fail(message: str) -> int:
    print(f"waypoint: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "waypoint"

    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        return _fail(str(exc))

    from django.core.management import execute_from_command_line
    from django.db.utils import DatabaseError, InterfaceError, OperationalError

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except (OperationalError, InterfaceError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(
            f"cannot use the database named by DATABASE_URL ({first_line}). "
            "Check that the server is running and the URL is right."
        )
    except DatabaseError as exc:
        return _fail(f"database error: {str(exc).strip().splitlines()[0]}")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
