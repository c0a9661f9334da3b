"""A language chosen before signing in (on the login page) becomes the account's own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from waypoint.plans.models import AccountPreference


@receiver(user_logged_in, dispatch_uid="waypoint.plans.language_at_login")
def remember_language_at_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Keep the login page's language for an account that has not chosen one yet."""
    language = getattr(request, "COOKIES", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if language in dict(settings.LANGUAGES):
        AccountPreference.objects.get_or_create(user=user, defaults={"language": language})
