"""`waypoint evidence token create NAME --district SLUG` / `token revoke ID --district SLUG`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waypoint.evidence.models import ToolToken
from waypoint.evidence.services import create_tool_token, revoke_tool_token
from waypoint.roster.models import District


class Command(BaseCommand):
    help = "Evidence tasks: tokens for digital learning tools that post xAPI statements."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="TASK")
        token = sub.add_parser("token", help="create or revoke a tool's token")
        action = token.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = action.add_parser("create", help="print a new token (shown once)")
        create.add_argument("name", help="the tool's name")
        create.add_argument("--district", required=True, help="the district's slug")
        create.add_argument("--home-page", default="", help="the tool's account homePage")
        revoke = action.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--district", required=True, help="the district's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            raise CommandError(f"no district with the slug {options['district']!r}")
        if options["action"] == "create":
            token, raw = create_tool_token(
                district=district, name=options["name"], home_page=options["home_page"]
            )
            self.stderr.write(f"token {token.pk} for {token.name} in {district.slug}:")
            self.stdout.write(raw)
            return
        found = ToolToken.objects.filter(
            district=district, pk=options["id"], revoked_at__isnull=True
        ).first()
        if found is None:
            raise CommandError(f"no live tool token {options['id']} in {district.slug}")
        revoke_tool_token(token=found)
        self.stdout.write(f"revoked token {found.pk} ({found.name})")
