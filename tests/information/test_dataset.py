"""The open dataset kind: its details through the services, the portal and the API, its
page, and what of it search finds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from infoharbor.core import audit, services
from infoharbor.core.permissions import ANONYMOUS, Actor
from infoharbor.information.models import Dataset
from infoharbor.search import service as search_service
from tests import factories
from tests.api.conftest import Api, issue, problem

pytestmark = pytest.mark.django_db

DETAILS: dict[str, Any] = {
    "identifier": "th-boi-2025-investment",
    "landing_page": "https://data.example.go.th/dataset/investment",
    "publisher": "Board of Investment",
    "license_name": "Open Government Licence - Thailand",
    "update_frequency": "monthly",
    "temporal_start": "2020-01-01",
    "temporal_end": "2025-06-30",
    "spatial": "Thailand",
    "distributions": [
        {
            "url": "https://data.example.go.th/files/investment.csv",
            "media_type": "text/csv",
            "size": 20480,
        },
        {"url": "https://data.example.go.th/files/investment.xlsx", "title": "Workbook"},
    ],
    "columns": [{"name": "province", "type": "text"}, {"name": "baht_million", "type": "number"}],
    "row_count": 77,
    "preview": [["Bangkok", 1520.5], ["Chiang Mai", 210.0]],
}


def make_dataset(org: Any, author: Any, **details: Any) -> Any:
    return factories.make_entry(
        org,
        author,
        kind="information.dataset",
        title="Investment approvals by province",
        details={**DETAILS, **details},
    )


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def ministry() -> tuple[Any, Any]:
    org = factories.make_org("thai-boi", country="TH", name="Board of Investment")
    admin = factories.make_user("admin@boi.example")
    factories.add_member(admin, org, "admin")
    return org, admin


class TestServices:
    def test_creating_a_dataset_saves_its_details(self, ministry: tuple[Any, Any]) -> None:
        entry = make_dataset(*ministry)

        dataset = Dataset.objects.get(pk=entry.pk)
        assert dataset.publisher == "Board of Investment"
        assert dataset.temporal_start == dt.date(2020, 1, 1)
        # Formats left out come from the downloads, their own or read from the address.
        assert dataset.formats == ["CSV", "XLSX"]
        assert dataset.distributions[0] == {
            "url": "https://data.example.go.th/files/investment.csv",
            "title": "",
            "format": "CSV",
            "media_type": "text/csv",
            "size": 20480,
        }
        assert dataset.distributions[1]["format"] == "XLSX"
        assert dataset.row_count == 77
        assert dataset.row_count_complete is True

    def test_formats_given_are_kept(self, ministry: tuple[Any, Any]) -> None:
        entry = make_dataset(*ministry, formats=["CSV", "SDMX"])

        assert Dataset.objects.get(pk=entry.pk).formats == ["CSV", "SDMX"]

    @pytest.mark.parametrize(
        ("details", "field"),
        [
            ({"distributions": [{"url": "ftp://example.org/a.csv"}]}, "details.distributions"),
            (
                {"distributions": [{"url": "https://a.example/x", "size": -3}]},
                "details.distributions",
            ),
            ({"distributions": "not a list"}, "details.distributions"),
            (
                {"temporal_start": "2025-01-01", "temporal_end": "2024-01-01"},
                "details.temporal_end",
            ),
            ({"update_frequency": "sometimes"}, "details.update_frequency"),
            ({"preview": [[{"nested": "object"}]]}, "details.preview"),
            ({"landing_page": "javascript:alert(1)"}, "details.landing_page"),
        ],
    )
    def test_bad_details_are_field_errors_and_nothing_is_stored(
        self, ministry: tuple[Any, Any], details: dict[str, Any], field: str
    ) -> None:
        org, admin = ministry
        with pytest.raises(ValidationError) as error:
            services.create_entry(
                actor=Actor.for_user(admin),
                origin=audit.Origin(user=admin),
                organization=org,
                kind="information.dataset",
                data=factories.entry_data(title=""),
                details={**DETAILS, **details},
            )
        assert field in error.value.message_dict
        assert "title" in error.value.message_dict  # reported together with the shared fields
        assert not Dataset.objects.exists()

    def test_updating_some_details_keeps_the_others(self, ministry: tuple[Any, Any]) -> None:
        org, admin = ministry
        entry = make_dataset(org, admin)

        services.update_entry(
            actor=Actor.for_user(admin),
            origin=audit.Origin(user=admin),
            entry=entry,
            data=factories.entry_data(title="Investment approvals by province, 2025"),
            details={"row_count": 78},
        )

        dataset = Dataset.objects.get(pk=entry.pk)
        assert dataset.row_count == 78
        assert dataset.publisher == "Board of Investment"
        assert len(dataset.distributions) == 2


class TestPortal:
    def test_the_new_dataset_page_has_the_kinds_fields_and_creates_a_draft(
        self, ministry: tuple[Any, Any]
    ) -> None:
        org, admin = ministry
        client = Client()
        client.force_login(admin)
        url = f"/en/dashboard/{org.slug}/new/information-dataset/"

        page = client.get(url).content.decode()
        assert 'id="id_details-distributions"' in page
        assert 'id="id_details-update_frequency"' in page

        response = client.post(
            url,
            {
                "title": "Rice prices by market",
                "language": "en",
                "country": "TH",
                "body_format": "markdown",
                "license": "CC-BY-4.0",
                "visibility": "public",
                "details-publisher": "Department of Internal Trade",
                "details-update_frequency": "weekly",
                # People type one download per line.
                "details-distributions": "https://data.example.go.th/rice.csv\n"
                "https://data.example.go.th/rice.json\n",
                "details-row_count_complete": "True",
            },
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
        dataset = Dataset.objects.get()
        assert [d["url"] for d in dataset.distributions] == [
            "https://data.example.go.th/rice.csv",
            "https://data.example.go.th/rice.json",
        ]
        assert dataset.formats == ["CSV", "JSON"]

        # The edit page shows the stored downloads one per line, and saving keeps them.
        edit = client.get(f"/en/entries/{dataset.entry_id}/edit/").content.decode()
        assert "https://data.example.go.th/rice.json" in edit

    def test_the_entry_page_shows_the_details_and_the_preview(
        self, ministry: tuple[Any, Any]
    ) -> None:
        entry = make_dataset(*ministry, row_count=5000, row_count_complete=False)

        page = Client().get(f"/en/entries/{entry.pk}/").content.decode()

        assert "Board of Investment" in page
        assert "Every month" in page
        assert 'href="https://data.example.go.th/files/investment.csv"' in page
        assert "20.0\xa0KB" in page
        assert '<th scope="col">province<br>' in page
        assert "<td>Chiang Mai</td>" in page
        assert "at least 5000" in page


class TestApi:
    def test_create_read_and_partly_change_a_dataset(
        self, api: Api, ministry: tuple[Any, Any]
    ) -> None:
        org, admin = ministry
        token = issue(admin)
        body = {
            "kind": "information.dataset",
            "organization": org.slug,
            "title": "Investment approvals by province",
            "language": "en",
            "country": "TH",
            "details": DETAILS,
        }

        created = api.post("entries", body, token)
        assert created.status_code == 201, created.content
        details = created.json()["details"]
        assert details["distributions"][0]["size"] == 20480
        assert details["update_frequency"] == "monthly"
        assert details["preview"] == [["Bangkok", 1520.5], ["Chiang Mai", 210.0]]

        path = f"entries/{created.json()['id']}"
        changed = api.patch(path, {"details": {"spatial": "Bangkok"}}, token).json()["details"]
        assert changed["spatial"] == "Bangkok"
        assert changed["publisher"] == "Board of Investment"

    def test_a_wrong_detail_is_a_field_error(self, api: Api, ministry: tuple[Any, Any]) -> None:
        org, admin = ministry
        body = {
            "kind": "information.dataset",
            "organization": org.slug,
            "title": "Broken",
            "language": "en",
            "country": "TH",
            "details": {"distributions": [{"url": "https://a.example", "size": "big"}], "x": 1},
        }

        answer = problem(api.post("entries", body, issue(admin)), 422, "validation_error")

        assert {e["field"] for e in answer["errors"]} == {
            "details.distributions.0.size",
            "details.x",
        }

    def test_kinds_list_the_dataset_and_its_schema(self, api: Api) -> None:
        kinds = {kind["key"]: kind for kind in api.get("kinds").json()["items"]}

        schema = kinds["information.dataset"]["details_schema"]
        assert kinds["information.dataset"]["label"] == "Open dataset"
        assert {"distributions", "formats", "columns", "preview", "license_url"} <= set(
            schema["properties"]
        )
        assert "required" not in schema


def test_search_finds_a_dataset_by_a_column_and_its_publisher(
    ministry: tuple[Any, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = make_dataset(*ministry, columns=[{"name": "durian_exports_tonnes"}])

    for query in ("durian_exports_tonnes", "Board of Investment"):
        found = search_service.search(ANONYMOUS, query, facets=False)
        assert [result.entry.pk for result in found.results] == [entry.pk], query
