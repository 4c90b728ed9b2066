"""Confirming an address: what unconfirmed people may do, expired links, new links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from infoharbor.accounts import verification
from infoharbor.accounts.models import User
from tests.accounts.helpers import (
    RESEND,
    SIGNUP,
    csrf_token_from,
    link_in,
    sign_in,
    signed_in_user,
    signup_data,
)
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

Committing = Callable[[], AbstractContextManager[Any]]


def test_an_unconfirmed_person_asks_for_a_new_link_from_the_sign_in_answer(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    # Given someone who signed up but lost the first message
    with committing():
        client.post(SIGNUP, signup_data())
    mailoutbox.clear()

    # When they try to sign in, they are told to confirm first
    answer = sign_in(client, "new.person@example.org", signup_data()["password1"])
    assert answer.status_code == 403
    assert signed_in_user(client) is None

    # And the form on that page sends a new link
    sent = client.post(RESEND, {"email": "new.person@example.org"})
    assert sent["Location"] == "/en/accounts/verify/sent/"
    (message,) = mailoutbox
    response = client.get(link_in(message))

    # Which confirms the address and signs them in
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.email_verified
    assert signed_in_user(client) == user
    follow = client.get(response["Location"])
    assert "Your email address is confirmed." in follow.content.decode()


def test_the_unverified_page_form_carries_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    make_user("pending@example.org", verified=False)
    token = csrf_token_from(client.get("/en/accounts/login/"))

    answer = client.post(
        "/en/accounts/login/",
        {"email": "pending@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert answer.status_code == 403
    resend = client.post(
        RESEND, {"email": "pending@example.org", "csrfmiddlewaretoken": csrf_token_from(answer)}
    )
    assert resend.status_code == 302


def test_an_expired_link_shows_a_clear_page_with_the_resend_form(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user(verified=False)
    with_link = verification.link(user).removeprefix(settings.SITE_URL)

    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)  # noqa: DTZ005 - the token generator counts in naive local time
    monkeypatch.setattr(verification.token_generator, "_now", lambda: later)
    response = client.get(with_link)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This link does not work" in page
    assert "has expired" in page
    assert f'action="{RESEND}"' in page
    user.refresh_from_db()
    assert not user.email_verified
    assert signed_in_user(client) is None


def test_a_link_dies_when_the_password_changes(client: Client) -> None:
    user = make_user(verified=False)
    link = verification.link(user).removeprefix(settings.SITE_URL)

    user.set_password("a-different-password-1")
    user.save()

    assert client.get(link).status_code == 400


def test_a_link_for_a_deactivated_account_does_not_work(client: Client) -> None:
    user = make_user(verified=False)
    link = verification.link(user).removeprefix(settings.SITE_URL)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert client.get(link).status_code == 400
    assert signed_in_user(client) is None


def test_a_link_opened_while_someone_else_is_signed_in_switches_to_its_owner(
    client: Client,
) -> None:
    someone = make_user()
    owner = make_user(verified=False)
    client.force_login(someone)

    client.get(verification.link(owner).removeprefix(settings.SITE_URL))

    assert signed_in_user(client) == owner


def test_verification_only_by_get_link(client: Client) -> None:
    user = make_user(verified=False)
    link = verification.link(user).removeprefix(settings.SITE_URL)

    assert client.post(link).status_code == 405
    user.refresh_from_db()
    assert not user.email_verified


@pytest.mark.parametrize("email", ["TAKEN@example.org", "taken@EXAMPLE.ORG", " taken@example.org "])
def test_an_address_is_taken_whatever_its_case(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing, email: str
) -> None:
    owner = make_user("taken@example.org")

    with committing():
        response = client.post(SIGNUP, signup_data(email=email))

    # Refused without saying so on the page (the owner is told by mail instead)
    assert response.status_code == 302
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    assert [message.to for message in mailoutbox] == [["taken@example.org"]]


def test_the_address_is_stored_in_lower_case(client: Client, committing: Committing) -> None:
    with committing():
        client.post(SIGNUP, signup_data(email="Mixed.Case@Example.ORG"))

    user = User.objects.get()
    assert user.email == "mixed.case@example.org"
