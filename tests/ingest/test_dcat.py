"""DCAT catalogues (JSON-LD, data.json, RDF/XML, Turtle): read into datasets the same way
whatever the serialization, safely, and harvested over HTTP from a local server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest
from infoharbor.ingest.choices import Outcome
from infoharbor.ingest.dcat import DcatRejected, local_name, parse_catalogue
from infoharbor.ingest.models import IngestedItem, Source, SourceState
from tests.ingest.conftest import FIXTURES, Harbor, fixture_bytes
from tests.ingest.server import Reply

DCAT = FIXTURES / "datasets" / "dcat"
TYPES = {
    "catalog.jsonld": "application/ld+json",
    "catalog.ttl": "text/turtle",
    "catalog.rdf": "application/rdf+xml",
}


def catalogue(name: str) -> bytes:
    return (DCAT / name).read_bytes()


def summary(name: str) -> list[tuple[Any, ...]]:
    parsed = parse_catalogue(catalogue(name), url="https://data.example.org/catalog")
    return sorted(
        (
            item.guid,
            item.link,
            item.title,
            item.language,
            item.license,
            sorted(item.categories),  # RDF keeps no order among values
            json.dumps(item.details, sort_keys=True),
        )
        for item in parsed.items
    )


class TestReading:
    @pytest.mark.parametrize(
        ("key", "name"),
        [
            ("dct:title", "title"),
            ("http://purl.org/dc/terms/title", "title"),
            ("http://www.w3.org/ns/dcat#downloadURL", "downloadURL"),
            ("name", "name"),
            ("@id", "@id"),
        ],
    )
    def test_terms_by_their_local_name(self, key: str, name: str) -> None:
        assert local_name(key) == name

    def test_json_ld_turtle_and_rdf_xml_give_the_same_datasets(self) -> None:
        assert summary("catalog.jsonld") == summary("catalog.ttl") == summary("catalog.rdf")

    def test_a_dcat_ap_dataset(self) -> None:
        parsed = parse_catalogue(catalogue("catalog.ttl"), url="https://data.example.org/c")
        arrivals = next(i for i in parsed.items if i.guid == "tourist-arrivals-2025")

        assert parsed.title == "ASEAN demo open data catalogue"
        assert arrivals.link == "https://data.example.org/dataset/tourist-arrivals"
        assert arrivals.language == "en"
        assert arrivals.license == "CC-BY-4.0"
        assert "<strong>country of residence</strong>" in arrivals.summary
        assert arrivals.details["publisher"] == "Ministry of Tourism and Sports (demo)"
        assert arrivals.details["update_frequency"] == "monthly"
        assert (arrivals.details["temporal_start"], arrivals.details["temporal_end"]) == (
            "2019-01-01",
            "2025-09-30",
        )
        assert arrivals.details["spatial"] == "Thailand"
        assert arrivals.details["distributions"] == [
            {
                "url": "https://data.example.org/files/arrivals.csv",
                "title": "Arrivals (CSV)",
                "format": "CSV",
                "media_type": "text/csv",
                "size": 51234,
            }
        ]

    def test_schema_org(self) -> None:
        [port] = parse_catalogue(catalogue("schema-org.jsonld"), url="https://s.example/").items

        assert (port.title, port.language, port.license) == (
            "全国港口货物吞吐量",
            "zh-Hans",
            "CC-BY-4.0",
        )
        assert port.details["publisher"] == "交通运输部（示例）"
        assert port.details["spatial"] == "中国"
        assert port.details["temporal_start"] == "2018-01-01"
        assert port.details["distributions"][0]["url"] == "https://stats.example.cn/files/ports.csv"
        assert port.categories == ("港口", "集装箱")

    def test_dcat_us_data_json(self) -> None:
        parsed = parse_catalogue(
            catalogue("data.json"), url="https://openstat.example.ph/data.json"
        )

        assert parsed.format == "data.json"
        palay, untyped = parsed.items
        assert palay.details["update_frequency"] == "quarterly"
        assert palay.details["temporal_end"] == "2025-06-30"
        assert palay.license == "CC0-1.0"
        assert untyped.guid == "ph-untyped"  # listed under "dataset" without a type

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (fixture_bytes("xee.atom"), "unsafe_xml"),
            (
                b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&c;</rdf:RDF>',
                "unsafe_xml",
            ),
            (b"@prefix dcat: <http://www.w3.org/ns/dcat#> . <a> a dcat:Dataset", "not_a_catalogue"),
            (b'{"@graph": [{"@type": "dcat:Catalog"}]}', "not_a_catalogue"),
            (b"<rss version='2.0'><channel><title>x</title></channel></rss>", "not_a_catalogue"),
            (b'{"dataset": [1, 2', "not_a_catalogue"),
        ],
    )
    def test_what_is_no_readable_catalogue_is_refused(self, data: bytes, code: str) -> None:
        with pytest.raises(DcatRejected) as refused:
            parse_catalogue(data, url="https://data.example.org/catalog")

        assert refused.value.code == code


# --- Over HTTP --------------------------------------------------------------------------------


def dcat_source(harbor: Harbor, path: str, **overrides: Any) -> Source:
    return harbor.source(path, kind="dcat", entry_kind="information.dataset", **overrides)


def entries(source: Source) -> dict[str, Entry]:
    found = Entry.objects.filter(ingested__source=source).select_related("dataset", "ingested")
    return {entry.ingested.guid: entry for entry in found}


def counts() -> tuple[int, int, int]:
    return Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count()


@pytest.mark.django_db
class TestHarvest:
    @pytest.mark.parametrize("name", sorted(TYPES))
    def test_every_dataset_becomes_an_entry_and_a_rerun_changes_nothing(
        self, harbor: Harbor, name: str
    ) -> None:
        harbor.server.serve_file(f"/{name}", catalogue(name), TYPES[name])
        source = dcat_source(harbor, f"/{name}")

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        found = entries(source)
        assert set(found) == {"tourist-arrivals-2025", "harga-beras", "mekong-flood-gauges"}
        assert found["harga-beras"].language_id == "id"
        assert found["mekong-flood-gauges"].language_id == "vi"
        assert found["mekong-flood-gauges"].license == "CC0-1.0"
        assert found["tourist-arrivals-2025"].dataset.update_frequency == "monthly"
        before = counts()

        [again] = harvest.harvest([source])

        assert again.outcome == Outcome.NOT_MODIFIED
        assert counts() == before

    def test_no_iri_in_a_catalogue_is_ever_fetched(self, harbor: Harbor) -> None:
        server = harbor.server
        turtle = (
            catalogue("catalog.ttl").replace(
                b"<http://127.0.0.1:1/never-fetched.ttl>",
                f"<{server.url('/imports.ttl')}>".encode(),
            )
            + f"\n<{server.url('/org')}> a <{server.url('/vocab#Agent')}> .\n".encode()
        )
        server.serve_file("/catalog.ttl", turtle, "text/turtle")
        document = json.loads(catalogue("catalog.jsonld"))
        document["@context"] = server.url("/context.jsonld")  # a remote context
        server.serve_file("/catalog.jsonld", json.dumps(document).encode(), "application/ld+json")
        sources = [dcat_source(harbor, "/catalog.ttl"), dcat_source(harbor, "/catalog.jsonld")]

        attempts = harvest.harvest(sources)

        assert [a.outcome for a in attempts] == [Outcome.FETCHED, Outcome.FETCHED]
        assert {seen.path for seen in server.log} == {
            "/robots.txt",
            "/catalog.ttl",
            "/catalog.jsonld",
        }

    def test_a_changed_dataset_is_updated_and_a_removed_one_withdrawn(self, harbor: Harbor) -> None:
        document = json.loads(catalogue("catalog.jsonld"))
        harbor.server.serve_file("/c.jsonld", json.dumps(document).encode(), "application/ld+json")
        source = dcat_source(harbor, "/c.jsonld")
        harvest.harvest([source])

        graph = document["@graph"]
        graph[:] = [n for n in graph if n["@id"] != "https://data.example.org/dataset/harga-beras"]
        graph[1]["dct:title"] = {"@value": "International tourist arrivals", "@language": "en"}
        harbor.server.serve_file("/c.jsonld", json.dumps(document).encode(), "application/ld+json")
        [attempt] = harvest.harvest([source])

        assert (attempt.items_updated, attempt.items_withdrawn) == (1, 1)
        found = entries(source)
        assert found["tourist-arrivals-2025"].title == "International tourist arrivals"
        assert found["harga-beras"].status == EntryStatus.WITHDRAWN
        assert found["harga-beras"].withdrawn_reason == "The dataset is no longer in the catalogue."

    def test_a_paged_catalogue_is_followed_within_bounds_and_resumes(
        self, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_CATALOGUE_MAX_PAGES = 2
        document = json.loads(catalogue("catalog.jsonld"))
        datasets = [n for n in document["@graph"] if n.get("@type") == "dcat:Dataset"]
        helpers = [n for n in document["@graph"] if n["@id"].startswith("_:")]
        for number, dataset in enumerate(datasets, start=1):
            view: dict[str, Any] = {"@id": f"/page{number}", "@type": "hydra:PartialCollectionView"}
            if number < len(datasets):
                view["hydra:next"] = harbor.server.url(f"/page{number + 1}")
            body = {"@context": document["@context"], "@graph": [dataset, *helpers, view]}
            harbor.server.serve_file(
                f"/page{number}", json.dumps(body).encode(), "application/ld+json"
            )
        source = dcat_source(harbor, "/page1")

        first = harvest.harvest([source])[0]
        assert first.items_new == 2
        assert SourceState.objects.get(source=source).cursor["next"] == harbor.server.url("/page3")
        second = harvest.harvest([source])[0]

        assert second.items_new == 1
        assert len(harbor.server.requests_to("/page1")) == 1  # went on from its place
        assert SourceState.objects.get(source=source).cursor["next"] == ""
        assert Entry.objects.filter(ingested__source=source).count() == 3

    def test_a_next_page_that_loops_back_is_not_followed(self, harbor: Harbor) -> None:
        document = json.loads(catalogue("catalog.jsonld"))
        document["@graph"].append(
            {"@id": "/v", "@type": "hydra:PartialCollectionView", "hydra:next": "/loop.jsonld"}
        )
        harbor.server.serve_file(
            "/loop.jsonld", json.dumps(document).encode(), "application/ld+json"
        )
        source = dcat_source(harbor, "/loop.jsonld")

        [attempt] = harvest.harvest([source])

        assert attempt.items_new == 3
        assert "read already or is on another site" in attempt.notes
        assert len(harbor.server.requests_to("/loop.jsonld")) == 1

    def test_an_xml_bomb_is_refused(self, harbor: Harbor) -> None:
        harbor.server.routes["/bomb.rdf"] = Reply(
            200, fixture_bytes("xee.atom"), {"Content-Type": "application/rdf+xml"}
        )
        source = dcat_source(harbor, "/bomb.rdf")

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, "unsafe_xml")
