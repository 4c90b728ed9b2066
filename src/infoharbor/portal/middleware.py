"""Request-level safety and locale: size limit, security headers, language and time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infoharbor.core.languages import interface_language

Handler = Callable[[HttpRequest], HttpResponse]

# Only the harbor's own files: no inline scripts or styles, no third-party hosts.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestSizeLimitMiddleware:
    """Refuse bodies over INFOHARBOR_MAX_REQUEST_BYTES with 413 before reading them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            detail = _(
                "The request body is larger than the %(limit)d bytes this harbor accepts."
            ) % {"limit": settings.MAX_REQUEST_BYTES}
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "about:blank",
                        "title": "Content Too Large",
                        "status": 413,
                        "detail": detail,
                        "code": "request_too_large",
                    },
                    status=413,
                    content_type="application/problem+json",
                )
            return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class PreferredLanguageMiddleware(LocaleMiddleware):
    """Interface language: the URL prefix, then the account's preference, then the browser.

    The account's stored preference counts (so a change an operator makes applies at once);
    the session's copy serves when there is no account.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return  # the address says it; the account is not even looked up
        preferred = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = user.preferred_language or ""
            preferred = interface_language(code) if code else ""
        elif hasattr(request, "session"):
            preferred = request.session.get(SESSION_LANGUAGE_KEY) or ""
        if preferred in {code for code, _name in settings.LANGUAGES}:
            translation.activate(preferred)
            request.LANGUAGE_CODE = translation.get_language()


SESSION_LANGUAGE_KEY = "infoharbor_language"
SESSION_TIME_ZONE_KEY = "infoharbor_time_zone"


def remember_preferences(request: HttpRequest, language: str, time_zone: str) -> None:
    """Keep a person's interface language and time zone for the rest of their session."""
    codes = {code for code, _name in settings.LANGUAGES}
    language = interface_language(language) if language else ""
    if language in codes:
        request.session[SESSION_LANGUAGE_KEY] = language
    else:
        request.session.pop(SESSION_LANGUAGE_KEY, None)
    if time_zone:
        request.session[SESSION_TIME_ZONE_KEY] = time_zone
    else:
        request.session.pop(SESSION_TIME_ZONE_KEY, None)


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.session.get(SESSION_TIME_ZONE_KEY) if hasattr(request, "session") else None
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
