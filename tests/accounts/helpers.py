"""Small helpers shared by the account tests."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client

from infoharbor.accounts.models import User
from tests.factories import PASSWORD

SIGNUP = "/en/accounts/signup/"
LOGIN = "/en/accounts/login/"
LOGOUT = "/en/accounts/logout/"
PROFILE = "/en/accounts/profile/"
TOKENS = "/en/accounts/tokens/"
RESEND = "/en/accounts/verify/resend/"
RESET = "/en/accounts/password/reset/"
NEW_PASSWORD = "tide-and-harbor-2025"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "new.person@example.org",
        "display_name": "New Person",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "preferred_language": "en",
        "time_zone": "Asia/Bangkok",
    }
    data.update(overrides)
    return data


def sign_in(
    client: Client,
    email: str,
    password: str = PASSWORD,
    *,
    address: str = "127.0.0.1",
    next_url: str | None = None,
) -> Any:
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def link_in(message: mail.EmailMessage) -> str:
    """The path of the first harbor link in a message's text body."""
    found = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", str(message.body))
    assert found, message.body
    return found.group(1)


def html_part(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(content)


def csrf_token_from(response: Any) -> str:
    """The CSRF token a rendered page put in its forms."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found, "the page has no CSRF token in a form"
    return found.group(1)
