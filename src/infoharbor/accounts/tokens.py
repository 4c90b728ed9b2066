"""Personal API tokens: made with a secret shown once, kept as a hash, revocable.

A token reads ``ihb_<prefix>_<secret>``. The prefix finds the row; the secret is compared
with its SHA-256 in constant time (secrets are long and random, so a slow hash adds nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from infoharbor.accounts.choices import TokenScope
from infoharbor.accounts.models import ApiToken, User
from infoharbor.core import audit

TOKEN_PREFIX = "ihb_"  # noqa: S105 - the public start of every token, not a secret
# last_used_at is written at most this often per token, to keep reads from writing.
_TOUCH_INTERVAL = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full token string; shown to the person once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *,
    user: User,
    origin: audit.Origin,
    name: str,
    scope: str = TokenScope.READ,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=prefix,
        secret_hash=_hash(secret),
        scope=TokenScope(scope),
        expires_at=expires_at,
    )
    audit.record(origin, "token.issue", token, changes={"scope": [None, token.scope]})
    return IssuedToken(token=token, secret=f"{TOKEN_PREFIX}{prefix}_{secret}")


@transaction.atomic
def revoke_token(*, token: ApiToken, origin: audit.Origin) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(origin, "token.revoke", token)
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The usable token that ``raw`` names, with its user loaded; None if it names none."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
