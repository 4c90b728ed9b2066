"""/api/v1/sources: list, read, add, change, health; who may; errors as problems."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infoharbor.accounts.choices import Role, TokenScope
from infoharbor.core.models import AuditEvent
from infoharbor.ingest import harvest
from infoharbor.ingest.models import Source
from tests import factories
from tests.api.conftest import Api, error_fields, issue, problem
from tests.ingest.conftest import Harbor, fixture_bytes, make_source

pytestmark = pytest.mark.django_db

RSS = "application/rss+xml; charset=utf-8"


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


def new_source(harbor: Harbor, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization": harbor.org.slug,
        "name": "Ministry news",
        "url": harbor.server.url("/feed.xml"),
        "language": "th",
        "sectors": ["trade-ecommerce"],
    }
    body.update(overrides)
    return body


class TestCreate:
    def test_an_administrator_adds_a_source_of_their_organization(
        self, api: Api, harbor: Harbor
    ) -> None:
        token = issue(harbor.admin)

        response = api.post("sources", new_source(harbor, interval_minutes=30), token)

        assert response.status_code == 201, response.content
        body = response.json()
        source = Source.objects.get(pk=body["id"])
        assert response["Location"].endswith(f"/api/v1/sources/{source.pk}")
        assert body["organization"] == "thai-ministry"
        assert body["country"] == "TH"  # the organization's, by default
        assert body["language"] == "th"
        assert body["sectors"] == ["trade-ecommerce"]
        assert body["interval_minutes"] == 30
        assert body["state"]["freshness"] == "new"
        assert body["health"].endswith(f"/api/v1/sources/{source.pk}/health")
        event = AuditEvent.objects.get(action="source.create")
        assert event.actor == harbor.admin
        assert event.via == "api"
        assert event.changes["url"] == [None, harbor.server.url("/feed.xml")]

    def test_an_editor_may_not(self, api: Api, harbor: Harbor) -> None:
        response = api.post("sources", new_source(harbor), issue(harbor.editor))

        problem(response, 403, "permission_denied")
        assert not Source.objects.exists()

    def test_an_operator_may_for_any_organization(self, api: Api, harbor: Harbor) -> None:
        operator = factories.make_operator()

        response = api.post("sources", new_source(harbor), issue(operator))

        assert response.status_code == 201, response.content

    def test_a_read_token_may_not_write(self, api: Api, harbor: Harbor) -> None:
        response = api.post("sources", new_source(harbor), issue(harbor.admin, TokenScope.READ))

        problem(response, 403, "insufficient_scope")

    def test_cap_sources_are_refused_until_the_alerts_platform_exists(
        self, api: Api, harbor: Harbor
    ) -> None:
        response = api.post("sources", new_source(harbor, kind="cap"), issue(harbor.admin))

        body = problem(response, 422, "validation_error")
        assert error_fields(body) == {"kind"}
        assert "alerts platform" in body["errors"][0]["message"]

    @pytest.mark.parametrize("kind", ["dataset", "ckan", "dcat"])
    def test_dataset_sources_make_dataset_entries_by_default(
        self, api: Api, harbor: Harbor, kind: str
    ) -> None:
        response = api.post("sources", new_source(harbor, kind=kind), issue(harbor.admin))

        assert response.status_code == 201, response.content
        assert response.json()["entry_kind"] == "information.dataset"

    def test_a_dataset_source_cannot_make_news_nor_a_feed_datasets(
        self, api: Api, harbor: Harbor
    ) -> None:
        token = issue(harbor.admin)
        wrong = [
            new_source(harbor, kind="ckan", entry_kind="information.news"),
            new_source(harbor, kind="pages", entry_kind="information.dataset"),
        ]
        for body in wrong:
            answer = problem(api.post("sources", body, token), 422, "validation_error")
            assert error_fields(answer) == {"entry_kind"}

    def test_a_pages_source_makes_news(self, api: Api, harbor: Harbor) -> None:
        response = api.post("sources", new_source(harbor, kind="pages"), issue(harbor.admin))

        assert response.status_code == 201, response.content
        assert response.json()["entry_kind"] == "information.news"

    def test_the_minimum_interval_is_enforced(
        self, api: Api, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_MIN_INTERVAL_MINUTES = 20

        response = api.post("sources", new_source(harbor, interval_minutes=5), issue(harbor.admin))

        body = problem(response, 422, "validation_error")
        assert error_fields(body) == {"interval_minutes"}
        assert "20 minutes" in body["errors"][0]["message"]

    def test_every_bad_field_is_reported_at_once(self, api: Api, harbor: Harbor) -> None:
        response = api.post(
            "sources",
            new_source(harbor, country="XX", language="xx", sectors=["nope"], organization="no"),
            issue(harbor.admin),
        )

        body = problem(response, 422, "validation_error")
        assert error_fields(body) == {"country", "language", "sectors", "organization"}

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"url": "ftp://example.org/feed"}, "url"),
            ({"url": "not an address"}, "url"),
            ({"entry_kind": "information.nope"}, "entry_kind"),
            ({"entry_kind": "information.policy"}, "entry_details"),
            ({"entry_details": {"notice_type": "gossip"}}, "entry_details"),
            ({"license": "mine"}, "license"),
        ],
    )
    def test_invalid_fields_are_field_errors(
        self, api: Api, harbor: Harbor, overrides: dict[str, Any], field: str
    ) -> None:
        response = api.post("sources", new_source(harbor, **overrides), issue(harbor.admin))

        body = problem(response, 422, "validation_error")
        assert error_fields(body) == {field}

    def test_the_same_address_twice_in_one_organization_is_refused(
        self, api: Api, harbor: Harbor
    ) -> None:
        token = issue(harbor.admin)
        api.post("sources", new_source(harbor), token)

        response = api.post("sources", new_source(harbor, name="Again"), token)

        problem(response, 422, "validation_error")
        assert Source.objects.count() == 1


class TestRead:
    def test_lists_only_what_the_caller_manages(self, api: Api, harbor: Harbor) -> None:
        mine = harbor.source("/a.xml")
        other_org = factories.make_org("lao-chamber", country="LA")
        theirs = make_source(other_org, harbor.server.url("/b.xml"))
        operator = factories.make_operator()

        admin_sees = api.get("sources", issue(harbor.admin)).json()["items"]
        operator_sees = api.get("sources", issue(operator)).json()["items"]
        editor_sees = api.get("sources", issue(harbor.editor)).json()["items"]

        assert [item["id"] for item in admin_sees] == [mine.pk]
        assert {item["id"] for item in operator_sees} == {mine.pk, theirs.pk}
        assert editor_sees == []

    def test_reading_needs_a_token(self, api: Api, harbor: Harbor) -> None:
        problem(api.get("sources"), 401, "not_authenticated")

    def test_another_organizations_source_is_not_found(self, api: Api, harbor: Harbor) -> None:
        other_org = factories.make_org("lao-chamber", country="LA")
        theirs = make_source(other_org, harbor.server.url("/b.xml"))

        problem(api.get(f"sources/{theirs.pk}", issue(harbor.admin)), 404, "not_found")
        problem(api.get(f"sources/{theirs.pk}/health", issue(harbor.admin)), 404, "not_found")

    def test_filters(self, api: Api, harbor: Harbor) -> None:
        on = harbor.source("/a.xml")
        harbor.source("/b.xml", enabled=False)

        items = api.get("sources", issue(harbor.admin), enabled="true").json()["items"]

        assert [item["id"] for item in items] == [on.pk]

    def test_the_list_runs_in_a_fixed_number_of_queries(
        self, api: Api, harbor: Harbor, django_assert_num_queries: Any
    ) -> None:
        token = issue(harbor.admin)
        for n in range(3):
            harbor.source(f"/{n}.xml", sectors=["trade-ecommerce", "agriculture"])
        api.get("sources", token)  # warm the caches of reference data

        # the token, the caller's memberships and moderation, the page, its sectors
        with django_assert_num_queries(5):
            response = api.get("sources", token)
        for n in range(3, 8):
            harbor.source(f"/{n}.xml", sectors=["health"])
        with django_assert_num_queries(5):
            more = api.get("sources", token)

        assert len(response.json()["items"]) == 3
        assert len(more.json()["items"]) == 8

    def test_pages_follow_the_cursor(self, api: Api, harbor: Harbor) -> None:
        for n in range(5):
            harbor.source(f"/{n}.xml")
        token = issue(harbor.admin)

        first = api.get("sources", token, limit=2).json()
        second = api.get(first["next"], token).json()

        assert len(first["items"]) == len(second["items"]) == 2
        assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})

    def test_health_after_a_harvest(self, api: Api, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")
        harvest.harvest([source])

        body = api.get(f"sources/{source.pk}/health", issue(harbor.admin)).json()

        assert body["freshness"] == "fresh"
        assert body["items_total"] == 5
        assert len(body["daily"]) == 14
        assert body["daily"][-1]["items"] == 5
        assert body["mean_delay_seconds"] is None  # the first harvest's backlog does not count
        assert body["attempts"][0]["outcome"] == "fetched"
        assert body["attempts"][0]["items_new"] == 5
        assert body["last_success_at"]

    def test_a_failure_shows_in_the_source_and_its_health(self, api: Api, harbor: Harbor) -> None:
        source = harbor.source("/missing.xml")
        harvest.harvest([source])
        token = issue(harbor.admin)

        state = api.get(f"sources/{source.pk}", token).json()["state"]
        health = api.get(f"sources/{source.pk}/health", token).json()

        assert state["freshness"] == "failing"
        assert state["last_error_code"] == "http_status"
        assert "404" in state["last_error"]
        assert health["attempts"][0]["error_code"] == "http_status"


class TestUpdate:
    def test_only_the_fields_sent_change_and_the_change_is_audited(
        self, api: Api, harbor: Harbor
    ) -> None:
        source = harbor.source("/feed.xml", sectors=["health"])

        response = api.patch(f"sources/{source.pk}", {"enabled": False}, issue(harbor.admin))

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["enabled"] is False
        assert body["sectors"] == ["health"]
        assert body["state"]["freshness"] == "off"
        event = AuditEvent.objects.get(action="source.update")
        assert event.changes == {"enabled": [True, False]}

    def test_a_new_address_forgets_the_old_validators(self, api: Api, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")
        harvest.harvest([source])

        api.patch(
            f"sources/{source.pk}", {"url": harbor.server.url("/new.xml")}, issue(harbor.admin)
        )

        source.state.refresh_from_db()
        assert source.state.etag == ""
        assert source.state.next_due_at is None

    def test_null_is_refused_for_fields_that_cannot_be_empty(
        self, api: Api, harbor: Harbor
    ) -> None:
        source = harbor.source("/feed.xml")

        response = api.patch(f"sources/{source.pk}", {"language": None}, issue(harbor.admin))

        assert error_fields(problem(response, 422, "validation_error")) == {"language"}

    def test_an_editor_may_not_change_a_source(self, api: Api, harbor: Harbor) -> None:
        source = harbor.source("/feed.xml")

        response = api.patch(f"sources/{source.pk}", {"enabled": False}, issue(harbor.editor))

        problem(response, 404, "not_found")

    def test_a_member_who_becomes_administrator_may(self, api: Api, harbor: Harbor) -> None:
        source = harbor.source("/feed.xml")
        harbor.editor.memberships.update(role=Role.ADMIN)

        response = api.patch(f"sources/{source.pk}", {"name": "Renamed"}, issue(harbor.editor))

        assert response.json()["name"] == "Renamed"


def test_the_openapi_document_describes_the_sources(api: Api, harbor: Harbor) -> None:
    document = api.get("openapi.json").json()

    assert {"/api/v1/sources", "/api/v1/sources/{source_id}"} <= set(document["paths"])
    assert "post" in document["paths"]["/api/v1/sources"]
    assert "get" in document["paths"]["/api/v1/sources/{source_id}/health"]
