"""Forgotten passwords, changing a password, and how passwords are stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client

from infoharbor.accounts import ratelimit
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import (
    NEW_PASSWORD,
    RESET,
    html_part,
    link_in,
    sign_in,
    signed_in_user,
)
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

CHANGE = "/en/accounts/password/change/"


def new_password(password: str = NEW_PASSWORD) -> dict[str, str]:
    return {"new_password1": password, "new_password2": password}


def test_real_passwords_are_hashed_with_argon2() -> None:
    # The settings the harbor runs with (tests swap in a faster Argon2 of the same format)
    from infoharbor import settings as harbor_settings

    assert harbor_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    assert make_user().password.startswith("argon2$")


def test_reset_mails_a_link_that_sets_a_new_password_once(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    user = make_user("forgetful@example.org")

    # When they ask for a link, with their address in another case
    response = client.post(RESET, {"email": "Forgetful@Example.org"})

    # Then they are told to look at their mail, and the mail carries the link
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password/reset/sent/"
    (message,) = mailoutbox
    assert message.to == ["forgetful@example.org"]
    link = link_in(message)
    assert link.startswith("/en/accounts/password/reset/")
    assert f"{settings.SITE_URL}{link}" in html_part(message)

    # When they open it, they get a form (the token moves out of the address)
    opened = client.get(link)
    assert opened.status_code == 302
    form_url = opened["Location"]
    assert form_url.endswith("/set-password/")
    page = client.get(form_url)
    assert page.status_code == 200
    assert page.context["validlink"]

    # And a password the validators refuse is refused with a message
    weak = client.post(form_url, new_password("1234567890"))
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]

    # And a good one is saved
    done = client.post(form_url, new_password())
    assert done.status_code == 302
    assert done["Location"] == "/en/accounts/password/reset/complete/"
    assert client.get(done["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="account.password_reset").exists()

    # Then the new password works and the old one does not
    assert sign_in(client, user.email, PASSWORD).status_code == 200
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert signed_in_user(client) == user

    # And the link works only once
    client.post("/en/accounts/logout/")
    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert "This link does not work" in again.content.decode()


@pytest.mark.parametrize("email", ["nobody@example.org", "gone@example.org"])
def test_reset_answers_the_same_for_addresses_without_an_account(
    client: Client, mailoutbox: list[mail.EmailMessage], email: str
) -> None:
    make_user("someone@example.org")
    make_user("gone@example.org", is_active=False)

    known = client.post(RESET, {"email": "someone@example.org"})
    unknown = client.post(RESET, {"email": email})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in mailoutbox] == [["someone@example.org"]]


def test_reset_mail_is_in_the_persons_language(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    make_user("som@example.org", preferred_language="th")

    client.post(RESET, {"email": "som@example.org"})

    (message,) = mailoutbox
    assert link_in(message).startswith("/th/accounts/password/reset/")
    assert '<html lang="th">' in html_part(message)


def test_reset_mail_is_capped_per_address(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    make_user("someone@example.org")

    for _ in range(5):
        assert client.post(RESET, {"email": "someone@example.org"}).status_code == 302

    assert len(mailoutbox) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/password/reset/MQ/not-a-token/",
        "/en/accounts/password/reset/!!!/x-y/",
        "/en/accounts/password/reset/OTk5OTk/set-password/",
    ],
)
def test_a_broken_reset_link_shows_a_clear_page(client: Client, path: str) -> None:
    make_user()

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert 'href="/en/accounts/password/reset/"' in response.content.decode()


def test_an_expired_reset_link_shows_a_clear_page(
    client: Client, mailoutbox: list[mail.EmailMessage], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user()
    client.post(RESET, {"email": user.email})
    link = link_in(mailoutbox[0])

    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)  # noqa: DTZ005 - the token generator uses naive local time
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = client.get(link, follow=True)

    assert response.status_code == 200
    assert not response.context["validlink"]


def test_a_reset_confirms_the_address_and_lifts_a_sign_in_pause(
    client: Client, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.LOGIN_MAX_ATTEMPTS = 2
    user = make_user("pending@example.org", verified=False)
    for _ in range(2):
        ratelimit.record_failure(user.email, "192.0.2.99")
    assert sign_in(client, user.email, address="192.0.2.1").status_code == 429

    client.post(RESET, {"email": user.email})
    form_url = client.get(link_in(mailoutbox[0]))["Location"]
    client.post(form_url, new_password())

    user.refresh_from_db()
    assert user.email_verified
    assert sign_in(client, user.email, NEW_PASSWORD, address="192.0.2.1").status_code == 302


def test_change_password_needs_the_old_one_and_keeps_you_signed_in(client: Client) -> None:
    user = make_user()
    client.force_login(user)

    wrong = client.post(
        CHANGE, {"old_password": "not-my-password", **new_password()}, REMOTE_ADDR="192.0.2.3"
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["old_password"]

    differ = client.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "other-one-x"},
    )
    assert differ.context["form"].errors["new_password2"]

    response = client.post(CHANGE, {"old_password": PASSWORD, **new_password()})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password/change/done/"
    assert client.get(response["Location"]).status_code == 200
    # Still signed in on this device
    assert signed_in_user(client) == user
    assert client.get("/en/accounts/profile/").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_change").exists()


def test_change_password_signs_out_other_sessions(client: Client) -> None:
    user = make_user()
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)

    client.post(CHANGE, {"old_password": PASSWORD, **new_password()})

    response = other_device.get("/en/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_change_password_needs_a_signed_in_person(client: Client) -> None:
    response = client.get(CHANGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
