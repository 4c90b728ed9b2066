"""Sign-up, the verification link, and asking for a new one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from infoharbor.accounts import views
from infoharbor.accounts.models import User
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import (
    NEW_PASSWORD,
    RESEND,
    SIGNUP,
    html_part,
    link_in,
    sign_in,
    signed_in_user,
    signup_data,
)
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

Committing = Callable[[], AbstractContextManager[Any]]


def test_signup_sends_a_link_that_verifies_signs_in_and_works_once(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    # Given a new person signing up
    with committing():
        response = client.post(SIGNUP, signup_data())

    # Then the account exists, unverified, with an argon2 hash, and they are told to check mail
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/signup/done/"
    user = User.objects.get(email="new.person@example.org")
    assert not user.email_verified
    assert user.password.startswith("argon2")
    assert (user.display_name, user.time_zone) == ("New Person", "Asia/Bangkok")
    assert AuditEvent.objects.filter(action="account.register", target_id=str(user.pk)).exists()
    assert signed_in_user(client) is None

    # And a multipart message carries the absolute verification link
    (message,) = mailoutbox
    assert message.to == ["new.person@example.org"]
    link = link_in(message)
    assert link.startswith("/en/accounts/verify/")
    assert f"{settings.SITE_URL}{link}" in html_part(message)

    # When they follow it, the address is verified and they are signed in
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    user.refresh_from_db()
    assert user.email_verified
    assert signed_in_user(client) == user

    # And the link does not work a second time
    client.post("/en/accounts/logout/")
    again = client.get(link)
    assert again.status_code == 400
    assert b'name="email"' in again.content  # the resend form
    assert signed_in_user(client) is None

    # And they can sign in with their password
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user(client) == user


def test_verification_mail_is_in_the_preferred_language(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    with committing():
        client.post(SIGNUP, signup_data(preferred_language="th"))

    (message,) = mailoutbox
    assert link_in(message).startswith("/th/accounts/verify/")
    assert '<html lang="th">' in html_part(message)
    user = User.objects.get(email="new.person@example.org")
    assert user.preferred_language == "th"

    response = client.get(link_in(message))
    assert response["Location"] == "/th/dashboard/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1"),
        (
            {"password1": "new.person@example.org", "password2": "new.person@example.org"},
            "password1",
        ),
        ({"email": "not-an-address"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"preferred_language": "xx"}, "preferred_language"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ],
)
def test_bad_signup_input_rerenders_with_the_field_error(
    client: Client, mailoutbox: list[mail.EmailMessage], overrides: dict[str, str], field: str
) -> None:
    response = client.post(SIGNUP, signup_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.exists()
    assert mailoutbox == []


def test_signup_with_a_registered_address_does_not_reveal_it(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    # Given an existing, verified account
    owner = make_user("owner@example.org", display_name="Owner")
    original_hash = owner.password

    # When someone signs up with the same address (in other case) and another password
    with committing():
        taken = client.post(SIGNUP, signup_data(email="Owner@Example.org"))
    with committing():
        fresh = client.post(SIGNUP, signup_data(email="someone.else@example.org"))

    # Then they see exactly what a new person sees
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert client.get(taken["Location"]).content == client.get(fresh["Location"]).content

    # And the account is unchanged; its owner is told, with sign-in and reset links only
    owner.refresh_from_db()
    assert owner.password == original_hash
    assert User.objects.filter(email="owner@example.org").count() == 1
    notice = next(message for message in mailoutbox if message.to == ["owner@example.org"])
    assert "/en/accounts/login/" in str(notice.body)
    assert "/en/accounts/password/reset/" in str(notice.body)
    assert "/verify/" not in str(notice.body)
    # The person who tried cannot sign in with their password
    assert sign_in(client, "owner@example.org", NEW_PASSWORD).status_code == 200
    assert signed_in_user(client) is None


def test_signup_with_an_unverified_address_mails_the_owner_a_new_link(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    owner = make_user("pending@example.org", verified=False)

    with committing():
        client.post(SIGNUP, signup_data(email="pending@example.org"))

    (message,) = mailoutbox
    assert message.to == ["pending@example.org"]
    client.get(link_in(message))
    owner.refresh_from_db()
    assert owner.email_verified
    # The password is the one the owner chose, not the second sign-up's
    assert owner.check_password(PASSWORD)


def test_owner_notices_are_capped_per_address(
    client: Client, mailoutbox: list[mail.EmailMessage], committing: Committing
) -> None:
    make_user("owner@example.org")

    for _ in range(6):
        with committing():
            response = client.post(SIGNUP, signup_data(email="owner@example.org"))
        assert response.status_code == 302

    assert len(mailoutbox) == 3


def test_a_tampered_link_shows_the_resend_form(client: Client) -> None:
    user = make_user(verified=False)

    response = client.get("/en/accounts/verify/MQ/not-a-token/")
    also = client.get("/en/accounts/verify/!!!/x-y/")

    assert response.status_code == also.status_code == 400
    assert "resend" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


def test_resend_sends_a_link_only_to_unverified_accounts_and_says_the_same_to_all(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    make_user("pending@example.org", verified=False)
    make_user("done@example.org")

    answers = [
        client.post(RESEND, {"email": email})
        for email in ("pending@example.org", "done@example.org", "nobody@example.org")
    ]

    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {"/en/accounts/verify/sent/"}
    (message,) = mailoutbox
    assert message.to == ["pending@example.org"]
    assert "/en/accounts/verify/" in link_in(message)


def test_resend_is_capped_per_address_and_per_client(
    client: Client, mailoutbox: list[mail.EmailMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user("pending@example.org", verified=False)

    for _ in range(5):
        assert client.post(RESEND, {"email": "pending@example.org"}).status_code == 302
    assert len(mailoutbox) == 3

    monkeypatch.setattr(views, "CLIENT_MAIL_REQUESTS", 5)
    refused = client.post(RESEND, {"email": "someone@example.org"})
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    other_client = client.post(RESEND, {"email": "someone@example.org"}, REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 302


def test_signed_in_people_are_sent_from_signup_to_their_profile(client: Client) -> None:
    client.force_login(make_user())

    response = client.get(SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"


def test_signup_page_offers_the_languages_and_asian_time_zones_first(client: Client) -> None:
    response = client.get(SIGNUP)

    assert response.status_code == 200
    form = response.context["form"]
    assert [code for code, _name in form.fields["preferred_language"].choices] == [
        code for code, _name in settings.LANGUAGES
    ]
    groups = [label for label, _items in form.fields["time_zone"].choices]
    assert groups[:2] == ["UTC", "Asia"]
