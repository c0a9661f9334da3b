"""`waypoint token create USERNAME [--name N]` and `waypoint token revoke USERNAME [--prefix P]`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.access.services import create_token, revoke_tokens


class Command(BaseCommand):
    help = "Create or revoke API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="what the token is for")
        parser.add_argument("--prefix", help="revoke only tokens starting with this")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no account with username {options['username']!r}")
        if options["action"] == "create":
            _, raw = create_token(user=user, name=options["name"])
            self.stdout.write(raw)
            self.stderr.write("Keep this token secret; it is shown only once.")
        else:
            count = revoke_tokens(user=user, prefix=options["prefix"])
            self.stdout.write(f"revoked {count} token(s)")
