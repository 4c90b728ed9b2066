"""Signed, single-use links that confirm a person controls their email address.

The link carries the account id and a token from :class:`EmailVerificationTokenGenerator`.
The token's hash covers ``email_verified`` (so a used link stops working), the email address
and the password hash (so a link dies when either changes), and a timestamp checked against
``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from infoharbor.accounts.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "infoharbor.accounts.verification.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        verified = getattr(user, "email_verified", False)
        email = getattr(user, "email", "")
        return f"{user.pk}{email}{verified}{user.password}{timestamp}"


token_generator = EmailVerificationTokenGenerator()


def link(user: User) -> str:
    """The absolute verification address, in the active language (call inside an override)."""
    path = reverse(
        "accounts:verify",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def check(uidb64: str, token: str) -> User | None:
    """The active, still unverified account the link names, if its token is valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.email_verified or not token_generator.check_token(user, token):
        return None
    return user
