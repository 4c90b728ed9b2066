"""Signing in and out: wrong passwords, the rate limit, safe ``next`` and POST-only sign-out."""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.test import Client

from infoharbor.accounts.models import User
from tests.accounts.helpers import LOGIN, LOGOUT, csrf_token_from, sign_in, signed_in_user
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"


@pytest.fixture
def few_attempts(settings: Any) -> int:
    settings.LOGIN_MAX_ATTEMPTS = 3
    settings.LOGIN_WINDOW_SECONDS = 600
    return 3


@pytest.fixture
def advance_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Move the cache's clock forward, so rate-limit windows can run out without waiting."""
    offset = [0.0]
    fake = types.SimpleNamespace(time=lambda: time.time() + offset[0])
    monkeypatch.setattr(locmem, "time", fake)
    monkeypatch.setattr(cache_base, "time", fake)

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def test_the_sign_in_page_renders_with_links_onwards(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    page = response.content.decode()
    for path in ("/en/accounts/password/reset/", "/en/accounts/signup/", "/en/accounts/verify/"):
        assert path in page


def test_the_right_password_signs_in_to_the_dashboard(client: Client) -> None:
    user = make_user("Someone@Example.org".lower())

    response = sign_in(client, "  SOMEONE@example.ORG ")

    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    assert signed_in_user(client) == user
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("email", ["someone@example.org", "nobody@example.org"])
def test_a_wrong_password_or_unknown_address_gets_the_same_message(
    client: Client, email: str
) -> None:
    make_user("someone@example.org")

    response = sign_in(client, email, WRONG)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email address or the password is not right."
    ]
    assert "The email address or the password is not right." in response.content.decode()
    # The address stays in the form, the password does not
    assert f'value="{email}"' in response.content.decode()
    assert WRONG not in response.content.decode()
    assert signed_in_user(client) is None


def test_an_inactive_account_cannot_sign_in(client: Client) -> None:
    make_user("gone@example.org", is_active=False)

    response = sign_in(client, "gone@example.org")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user(client) is None


def test_an_unverified_account_is_asked_to_confirm_and_offered_a_new_link(
    client: Client,
) -> None:
    make_user("pending@example.org", verified=False)

    response = sign_in(client, "pending@example.org")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Confirm your email address first" in page
    assert 'action="/en/accounts/verify/resend/"' in page
    assert 'value="pending@example.org"' in page
    assert signed_in_user(client) is None


def test_an_unverified_account_with_a_wrong_password_learns_nothing(client: Client) -> None:
    make_user("pending@example.org", verified=False)

    response = sign_in(client, "pending@example.org", WRONG)

    assert response.status_code == 200
    assert "Confirm your email address first" not in response.content.decode()


def test_sign_in_pauses_for_an_account_after_too_many_failures(
    client: Client, few_attempts: int
) -> None:
    user = make_user("target@example.org")

    # Given failures from several addresses, so only the account counter fills up
    for attempt in range(few_attempts):
        response = sign_in(client, user.email, WRONG, address=f"198.51.100.{attempt}")
        assert response.status_code == 200

    # Then even the right password is refused for a while, with a page that says what to do
    refused = sign_in(client, user.email, PASSWORD, address="203.0.113.9")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed sign-in attempts" in page
    assert "10 minutes" in page
    assert "/en/accounts/password/reset/" in page
    assert refused["Retry-After"] == "600"
    assert signed_in_user(client) is None

    # And other accounts from that address are not affected
    other = make_user("other@example.org")
    assert sign_in(client, other.email, address="203.0.113.9").status_code == 302


def test_sign_in_pauses_for_a_client_address_after_too_many_failures(
    client: Client, few_attempts: int
) -> None:
    users = [make_user(f"person{n}@example.org") for n in range(few_attempts + 1)]

    # Given one failure on each of several accounts, all from one address
    for user in users[:few_attempts]:
        assert sign_in(client, user.email, WRONG, address="192.0.2.50").status_code == 200

    # Then that address may not try any account, while others still can
    assert sign_in(client, users[-1].email, address="192.0.2.50").status_code == 429
    assert sign_in(client, users[-1].email, address="192.0.2.51").status_code == 302


def test_the_pause_ends_when_the_window_runs_out(
    client: Client, few_attempts: int, advance_clock: Callable[[float], None]
) -> None:
    user = make_user()
    for _ in range(few_attempts):
        sign_in(client, user.email, WRONG)
    assert sign_in(client, user.email).status_code == 429

    advance_clock(599)
    assert sign_in(client, user.email).status_code == 429

    advance_clock(2)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert signed_in_user(client) == user


def test_a_successful_sign_in_forgets_the_account_failures(
    client: Client, few_attempts: int
) -> None:
    user = make_user()
    for _ in range(few_attempts - 1):
        sign_in(client, user.email, WRONG, address="192.0.2.1")
    assert sign_in(client, user.email, address="192.0.2.1").status_code == 302
    client.post(LOGOUT)

    for _ in range(few_attempts - 1):
        sign_in(client, user.email, WRONG, address="192.0.2.2")
    assert sign_in(client, user.email, address="192.0.2.2").status_code == 302


def test_the_default_limit_comes_from_the_setting(client: Client, settings: Any) -> None:
    user = make_user()
    for _ in range(settings.LOGIN_MAX_ATTEMPTS):
        assert sign_in(client, user.email, WRONG).status_code == 200
    assert sign_in(client, user.email).status_code == 429


def test_login_required_pages_send_people_to_sign_in_and_back(client: Client) -> None:
    user = make_user()

    response = client.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/accounts/profile/"

    form = client.get(response["Location"])
    assert 'name="next" value="/en/accounts/profile/"' in form.content.decode()

    signed_in = sign_in(client, user.email, next_url="/en/accounts/profile/")
    assert signed_in["Location"] == "/en/accounts/profile/"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/path",
        "http://testserver.evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "https:///evil.example.com",
    ],
)
def test_next_never_leads_to_another_site(client: Client, target: str) -> None:
    user = make_user()

    page = client.get(LOGIN, {"next": target})
    response = sign_in(client, user.email, next_url=target)

    assert 'name="next"' not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"


def test_next_may_be_a_full_address_on_this_site(client: Client) -> None:
    make_user("me@example.org")

    response = sign_in(client, "me@example.org", next_url="http://testserver/en/")

    assert response["Location"] == "http://testserver/en/"


def test_sign_out_needs_a_post(client: Client) -> None:
    user = make_user()
    client.force_login(user)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert signed_in_user(client) == user


def test_sign_out_by_post_ends_the_session(client: Client) -> None:
    client.force_login(make_user())

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert signed_in_user(client) is None
    assert "You have signed out." in client.get("/en/").content.decode()


def test_sign_out_without_the_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_user()
    client.force_login(user)

    assert client.post(LOGOUT).status_code == 403
    assert signed_in_user(client) == user

    # The sign-out button on every page carries the token, and with it sign-out works
    page = client.get("/en/accounts/profile/")
    assert f'action="{LOGOUT}"' in page.content.decode()
    response = client.post(LOGOUT, {"csrfmiddlewaretoken": csrf_token_from(page)})
    assert response.status_code == 302
    assert signed_in_user(client) is None


def test_sign_in_form_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    make_user("me@example.org")

    refused = client.post(LOGIN, {"email": "me@example.org", "password": PASSWORD})
    assert refused.status_code == 403

    token = csrf_token_from(client.get(LOGIN))
    response = client.post(
        LOGIN, {"email": "me@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert isinstance(signed_in_user(client), User)


@pytest.mark.parametrize("page", [LOGIN, "/en/accounts/signup/", "/en/accounts/verify/resend/"])
def test_an_empty_submission_says_what_is_missing(client: Client, page: str) -> None:
    response = client.post(page, {})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["This field is required."]
