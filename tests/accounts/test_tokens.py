"""The API tokens page: make a token, see its secret once, revoke it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from infoharbor.accounts import tokens
from infoharbor.accounts.choices import TokenScope
from infoharbor.accounts.models import ApiToken, User
from infoharbor.core import audit
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import TOKENS, csrf_token_from
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'value="(ihb_[0-9a-f]+_[A-Za-z0-9_-]+)"')


@pytest.fixture
def person() -> User:
    return make_user("builder@example.org")


def issue(user: User, **kwargs: object) -> tokens.IssuedToken:
    return tokens.issue_token(user=user, origin=audit.Origin(user=user), name="script", **kwargs)  # type: ignore[arg-type]


def revoke_url(token: ApiToken) -> str:
    return f"/en/accounts/tokens/{token.pk}/revoke/"


def test_a_new_token_is_shown_once_and_then_only_by_its_prefix(
    client: Client, person: User
) -> None:
    client.force_login(person)

    # When they make a read token without an expiry
    response = client.post(TOKENS, {"name": "newsroom import", "scope": "read"})

    # Then the page shows the whole token, which works for the API as them
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    found = SECRET.search(response.content.decode())
    assert found, "the new token is not on the page"
    secret = found.group(1)
    token = tokens.authenticate(secret)
    assert token is not None
    assert (token.user, token.name, token.scope, token.expires_at) == (
        person,
        "newsroom import",
        TokenScope.READ,
        None,
    )
    assert AuditEvent.objects.filter(action="token.issue", target_id=str(token.pk)).exists()
    # The form is empty again, ready for another token
    assert response.context["form"].data == {}

    # And afterwards the list names it by its prefix only; the secret is never shown again
    later = client.get(TOKENS).content.decode()
    assert "newsroom import" in later
    assert f"ihb_{token.prefix}_…" in later
    assert secret not in later
    assert secret.rpartition("_")[2] not in later
    # The harbor keeps only a hash of it
    assert secret.rpartition("_")[2] not in token.secret_hash


def test_a_write_token_with_an_expiry(client: Client, person: User) -> None:
    client.force_login(person)

    response = client.post(TOKENS, {"name": "ci", "scope": "write", "expires_in_days": "30"})

    token = ApiToken.objects.get(user=person)
    assert token.scope == TokenScope.WRITE
    assert token.expires_at is not None
    expected = timezone.now() + dt.timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60
    assert tokens.authenticate(SECRET.search(response.content.decode()).group(1)) == token  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "scope": "read", "expires_in_days": "0"}, "expires_in_days"),
        ({"name": "x", "scope": "read", "expires_in_days": "99999"}, "expires_in_days"),
        ({"name": "x", "scope": "read", "expires_in_days": "soon"}, "expires_in_days"),
    ],
)
def test_bad_token_input_is_refused(
    client: Client, person: User, data: dict[str, str], field: str
) -> None:
    client.force_login(person)

    response = client.post(TOKENS, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_listed_as_expired_and_does_not_work(
    client: Client, person: User
) -> None:
    issued = issue(person, expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(person)

    page = client.get(TOKENS).content.decode()

    assert "Expired" in page
    assert revoke_url(issued.token) not in page
    assert tokens.authenticate(issued.secret) is None


def test_revoking_a_token_stops_it_working(client: Client, person: User) -> None:
    issued = issue(person)
    assert tokens.authenticate(issued.secret) == issued.token
    client.force_login(person)
    assert revoke_url(issued.token) in client.get(TOKENS).content.decode()

    response = client.post(revoke_url(issued.token))

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/tokens/"
    assert tokens.authenticate(issued.secret) is None
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    page = client.get(TOKENS).content.decode()
    assert "is revoked" in page
    assert "Revoked" in page
    assert revoke_url(issued.token) not in page
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1

    # Revoking again changes nothing
    assert client.post(revoke_url(issued.token)).status_code == 302
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_revoking_needs_a_post(client: Client, person: User) -> None:
    issued = issue(person)
    client.force_login(person)

    assert client.get(revoke_url(issued.token)).status_code == 405
    assert tokens.authenticate(issued.secret) == issued.token


def test_nobody_can_revoke_or_see_another_persons_token(client: Client, person: User) -> None:
    issued = issue(person)
    client.force_login(make_user("intruder@example.org"))

    response = client.post(revoke_url(issued.token))

    assert response.status_code == 404
    assert tokens.authenticate(issued.secret) == issued.token
    assert issued.token.prefix not in client.get(TOKENS).content.decode()


def test_token_forms_need_the_csrf_token(person: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    issued = issue(person)

    # Without the token, neither making nor revoking works
    assert client.post(TOKENS, {"name": "x", "scope": "write"}).status_code == 403
    assert client.post(revoke_url(issued.token)).status_code == 403
    assert ApiToken.objects.count() == 1
    assert tokens.authenticate(issued.secret) is not None

    # With the token from the page's forms, both do
    page = client.get(TOKENS)
    csrf = csrf_token_from(page)
    made = client.post(TOKENS, {"name": "x", "scope": "write", "csrfmiddlewaretoken": csrf})
    assert made.status_code == 200
    assert ApiToken.objects.count() == 2
    revoked = client.post(revoke_url(issued.token), {"csrfmiddlewaretoken": csrf})
    assert revoked.status_code == 302
    assert tokens.authenticate(issued.secret) is None


def test_the_tokens_page_needs_a_signed_in_person(client: Client) -> None:
    assert client.get(TOKENS)["Location"] == "/en/accounts/login/?next=/en/accounts/tokens/"
    assert client.post(TOKENS, {"name": "x", "scope": "read"}).status_code == 302
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "raw",
    ["", "ihb_", "ihb_abc", "ihb__secret", "token", "ihb_000000000000_wrong-secret"],
)
def test_malformed_or_unknown_tokens_do_not_authenticate(person: User, raw: str) -> None:
    issue(person)

    assert tokens.authenticate(raw) is None


def test_a_token_of_a_deactivated_person_does_not_work(person: User) -> None:
    issued = issue(person)
    User.objects.filter(pk=person.pk).update(is_active=False)

    assert tokens.authenticate(issued.secret) is None


def test_the_tokens_page_makes_the_same_queries_however_many_tokens(
    client: Client, person: User, django_assert_num_queries: Any
) -> None:
    client.force_login(person)
    issue(person)
    client.get(TOKENS)  # warm up: the session and the time zone choices

    # The session, the user, what the page header needs of their roles (two), the tokens
    with django_assert_num_queries(5):
        client.get(TOKENS)
    for _ in range(5):
        issue(person, scope=TokenScope.WRITE)
    with django_assert_num_queries(5):
        response = client.get(TOKENS)
    assert len(response.context["tokens"]) == 6
