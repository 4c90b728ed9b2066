"""Mail to account holders, in the language they chose, as plain text with an HTML part.

Each message is three templates under ``accounts/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``. A failed delivery is logged, never raised: the person can
ask for the message again, and the request that caused it must not fail because of it.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from infoharbor.accounts import verification
from infoharbor.accounts.models import User
from infoharbor.core.languages import content_language, interface_language

logger = logging.getLogger(__name__)


def language_for(user: User) -> str:
    """The interface language to write to ``user`` in: their preference, else the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    preferred = interface_language(user.preferred_language) if user.preferred_language else ""
    return preferred if preferred in codes else settings.LANGUAGE_CODE


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of ``template`` in the active language."""
    context = {
        "site_url": settings.SITE_URL,
        "html_lang": content_language(translation.get_language() or settings.LANGUAGE_CODE),
        **context,
    }
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    return " ".join(subject.split()), text, html


def deliver(to: str, subject: str, text: str, html: str) -> bool:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %r to an account holder", subject)
        return False
    return True


def _send(user: User, template: str, extra: dict[str, Any] | None = None) -> bool:
    with translation.override(language_for(user)):
        context = {"user": user, **(extra or {})}
        if template in {"verify", "already_registered"} and not user.email_verified:
            context["verify_link"] = verification.link(user)
        context["sign_in_link"] = settings.SITE_URL + reverse("accounts:login")
        context["reset_link"] = settings.SITE_URL + reverse("accounts:password_reset")
        subject, text, html = render(template, context)
    return deliver(user.email, subject, text, html)


def send_verification(user: User) -> bool:
    """The link that confirms ``user``'s address (sent at sign-up and on request)."""
    return _send(user, "verify", {"valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400})


def send_already_registered(user: User) -> bool:
    """Someone signed up with ``user``'s address: tell the owner, and how to get in."""
    return _send(
        user, "already_registered", {"valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    )
