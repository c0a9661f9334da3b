"""Apply the language an account chose, on every device it signs in from."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from waypoint.plans.models import AccountPreference


class AccountLanguageMiddleware:
    """After authentication: a signed-in account's saved language wins over the browser's.

    Accounts without a saved language keep what ``LocaleMiddleware`` chose (cookie, then
    Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = (
                AccountPreference.objects.filter(user_id=user.pk)
                .values_list("language", flat=True)
                .first()
            )
            if language and language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if getattr(request, "LANGUAGE_CODE", None):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
