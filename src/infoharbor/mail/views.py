"""One-click unsubscribe (RFC 8058) and "try my address again".

The unsubscribe address is in every message: in the ``List-Unsubscribe`` header, and as a
link per subscription in the body. It needs no sign-in and no CSRF token (the signed token
in the address is the credential, and mail clients post to it without cookies). A GET only
shows what the link stops and a button, because mail scanners fetch links; the POST pauses
the subscriptions (see :func:`infoharbor.mail.services.unsubscribe`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.mail import services, tokens
from infoharbor.subscriptions.models import Subscription

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(found: list[Subscription]) -> str | None:
    for subscription in found:
        if subscription.language in LANGUAGES:
            return subscription.language
    return None


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.subscriptions_of(token)
    except tokens.BadToken:
        return render(request, "mail/unsubscribe_invalid.html", status=404)
    language = _language(found) or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        if request.method == "POST":
            paused = services.unsubscribe(
                token=token, origin=audit.Origin.from_request(request, via="email")
            )
            return render(
                request,
                "mail/unsubscribed.html",
                {"subscriptions": found, "paused": paused, "language": language},
            )
        return render(
            request,
            "mail/unsubscribe.html",
            {"subscriptions": found, "token": token, "language": language},
        )


@require_POST
@login_required
def retry_address(request: HttpRequest) -> HttpResponse:
    """The owner fixed their mailbox: mark the address working and send what waits."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required let only a person in)
    services.retry_address(user=user)
    messages.success(
        request,
        _("We will try your address %(address)s again with the next message.")
        % {"address": user.email},
    )
    return redirect("subscriptions:list")
