"""Every account page opens for people who are not signed in, in each language prefix."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]

OPEN_PAGES = [
    ("accounts/signup/", 200),
    ("accounts/signup/done/", 200),
    ("accounts/verify/resend/", 200),
    ("accounts/verify/sent/", 200),
    ("accounts/verify/MQ/not-a-token/", 400),
    ("accounts/verify/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/", 400),
    ("accounts/login/", 200),
    ("accounts/password/reset/", 200),
    ("accounts/password/reset/sent/", 200),
    ("accounts/password/reset/complete/", 200),
    ("accounts/password/reset/MQ/not-a-token/", 200),
    ("accounts/password/reset/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/", 200),
]

SIGNED_IN_PAGES = [
    "accounts/profile/",
    "accounts/tokens/",
    "accounts/password/change/",
    "accounts/password/change/done/",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("page", "status"), OPEN_PAGES)
def test_open_pages_render(client: Client, language: str, page: str, status: int) -> None:
    response = client.get(f"/{language}/{page}")

    assert response.status_code == status
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert html.startswith("<!doctype html>")
    assert "</html>" in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_signed_in_pages_send_visitors_to_sign_in_in_their_language(
    client: Client, language: str, page: str
) -> None:
    response = client.get(f"/{language}/{page}")

    assert response.status_code == 302
    assert response["Location"] == f"/{language}/accounts/login/?next=/{language}/{page}"


def test_pages_are_translated(client: Client) -> None:
    english = client.get("/en/accounts/login/").content.decode()
    chinese = client.get("/zh-hans/accounts/login/").content.decode()

    assert 'action="/zh-hans/accounts/login/"' in chinese
    assert chinese != english.replace("/en/", "/zh-hans/")


@pytest.mark.parametrize("page", ["accounts/login/", "accounts/signup/"])
def test_addresses_without_a_language_follow_the_browser(client: Client, page: str) -> None:
    response = client.get(f"/{page}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")

    assert response.status_code == 302
    assert response["Location"] == f"/zh-hans/{page}"
