"""GET /api/v1/search: the API face of the search (the search itself: tests/search)."""

from __future__ import annotations

from typing import Any

import pytest

from infoharbor.core.choices import Visibility
from infoharbor.search import indexer
from tests.api.conftest import Api, Harbor, error_fields, problem


def hit_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [hit["entry"]["id"] for hit in response.json()["results"]]


@pytest.fixture
def indexed(harbor: Harbor) -> dict[str, Any]:
    made = {
        "public": harbor.entry(title="Rice export rules", sectors=["agriculture"]),
        "members": harbor.entry(title="Rice quota for members", visibility=Visibility.MEMBERS),
        "other": harbor.entry(harbor.other_org, title="Rice prices in Hanoi", country="VN"),
    }
    indexer.drain()
    return made


def test_results_facets_and_highlights(api: Api, indexed: dict[str, Any]) -> None:
    response = api.get("search", q="rice")
    body = response.json()
    assert set(hit_ids(response)) == {indexed["public"].pk, indexed["other"].pk}
    assert body["total"] == 2
    assert body["relaxed"] is False
    first = body["results"][0]
    assert "<mark>Rice</mark>" in first["title_html"]
    assert first["entry"]["title"] in {"Rice export rules", "Rice prices in Hanoi"}
    countries = {f["value"]: (f["count"], f["label"]) for f in body["facets"]["country"]}
    assert countries == {"TH": (1, "Thailand"), "VN": (1, "Vietnam")}
    assert body["next"] is None


def test_filters_repeat_and_combine(api: Api, indexed: dict[str, Any]) -> None:
    assert hit_ids(api.get("search?q=rice&country=vn")) == [indexed["other"].pk]
    both = api.get("search?q=rice&country=TH&country=VN&sector=agriculture")
    assert hit_ids(both) == [indexed["public"].pk]
    selected = [f for f in both.json()["facets"]["country"] if f["selected"]]
    assert [f["value"] for f in selected] == ["TH"]


def test_a_token_shows_what_its_person_may_read(
    api: Api, harbor: Harbor, indexed: dict[str, Any]
) -> None:
    token = harbor.token(harbor.member)
    assert indexed["members"].pk in hit_ids(api.get("search", token, q="rice"))
    assert indexed["members"].pk not in hit_ids(api.get("search", q="rice"))


def test_pages_follow_next(api: Api, harbor: Harbor) -> None:
    for n in range(5):
        harbor.entry(title=f"Port notice {n}")
    indexer.drain()
    first = api.get("search", q="port", limit=2, sort="date").json()
    assert first["total"] == 5
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2
    seen = {h["entry"]["id"] for h in first["results"]} | {
        h["entry"]["id"] for h in second["results"]
    }
    assert len(seen) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "best"}, "sort"),
        ({"limit": 1000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"q": "x" * 2001}, "q"),
        ({"published_from": "yesterday"}, "published_from"),
        ({"organization": "ministry"}, "organization"),
    ],
)
def test_bad_parameters_are_problems(
    api: Api, harbor: Harbor, params: dict[str, Any], field: str
) -> None:
    body = problem(api.get("search", **params), 422, "validation_error")
    assert field in error_fields(body)


@pytest.mark.parametrize("q", ['"rice', "((", "\x00", "OR", "' OR 1=1 --", "-"])
def test_odd_queries_answer(api: Api, indexed: dict[str, Any], q: str) -> None:
    assert api.get("search", q=q).status_code == 200


def test_suggestions_as_someone_types(api: Api, harbor: Harbor, indexed: dict[str, Any]) -> None:
    body = api.get("search/suggest", q="ric").json()
    assert {s["id"] for s in body["entries"]} == {indexed["public"].pk, indexed["other"].pk}
    assert api.get("search/suggest", q="rice exp").json()["entries"][0]["title"] == (
        "Rice export rules"
    )
    orgs = api.get("search/suggest", q="vietnam tr").json()["organizations"]
    assert [o["slug"] for o in orgs] == ["vietnam-trade-agency"]
    assert [o["slug"] for o in api.get("search/suggest", q="comm").json()["organizations"]] == [
        "thai-ministry"
    ]
    problem(api.get("search/suggest", q=""), 422, "validation_error")
