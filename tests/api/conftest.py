"""A small harbor for the API's tests and a client that speaks to /api/v1/ with tokens.

Two organizations: a Thai ministry (an administrator, an editor and a plain member) and a
Vietnamese agency (an administrator), plus a person with no organization. Tokens are made
with :func:`infoharbor.accounts.tokens.issue_token`, as the profile page makes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from infoharbor.accounts import tokens
from infoharbor.accounts.choices import Role, TokenScope
from infoharbor.accounts.models import User
from infoharbor.core import audit
from infoharbor.core.models import Organization
from infoharbor.core.permissions import Actor
from tests import factories

BASE = "/api/v1"
PROBLEM_JSON = "application/problem+json"


def issue(user: User, scope: str = TokenScope.WRITE, **extra: Any) -> str:
    """A fresh token of ``user``: the ``ihb_...`` string a client sends."""
    origin = audit.Origin(user=user, via="test")
    return tokens.issue_token(user=user, origin=origin, name="test", scope=scope, **extra).secret


class Api:
    """Django's test client aimed at /api/v1/, sending JSON and an optional bearer token."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @staticmethod
    def _headers(token: str | None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    @staticmethod
    def url(path: str) -> str:
        return path if path.startswith(("/", "http")) else f"{BASE}/{path}"

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return self.client.get(self.url(path), params, **self._headers(token))

    def post(self, path: str, body: Any = None, token: str | None = None) -> Any:
        data = "" if body is None else body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            self.url(path), data, content_type="application/json", **self._headers(token)
        )

    def patch(self, path: str, body: Any, token: str | None = None) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.patch(
            self.url(path), data, content_type="application/json", **self._headers(token)
        )


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@dataclass
class Harbor:
    org: Organization  # thai-ministry, TH
    other_org: Organization  # vietnam-trade-agency, VN
    admin: User  # administrator of org
    editor: User  # editor of org (may not publish unless the org lets editors publish)
    member: User  # plain member of org
    other_admin: User  # administrator of other_org
    outsider: User  # signed up, no organization

    def token(self, user: User, scope: str = TokenScope.WRITE) -> str:
        return issue(user, scope)

    def entry(self, org: Organization | None = None, **kwargs: Any) -> Any:
        """An entry made through the services; published and public unless told."""
        org = org or self.org
        author = self.admin if org == self.org else self.other_admin
        return factories.make_entry(org, author, **kwargs)


@pytest.fixture
def harbor(db: None) -> Harbor:
    org = factories.make_org("thai-ministry", country="TH", name="Thai Ministry of Commerce")
    other = factories.make_org("vietnam-trade-agency", country="VN", name="Vietnam Trade Agency")
    people = {
        name: factories.make_user(f"{name}@example.org")
        for name in ("admin", "editor", "member", "other_admin", "outsider")
    }
    factories.add_member(people["admin"], org, Role.ADMIN)
    factories.add_member(people["editor"], org, Role.EDITOR)
    factories.add_member(people["member"], org, Role.MEMBER)
    factories.add_member(people["other_admin"], other, Role.ADMIN)
    return Harbor(org=org, other_org=other, **people)


def actor(user: User) -> Actor:
    return Actor.for_user(user)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check that ``response`` is an RFC 9457 problem of ``status`` and ``code``; its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body: dict[str, Any] = json.loads(response.content)
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    assert body["type"] == "about:blank" or body["type"].endswith("/" + code)
    return body


def error_fields(body: dict[str, Any]) -> set[str | None]:
    """The fields a validation problem names."""
    return {error["field"] for error in body.get("errors") or []}


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]
