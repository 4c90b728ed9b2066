"""The OpenAPI document describes every operation, its errors as problems, and its security."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from infoharbor.api.problems import MEDIA_TYPE

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}

OPERATIONS = {
    ("get", "/api/v1/entries"): "list_entries",
    ("post", "/api/v1/entries"): "create_entry",
    ("get", "/api/v1/entries/{entry_id}"): "get_entry",
    ("patch", "/api/v1/entries/{entry_id}"): "update_entry",
    ("post", "/api/v1/entries/{entry_id}/submit"): "submit_entry",
    ("post", "/api/v1/entries/{entry_id}/publish"): "publish_entry",
    ("post", "/api/v1/entries/{entry_id}/withdraw"): "withdraw_entry",
    ("put", "/api/v1/entries/{entry_id}/translations/{language}"): "put_translation",
    ("get", "/api/v1/organizations"): "list_organizations",
    ("get", "/api/v1/organizations/{slug}"): "get_organization",
    ("get", "/api/v1/countries"): "list_countries",
    ("get", "/api/v1/countries/{iso2}"): "get_country",
    ("get", "/api/v1/languages"): "list_languages",
    ("get", "/api/v1/sectors"): "list_sectors",
    ("get", "/api/v1/kinds"): "list_kinds",
    ("get", "/api/v1/search"): "search",
    ("get", "/api/v1/search/suggest"): "suggest",
    ("get", "/api/v1/sources"): "list_sources",
    ("post", "/api/v1/sources"): "create_source",
    ("get", "/api/v1/sources/{source_id}"): "get_source",
    ("patch", "/api/v1/sources/{source_id}"): "update_source",
    ("get", "/api/v1/sources/{source_id}/health"): "source_health",
    ("get", "/api/v1/stories"): "list_stories",
    ("get", "/api/v1/stories/{story_id}"): "get_story",
    ("get", "/api/v1/subscriptions"): "list_subscriptions",
    ("post", "/api/v1/subscriptions"): "create_subscription",
    ("get", "/api/v1/subscriptions/{subscription_id}"): "get_subscription",
    ("patch", "/api/v1/subscriptions/{subscription_id}"): "update_subscription",
    ("delete", "/api/v1/subscriptions/{subscription_id}"): "delete_subscription",
    ("post", "/api/v1/subscriptions/{subscription_id}/feed-address"): "rotate_feed_address",
    ("get", "/api/v1/subscriptions/{subscription_id}/deliveries"): "list_deliveries",
    ("get", "/api/v1/webhooks"): "list_webhooks",
    ("post", "/api/v1/webhooks"): "create_webhook",
    ("get", "/api/v1/webhooks/{endpoint_id}"): "get_webhook",
    ("patch", "/api/v1/webhooks/{endpoint_id}"): "update_webhook",
    ("delete", "/api/v1/webhooks/{endpoint_id}"): "delete_webhook",
    ("post", "/api/v1/webhooks/{endpoint_id}/secret"): "rotate_webhook_secret",
    ("post", "/api/v1/webhooks/{endpoint_id}/test"): "test_webhook",
    ("get", "/api/v1/webhooks/{endpoint_id}/deliveries"): "list_webhook_deliveries",
    ("post", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay"): (
        "replay_webhook_delivery"
    ),
}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: Any = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return resolve(document, found)


def test_the_document_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "Information Harbor API"
    assert document["info"]["version"] == "1"
    assert "problem" in document["info"]["description"]


def test_every_operation_is_documented(document: dict[str, Any]) -> None:
    found = operations(document)
    assert set(found) == set(OPERATIONS)
    for key, operation in found.items():
        assert operation["operationId"] == OPERATIONS[key], key
        assert operation.get("summary"), key
        assert operation.get("description"), key
        assert operation.get("tags"), key
        success = [s for s in operation["responses"] if s.startswith("2")]
        assert len(success) == 1, key
        content = operation["responses"][success[0]]["content"]
        assert list(content) == ["application/json"], key
        assert resolve(document, content["application/json"]["schema"]).get("properties"), key


def test_every_error_response_is_a_problem(document: dict[str, Any]) -> None:
    problem_schema = document["components"]["schemas"]["Problem"]
    assert set(problem_schema["required"]) == {"type", "title", "status", "detail", "code"}
    for key, operation in operations(document).items():
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert "401" in errors, key  # a bad token is refused on every operation
        for status, response in errors.items():
            assert list(response["content"]) == [MEDIA_TYPE], (key, status)
            schema = response["content"][MEDIA_TYPE]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (key, status)


def test_writes_need_a_token_and_reads_accept_one(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    for (method, path), operation in operations(document).items():
        if method == "get" and path.startswith(
            ("/api/v1/sources", "/api/v1/subscriptions", "/api/v1/webhooks")
        ):
            # Sources are for operators and organization administrators only; subscriptions
            # for their owners.
            assert operation["security"] == [{"BearerToken": []}], path
        elif method == "get":
            assert operation["security"] == [{"BearerToken": []}, {}], path  # or none
        else:
            assert operation["security"] == [{"BearerToken": []}], path
            assert {"403", "422"} <= set(operation["responses"]), path


def test_the_document_is_the_same_each_time(client: Client) -> None:
    first = client.get("/api/v1/openapi.json").json()
    assert client.get("/api/v1/openapi.json").json() == first


def test_list_filters_are_documented(document: dict[str, Any]) -> None:
    parameters = {p["name"] for p in document["paths"]["/api/v1/entries"]["get"]["parameters"]}
    assert parameters >= {
        "cursor",
        "limit",
        "kind",
        "platform",
        "country",
        "language",
        "sector",
        "organization",
        "status",
        "published_after",
        "published_before",
        "tag",
        "lang",
    }


def test_the_docs_page(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "<title>Information Harbor API</title>" in html
    # Swagger UI comes from the harbor's own static files, with no inline script, so it
    # runs under the site's Content-Security-Policy.
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    for script in re.findall(r"<script([^>]*)>", html):
        assert "src=" in script or 'type="application/json"' in script, script
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_root_points_to_the_document_and_the_docs(client: Client) -> None:
    assert client.get("/api/v1/").json() == {
        "title": "Information Harbor API",
        "version": "1",
        "openapi": "http://testserver/api/v1/openapi.json",
        "docs": "http://testserver/api/v1/docs",
    }
