"""Tokens: reads work without one, writes need one of scope write, bad tokens are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infoharbor.accounts import tokens
from infoharbor.accounts.choices import TokenScope
from infoharbor.accounts.models import ApiToken
from infoharbor.core import audit
from infoharbor.core.choices import Visibility
from infoharbor.core.models import Entry
from tests.api.conftest import Api, Harbor, ids, issue, problem

pytestmark = pytest.mark.django_db

NEW = {
    "kind": "information.news",
    "organization": "thai-ministry",
    "title": "Port opening hours",
    "language": "en",
    "country": "TH",
}


def test_writes_without_a_token_are_401_with_a_challenge(api: Api, harbor: Harbor) -> None:
    response = api.post("entries", NEW)
    body = problem(response, 401, "not_authenticated")
    assert "Bearer" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert not Entry.objects.exists()


def test_an_unknown_token_is_401_even_for_reads(api: Api, harbor: Harbor) -> None:
    harbor.entry()
    for token in ("ihb_000000000000_wrongsecret", "not-a-harbor-token"):
        response = api.get("entries", token)
        problem(response, 401, "invalid_token")
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    problem(api.post("entries", NEW, "ihb_000000000000_wrongsecret"), 401, "invalid_token")


def test_a_token_with_the_right_prefix_and_a_wrong_secret_is_refused(
    api: Api, harbor: Harbor
) -> None:
    token = harbor.token(harbor.admin)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    problem(api.post("entries", NEW, tampered), 401, "invalid_token")


def test_the_authorization_header_must_be_a_bearer_token(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.admin)
    for header in (f"Token {token}", "Basic dXNlcjpwYXNz", "Bearer"):
        response = api.client.get("/api/v1/entries", HTTP_AUTHORIZATION=header)
        problem(response, 401, "invalid_token")


def test_revoked_and_expired_tokens_are_refused(api: Api, harbor: Harbor) -> None:
    origin = audit.Origin(user=harbor.admin, via="test")
    revoked = tokens.issue_token(user=harbor.admin, origin=origin, name="old", scope="write")
    tokens.revoke_token(token=revoked.token, origin=origin)
    problem(api.get("entries", revoked.secret), 401, "invalid_token")

    expired = issue(harbor.admin, expires_at=timezone.now() + dt.timedelta(days=1))
    ApiToken.objects.filter(user=harbor.admin, revoked_at=None).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    problem(api.get("entries", expired), 401, "invalid_token")


def test_the_token_of_a_deactivated_account_is_refused(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.admin)
    harbor.admin.is_active = False
    harbor.admin.save(update_fields=["is_active"])
    problem(api.get("entries", token), 401, "invalid_token")


def test_a_read_token_may_read_but_not_write(api: Api, harbor: Harbor) -> None:
    members_only = harbor.entry(visibility=Visibility.MEMBERS)
    token = harbor.token(harbor.admin, TokenScope.READ)
    assert ids(api.get("entries", token)) == [members_only.pk]
    before = Entry.objects.count()

    response = api.post("entries", NEW, token)
    body = problem(response, 403, "insufficient_scope")
    assert "write" in body["detail"]
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert Entry.objects.count() == before

    path = f"entries/{members_only.pk}"
    problem(api.patch(path, {"title": "Changed"}, token), 403, "insufficient_scope")
    problem(api.post(f"{path}/withdraw", {"reason": "No."}, token), 403, "insufficient_scope")
    assert Entry.objects.get(pk=members_only.pk).title != "Changed"


def test_a_write_token_reads_too(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry(visibility=Visibility.ORGANIZATION)
    assert ids(api.get("entries", harbor.token(harbor.member))) == [entry.pk]


def test_using_a_token_records_when_it_was_last_used(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.admin, TokenScope.READ)
    assert ApiToken.objects.get(user=harbor.admin).last_used_at is None
    api.get("entries", token)
    assert ApiToken.objects.get(user=harbor.admin).last_used_at is not None


def test_the_api_needs_no_csrf_token(harbor: Harbor) -> None:
    from django.test import Client

    api = Api(Client(enforce_csrf_checks=True))
    response = api.post("entries", NEW, harbor.token(harbor.editor))
    assert response.status_code == 201, response.content
