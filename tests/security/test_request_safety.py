"""Request-level protections that hold on every page and endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def test_strict_security_headers_on_pages(client: Client) -> None:
    response = client.get("/en/", follow=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_oversized_body_is_refused_with_413_before_it_is_read(
    client: Client, settings: Any
) -> None:
    settings.MAX_REQUEST_BYTES = 1000
    page = client.post("/en/accounts/login/", data={"x": "y" * 5000})
    assert page.status_code == 413
    api = client.post(
        "/api/v1/entries", data=b"{" + b" " * 5000 + b"}", content_type="application/json"
    )
    assert api.status_code == 413
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["status"] == 413


def test_forms_need_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/accounts/login/", {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403


def test_root_redirects_to_a_language_prefix_from_accept_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/th/"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Location"] == "/zh-hans/"


def test_health_endpoint(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


HOSTILE_VALUES = [
    "\x00",
    "%00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "9" * 400,
    "-1",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "ไทย" * 2000,
    "../../etc/passwd",
]
HOSTILE_PAGES = [
    "/en/entries/?country={v}&sector={v}&language={v}&kind={v}&organization={v}",
    "/en/entries/?date_from={v}&date_to={v}&page={v}",
    "/en/organizations/?country={v}&kind={v}&page={v}",
    "/en/?country={v}",
    "/en/entries/1/?lang={v}",
    "/en/countries/{v}/",
    "/en/organizations/{v}/",
    "/api/v1/entries?country={v}&cursor={v}&limit={v}",
    "/api/v1/countries/{v}",
]


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_hostile_query_values_never_cause_a_server_error(client: Client, page: str) -> None:
    for value in HOSTILE_VALUES:
        encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
        response = client.get(page.format(v=encoded))
        assert response.status_code < 500, (page, value, response.status_code)


def test_malformed_percent_encoding_and_bad_methods_are_not_server_errors(client: Client) -> None:
    assert client.get("/en/entries/?country=%ff%fe").status_code < 500
    assert client.put("/en/entries/").status_code < 500
    assert client.delete("/en/accounts/login/").status_code < 500
    assert client.post("/en/entries/1/publish/").status_code < 500


def test_the_accounts_language_beats_the_browser_and_the_prefix_beats_both() -> None:
    user = factories.make_user("reader@example.org")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)  # no sign-in form: nothing was put in the session
    user.preferred_language = "th"  # e.g. changed by an operator
    user.save(update_fields=["preferred_language"])
    assert client.get("/")["Location"] == "/th/"
    assert client.get("/th/").status_code == 200
    page = client.get("/vi/")
    assert page.status_code == 200
    assert '<html lang="vi"' in page.content.decode()
