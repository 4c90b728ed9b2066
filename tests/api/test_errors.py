"""Every failure is an RFC 9457 problem (application/problem+json) with a stable ``code``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from infoharbor.core.models import Entry
from tests.api.conftest import Api, Harbor, error_fields, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(harbor: Harbor) -> str:
    return harbor.token(harbor.editor)


def new_entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "information.news",
        "organization": "thai-ministry",
        "title": "Border crossing hours",
        "language": "en",
        "country": "TH",
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not ...}


def test_invalid_json_is_a_400_problem(api: Api, token: str) -> None:
    for raw in ('{"title": "unterminated', "{'single': 'quotes'}", b"\xff\xfe{}", "[" * 50000):
        body = problem(api.post("entries", raw, token), 400, "malformed_json")
        assert body["type"] == "https://infoharbor.example/problems/malformed_json"
        assert body["title"] == "Malformed request body"
    assert not Entry.objects.exists()


def test_json_that_is_not_an_object_is_a_422_problem(api: Api, token: str) -> None:
    body = problem(api.post("entries", "[1, 2]", token), 422, "validation_error")
    assert error_fields(body) == {None}


def test_missing_fields_are_named_one_by_one(api: Api, token: str) -> None:
    body = problem(api.post("entries", {}, token), 422, "validation_error")
    assert body["type"] == "https://infoharbor.example/problems/validation_error"
    assert body["title"] == "Invalid input"
    assert error_fields(body) == {"kind", "organization", "title", "language", "country"}


def test_a_missing_or_blank_title(api: Api, token: str) -> None:
    body = problem(api.post("entries", new_entry(title=...), token), 422, "validation_error")
    assert body["errors"] == [{"field": "title", "message": "Field required"}]
    body = problem(api.post("entries", new_entry(title="   "), token), 422, "validation_error")
    assert body["errors"] == [{"field": "title", "message": "A title is required."}]
    body = problem(api.post("entries", new_entry(title="x" * 301), token), 422, "validation_error")
    assert error_fields(body) == {"title"}


def test_unknown_kind_and_bad_country_are_reported_together(api: Api, token: str) -> None:
    response = api.post(
        "entries", new_entry(kind="trade.lead", country="XX", language="klingon"), token
    )
    body = problem(response, 422, "validation_error")
    assert error_fields(body) == {"kind", "country", "language"}
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert "/api/v1/kinds" in messages["kind"]
    assert "ISO 3166" in messages["country"]
    assert not Entry.objects.exists()


def test_unknown_sectors_are_named(api: Api, token: str) -> None:
    response = api.post("entries", new_entry(sectors=["agriculture", "mining"]), token)
    body = problem(response, 422, "validation_error")
    assert body["errors"] == [{"field": "sectors", "message": "Unknown sectors: mining."}]


def test_invalid_policy_details_are_reported_per_field(api: Api, token: str) -> None:
    details = {"policy_type": "edict", "effective_date": "next spring", "colour": "red"}
    response = api.post("entries", new_entry(kind="information.policy", details=details), token)
    body = problem(response, 422, "validation_error")
    assert error_fields(body) == {
        "details.policy_type",
        "details.effective_date",
        "details.colour",
    }
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert "'law'" in messages["details.policy_type"]
    assert messages["details.colour"] == "This kind of entry has no such field."


def test_a_policy_without_its_type(api: Api, token: str) -> None:
    response = api.post("entries", new_entry(kind="information.policy"), token)
    body = problem(response, 422, "validation_error")
    assert body["errors"] == [{"field": "details.policy_type", "message": "Field required"}]


def test_shared_field_errors(api: Api, token: str) -> None:
    response = api.post(
        "entries",
        new_entry(
            lat=91,
            lng=200,
            source_url="not a url",
            body_format="rtf",
            visibility="secret",
            unknown_field=1,
        ),
        token,
    )
    body = problem(response, 422, "validation_error")
    # Types are checked first: the wrong choices and the unknown field.
    assert error_fields(body) == {"body_format", "visibility", "unknown_field"}
    response = api.post(
        "entries", new_entry(lat=91, lng=200, expires_at="2000-01-01T00:00:00Z"), token
    )
    body = problem(response, 422, "validation_error")
    assert error_fields(body) == {"lat", "lng", "expires_at"}
    response = api.post("entries", new_entry(source_url="not a url"), token)
    body = problem(response, 422, "validation_error")
    assert body["errors"] == [{"field": "source_url", "message": "Enter a valid URL."}]


def test_text_with_nul_characters_is_refused(api: Api, token: str) -> None:
    body = problem(api.post("entries", new_entry(title="a\x00b"), token), 422, "validation_error")
    assert error_fields(body) == {"title"}


def test_times_past_what_utc_can_hold_are_field_errors(api: Api, token: str) -> None:
    far = "9999-12-31T23:59:59-14:00"
    body = problem(api.get("entries", published_after=far), 422, "validation_error")
    assert error_fields(body) == {"published_after"}
    body = problem(
        api.get("entries", published_before="0001-01-01T00:00:00+14:00"), 422, "validation_error"
    )
    assert error_fields(body) == {"published_before"}
    body = problem(api.post("entries", new_entry(expires_at=far), token), 422, "validation_error")
    assert error_fields(body) == {"expires_at"}


def test_a_path_parameter_of_the_wrong_type(api: Api, db: None) -> None:
    body = problem(api.get("entries/abc"), 422, "validation_error")
    assert error_fields(body) == {"entry_id"}
    problem(api.get("entries/99999999999999999999"), 404, "not_found")


def test_unknown_paths_are_404_problems(api: Api, db: None) -> None:
    for path in ("/api/v1/nothing", "/api/v1/entries/1/comments", "/api/v1/entries/"):
        body = problem(api.client.get(path), 404, "not_found")
        assert body["type"] == "about:blank"
        assert body["title"] == "Not Found"


def test_wrong_methods_are_405_problems_with_allow(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry()
    cases = [
        ("delete", "/api/v1/entries", "GET, POST"),
        ("put", f"/api/v1/entries/{entry.pk}", "GET, PATCH"),
        ("delete", f"/api/v1/entries/{entry.pk}", "GET, PATCH"),
        ("get", f"/api/v1/entries/{entry.pk}/publish", "POST"),
        ("post", "/api/v1/countries", "GET"),
    ]
    for method, path, allowed in cases:
        response = getattr(api.client, method)(path)
        body = problem(response, 405, "method_not_allowed")
        assert method.upper() in body["detail"]
        assert {m.strip() for m in response["Allow"].split(",")} == set(allowed.split(", "))
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_an_oversized_body_is_a_413_problem(api: Api, token: str) -> None:
    with override_settings(MAX_REQUEST_BYTES=2000):
        response = api.post("entries", new_entry(body="x" * 5000), token)
        body = problem(response, 413, "request_too_large")
        assert "2000" in body["detail"]
        small = api.post("entries", new_entry(body="x" * 500), token)
        assert small.status_code == 201
    assert Entry.objects.count() == 1


def test_unexpected_errors_are_500_problems_that_reveal_nothing(
    api: Api, harbor: Harbor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoharbor.api import entries

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(entries, "entries_out", broken)
    response = api.get("entries")
    body = problem(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode()
    assert body["type"] == "about:blank"


def test_a_body_too_large_to_read_is_the_same_413_problem(api: Api, token: str) -> None:
    # Past the size-limit middleware (a larger limit), Django refuses to read the body.
    with override_settings(MAX_REQUEST_BYTES=10**6, DATA_UPLOAD_MAX_MEMORY_SIZE=2000):
        late = api.post("entries", new_entry(body="x" * 5000), token)
    with override_settings(MAX_REQUEST_BYTES=2000):
        early = api.post("entries", new_entry(body="x" * 5000), token)
    for response in (late, early):
        body = problem(response, 413, "request_too_large")
        assert body["type"] == "about:blank"
        assert body["title"] == "Content Too Large"
    assert not Entry.objects.exists()
