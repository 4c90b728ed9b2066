"""Who is calling: an ``Authorization: Bearer ihb_...`` token, or nobody.

Reads accept anonymous callers (they see public entries only) and any valid token; writes
need a token of scope ``write``. A token that is sent but unknown, revoked or expired is
always refused with 401, never quietly treated as anonymous. Sessions are not used here, so
the API needs no CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from infoharbor.accounts import tokens
from infoharbor.accounts.choices import TokenScope
from infoharbor.accounts.models import ApiToken, User
from infoharbor.api.problems import AUTH_CHALLENGE, ApiProblem
from infoharbor.core import audit
from infoharbor.core.permissions import ANONYMOUS, Actor


@dataclass(frozen=True)
class Caller:
    """The token (None when anonymous) and the actor it speaks for."""

    token: ApiToken | None
    actor: Actor

    @property
    def user(self) -> User | None:
        return self.token.user if self.token is not None else None


ANONYMOUS_CALLER = Caller(token=None, actor=ANONYMOUS)


class BearerToken(HttpBearer):
    """A personal API token; ``optional`` lets anonymous callers through (reads)."""

    openapi_bearerFormat = "ihb_<prefix>_<secret>"
    openapi_description = (
        "A personal API token from the portal's profile page (API tokens). Reads work "
        "without one; writes need a token with the write scope."
    )

    def __init__(self, *, optional: bool = False, scope: str = TokenScope.READ) -> None:
        super().__init__()
        self.optional = optional
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Caller | None:
        header = request.headers.get(self.header, "").strip()
        if not header:
            return ANONYMOUS_CALLER if self.optional else None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise _invalid("Send the token as 'Authorization: Bearer ihb_...'.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        found = tokens.authenticate(token)
        if found is None:
            raise _invalid("The API token is unknown, revoked or expired.")
        if self.scope == TokenScope.WRITE and found.scope != TokenScope.WRITE:
            raise ApiProblem(
                403,
                "insufficient_scope",
                "This token may only read. Make a token with the write scope to change data.",
                headers={
                    "WWW-Authenticate": f'{AUTH_CHALLENGE}, error="insufficient_scope", '
                    'scope="write"'
                },
            )
        return Caller(token=found, actor=Actor.for_user(found.user))


def _invalid(detail: str) -> ApiProblem:
    return ApiProblem(
        401,
        "invalid_token",
        detail,
        headers={"WWW-Authenticate": f'{AUTH_CHALLENGE}, error="invalid_token"'},
    )


read_auth = BearerToken(optional=True)
write_auth = BearerToken(scope=TokenScope.WRITE)


def caller(request: HttpRequest) -> Caller:
    """The caller that authentication put on the request."""
    found: Any = getattr(request, "auth", None)
    return found if isinstance(found, Caller) else ANONYMOUS_CALLER


def origin(request: HttpRequest) -> audit.Origin:
    """The audit origin of a write: the client's address and the token's person."""
    return replace(audit.Origin.from_request(request, via="api"), user=caller(request).user)
