"""Cursor pagination: following ``next`` yields every item once, ties and drafts included."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from infoharbor.accounts.choices import TokenScope
from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import Entry, Organization
from tests import factories
from tests.api.conftest import Api, Harbor, problem

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def walk(api: Api, path: str, token: str | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, following ``next`` from the first page to the last."""
    items: list[dict[str, Any]] = []
    response = api.get(path, token, **params)
    pages = 0
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        items.extend(page["items"])
        pages += 1
        assert pages < 100, "pagination does not end"
        if page["next"] is None:
            return items
        assert page["next"].startswith("http://testserver/api/v1/")
        response = api.client.get(page["next"], **api._headers(token))


def cursor_of(raw: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.fixture
def timeline(harbor: Harbor) -> list[Entry]:
    """Eleven published entries, five of them published at the same instant, newest first."""
    entries = [harbor.entry() for _ in range(11)]
    times = [NOON + dt.timedelta(hours=2), NOON + dt.timedelta(hours=1)]
    times += [NOON] * 5  # a batch published together
    times += [NOON - dt.timedelta(minutes=m) for m in (1, 2, 3, 4)]
    for entry, when in zip(entries, times, strict=True):
        Entry.objects.filter(pk=entry.pk).update(published_at=when)
    # The list's order: newest first; entries published together, highest id first.
    return sorted(
        Entry.objects.filter(pk__in=[e.pk for e in entries]),
        key=lambda e: (e.published_at, e.pk),
        reverse=True,
    )


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 10, 11, 50])
def test_following_next_returns_every_entry_once_in_order(
    api: Api, timeline: list[Entry], limit: int
) -> None:
    items = walk(api, "entries", limit=limit)
    assert [item["id"] for item in items] == [entry.pk for entry in timeline]


def test_pages_have_the_asked_size_and_the_last_has_no_next(
    api: Api, timeline: list[Entry]
) -> None:
    first = api.get("entries", limit=4).json()
    assert len(first["items"]) == 4
    assert first["next"] is not None
    exact = api.get("entries", limit=11).json()
    assert len(exact["items"]) == 11
    assert exact["next"] is None  # no empty page after an exactly full one


def test_drafts_come_last_and_are_paginated_too(api: Api, harbor: Harbor) -> None:
    published = [harbor.entry() for _ in range(3)]
    Entry.objects.filter(pk__in=[e.pk for e in published]).update(published_at=NOON)
    drafts = [harbor.entry(status=EntryStatus.DRAFT) for _ in range(4)]
    token = harbor.token(harbor.editor, TokenScope.READ)
    items = walk(api, "entries", token, limit=2)
    expected = sorted((e.pk for e in published), reverse=True)
    expected += sorted((e.pk for e in drafts), reverse=True)
    assert [item["id"] for item in items] == expected


def test_next_keeps_the_filters_and_the_language(api: Api, harbor: Harbor) -> None:
    farming = [harbor.entry(sectors=["agriculture"]) for _ in range(5)]
    for _ in range(3):
        harbor.entry(sectors=["tourism"])
    first = api.get("entries", sector="agriculture", limit=2, lang="th").json()
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["sector"] == ["agriculture"]
    assert query["lang"] == ["th"]
    assert query["limit"] == ["2"]
    items = walk(api, "entries", sector="agriculture", limit=2)
    assert sorted(item["id"] for item in items) == sorted(e.pk for e in farming)


def test_entries_added_while_paging_neither_repeat_nor_push_others_off(
    api: Api, harbor: Harbor, timeline: list[Entry]
) -> None:
    first = api.get("entries", limit=3).json()
    harbor.entry()  # published now: newer than anything on the first page
    rest = walk(api, first["next"])
    seen = [item["id"] for item in first["items"] + rest]
    assert seen == [entry.pk for entry in timeline]


def test_organizations_with_the_same_name_are_paginated_once_each(api: Api, db: None) -> None:
    orgs = [factories.make_org(f"chamber-{n}", name="Chamber of Commerce") for n in range(4)]
    orgs += [factories.make_org("agency", name="Agency"), factories.make_org("zoo", name="Zoo")]
    items = walk(api, "organizations", limit=2)
    expected = sorted(orgs, key=lambda org: (org.name, org.pk))
    assert [item["slug"] for item in items] == [org.slug for org in expected]


def test_suspended_organizations_are_left_out_of_the_list(api: Api, db: None) -> None:
    factories.make_org("active")
    factories.make_org("suspended", is_active=False)
    assert [item["slug"] for item in walk(api, "organizations")] == ["active"]
    assert Organization.objects.count() == 2


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        cursor_of({"a": 1}),
        cursor_of([1, 2, 3]),
        cursor_of(["2024-06-01T12:00:00+00:00", "7"]),
        cursor_of(["2024-06-01T12:00:00+00:00", True]),
        cursor_of(["yesterday", 7]),
        cursor_of(["2024-06-01T12:00:00", 7]),  # no offset: not one we gave out
        cursor_of(["9999-12-31T23:59:59-14:00", 7]),  # past what UTC can hold
        cursor_of(["0001-01-01T00:00:00+14:00", 7]),
    ],
)
def test_a_cursor_we_did_not_give_out_is_a_422_on_cursor(
    api: Api, timeline: list[Entry], cursor: str
) -> None:
    body = problem(api.get("entries", cursor=cursor), 422, "validation_error")
    assert body["errors"] == [{"field": "cursor", "message": "This cursor is not one we gave out."}]


def test_an_organization_cursor_is_refused_by_entries(api: Api, timeline: list[Entry]) -> None:
    for n in range(3):
        factories.make_org(f"org-{n}")
    cursor = parse_qs(urlsplit(api.get("organizations", limit=1).json()["next"]).query)
    problem(api.get("entries", cursor=cursor["cursor"][0]), 422, "validation_error")


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many"])
def test_limit_must_be_between_1_and_200(api: Api, db: None, limit: str) -> None:
    body = problem(api.get("entries", limit=limit), 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == ["limit"]
    body = problem(api.get("organizations", limit=limit), 422, "validation_error")
    assert [error["field"] for error in body["errors"]] == ["limit"]
