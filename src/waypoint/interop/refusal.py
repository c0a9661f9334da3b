"""How an import command reports a refused file: every problem on stderr (the first 200),
then a CommandError saying that nothing was changed."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.base import BaseCommand, CommandError

MAX_SHOWN = 200


def refusal(command: BaseCommand, problems: Sequence[object]) -> CommandError:
    """Write ``problems`` to the command's stderr; the error to raise (exit status 1)."""
    for problem in problems[:MAX_SHOWN]:
        command.stderr.write(str(problem))
    if len(problems) > MAX_SHOWN:
        command.stderr.write(f"… and {len(problems) - MAX_SHOWN} more")
    return CommandError(f"import refused: {len(problems)} problem(s); nothing was changed")
