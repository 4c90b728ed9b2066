"""The profile page: name, interface language and time zone, and what they change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from infoharbor.accounts import tokens
from infoharbor.accounts.models import ApiToken, User
from infoharbor.core import audit
from infoharbor.core.models import AuditEvent
from tests.accounts.helpers import PROFILE, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def profile_data(**overrides: str) -> dict[str, str]:
    data = {"display_name": "Nguyen Van An", "preferred_language": "en", "time_zone": "UTC"}
    data.update(overrides)
    return data


@pytest.fixture
def person() -> User:
    return make_user("an@example.org", display_name="An", time_zone="Asia/Bangkok")


def test_the_profile_shows_the_account_and_its_settings(client: Client, person: User) -> None:
    client.force_login(person)

    response = client.get(PROFILE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "an@example.org" in page
    assert 'value="An"' in page
    assert '<option value="Asia/Bangkok" selected>' in page
    assert 'href="/en/accounts/password/change/"' in page
    assert 'href="/en/accounts/tokens/"' in page


def test_changing_the_name_is_saved_and_audited(client: Client, person: User) -> None:
    client.force_login(person)

    response = client.post(PROFILE, profile_data(display_name="  An Nguyen  "))

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    person.refresh_from_db()
    assert person.display_name == "An Nguyen"
    event = AuditEvent.objects.get(action="account.update_profile")
    assert event.changes["display_name"] == ["An", "An Nguyen"]
    assert "Your profile is saved." in client.get(PROFILE).content.decode()


def test_an_empty_name_is_refused(client: Client, person: User) -> None:
    client.force_login(person)

    response = client.post(PROFILE, profile_data(display_name="   "))

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    person.refresh_from_db()
    assert person.display_name == "An"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "asia/bangkok", "Etc/GMT+99"])
def test_an_unknown_time_zone_is_refused(client: Client, person: User, zone: str) -> None:
    client.force_login(person)

    response = client.post(PROFILE, profile_data(time_zone=zone))

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    person.refresh_from_db()
    assert person.time_zone == "Asia/Bangkok"


def test_an_unknown_language_is_refused(client: Client, person: User) -> None:
    client.force_login(person)

    response = client.post(PROFILE, profile_data(preferred_language="xx"))

    assert response.status_code == 200
    assert response.context["form"].errors["preferred_language"]


def test_the_time_zone_is_used_for_times_shown_to_the_person(client: Client, person: User) -> None:
    client.force_login(person)

    client.post(PROFILE, profile_data(time_zone="Asia/Jakarta"))

    person.refresh_from_db()
    assert person.time_zone == "Asia/Jakarta"
    issued = tokens.issue_token(user=person, origin=audit.Origin(user=person), name="clock")
    midnight_utc = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ApiToken.objects.filter(pk=issued.token.pk).update(created_at=midnight_utc)
    page = client.get("/en/accounts/tokens/").content.decode()
    assert "01/01/2025 7 a.m." in page  # midnight in UTC is seven in the morning in Jakarta


def test_the_chosen_language_takes_over_addresses_without_a_language(
    client: Client, person: User
) -> None:
    client.force_login(person)

    # When they choose Simplified Chinese
    response = client.post(PROFILE, profile_data(preferred_language="zh-hans"))

    # Then they are sent back to their profile in it
    assert response["Location"] == "/zh-hans/accounts/profile/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert '<html lang="zh-Hans"' in page.content.decode()
    person.refresh_from_db()
    assert person.preferred_language == "zh-hans"

    # And an address without a language opens in it, even if the browser asks for English
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert home.status_code == 302
    assert home["Location"] == "/zh-hans/"

    # While an address that names a language keeps it
    assert client.get("/en/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_the_language_is_remembered_at_the_next_sign_in(client: Client, person: User) -> None:
    client.force_login(person)
    client.post(PROFILE, profile_data(preferred_language="th"))
    client.post("/th/accounts/logout/")

    # Signed out, the browser's language applies again
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/en/"

    # Signing in brings the preference back, to the dashboard in that language
    response = sign_in(client, person.email)
    assert response["Location"] == "/th/dashboard/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/th/"


def test_the_profile_needs_a_signed_in_person(client: Client) -> None:
    response = client.post(PROFILE, profile_data())

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
