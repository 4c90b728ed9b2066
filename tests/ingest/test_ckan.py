"""CKAN catalogues harvested over HTTP from a fake Action API on a local server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from infoharbor.core.choices import EntryStatus
from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest
from infoharbor.ingest.choices import Outcome
from infoharbor.ingest.ckan import api_base, read_package, watermark
from infoharbor.ingest.models import IngestedItem, Source, SourceState
from tests.ingest.conftest import Harbor
from tests.ingest.fake_ckan import FakeCkan, fixture_packages, generated_packages
from tests.ingest.server import FeedServer, Reply
from tests.ingest.test_command import Harbour


def ckan_source(harbor: Harbor, ckan: FakeCkan, **overrides: Any) -> Source:
    assert ckan.url == harbor.server.url("/")
    return harbor.source("/", kind="ckan", entry_kind="information.dataset", **overrides)


def entries(source: Source) -> dict[str, Entry]:
    found = Entry.objects.filter(ingested__source=source).select_related("dataset", "ingested")
    return {entry.ingested.canonical_url.rsplit("/", 1)[-1]: entry for entry in found}


def counts() -> tuple[int, int, int]:
    return Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count()


class TestReading:
    @pytest.mark.parametrize(
        "url",
        [
            "https://data.example.go.th",
            "https://data.example.go.th/",
            "https://data.example.go.th/api/3/action/package_search?q=rice",
            "https://data.example.go.th/api/3",
        ],
    )
    def test_the_site_is_found_from_any_of_its_addresses(self, url: str) -> None:
        assert api_base(url) == "https://data.example.go.th"

    def test_a_site_under_a_path(self) -> None:
        assert (
            api_base("https://gov.example/opendata/api/3/action/x")
            == "https://gov.example/opendata"
        )

    def test_the_watermark_is_utc_milliseconds(self) -> None:
        assert watermark("2025-10-01T02:00:00.100200") == "2025-10-01T02:00:00.100Z"
        assert watermark("2025-10-01T09:00:00+07:00") == "2025-10-01T02:00:00.000Z"
        assert watermark("not a time") == ""

    def test_a_package_into_dataset_details(self) -> None:
        thai = read_package(fixture_packages()[0], "https://data.example.go.th")

        item = thai.item
        assert item.title == "มูลค่าการค้าชายแดนรายเดือน"
        assert item.link == "https://data.example.go.th/dataset/border-trade-monthly"
        assert item.language == "th"
        assert "<strong>การค้าชายแดน</strong>" in item.summary  # Markdown rendered
        assert item.categories == ("การค้าชายแดน", "ศุลกากร", "เศรษฐกิจ")
        assert item.license == "CC-BY-4.0"
        assert item.published == dt.datetime(2024, 1, 15, 3, 20, 11, 482913, tzinfo=dt.UTC)
        details = item.details
        assert details["publisher"] == "กรมการค้าต่างประเทศ"
        assert details["landing_page"] == "https://www.dft.example.go.th/border-trade"
        assert details["update_frequency"] == "monthly"
        assert (details["temporal_start"], details["temporal_end"]) == ("2015-01-01", "2025-09-30")
        assert details["spatial"] == "ประเทศไทย"
        assert details["formats"] == ["CSV", "XLSX"]
        assert details["distributions"][0]["size"] == 482133

    def test_frequencies_licences_and_periods_in_other_spellings(self) -> None:
        packages = {p["name"]: p for p in fixture_packages()}
        read = {name: read_package(p, "https://d.example") for name, p in packages.items()}

        assert read["rice-prices-wholesale"].item.details["update_frequency"] == "weekly"
        assert read["rice-prices-wholesale"].item.license == ""  # not one of the harbor's
        mekong = read["mekong-water-levels"].item
        assert mekong.license == "CC0-1.0"
        assert (mekong.details["temporal_start"], mekong.details["temporal_end"]) == (
            "2020-01-01",
            "2025-10-04",
        )
        assert mekong.details["spatial"] == ""  # a GeoJSON shape is no place name
        assert [d["url"] for d in mekong.details["distributions"]] == [
            "https://data.example.go.th/files/mekong-levels.csv"
        ]
        indonesian = read["ekspor-nonmigas"].item
        assert indonesian.details["update_frequency"] == "annual"
        assert indonesian.language == "id"
        assert indonesian.details["publisher"] == "Badan Pusat Statistik (demo)"
        assert read["internal-budget-draft"].private
        assert read["old-tariff-schedule"].state == "deleted"


@pytest.mark.django_db
class TestHarvest:
    def test_every_public_dataset_becomes_a_dataset_entry(self, harbor: Harbor) -> None:
        ckan = FakeCkan(harbor.server, fixture_packages())
        source = ckan_source(harbor, ckan, language="en", license="all-rights-reserved")

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        assert attempt.items_new == 4
        found = entries(source)
        assert set(found) == {
            "border-trade-monthly",
            "rice-prices-wholesale",
            "mekong-water-levels",
            "ekspor-nonmigas",
        }
        thai = found["border-trade-monthly"]
        assert (thai.kind, thai.language_id, thai.status) == (
            "information.dataset",
            "th",
            EntryStatus.PUBLISHED,
        )
        assert thai.license == "CC-BY-4.0"
        assert thai.dataset.update_frequency == "monthly"
        assert thai.source_url == harbor.server.url("/dataset/border-trade-monthly")
        assert found["mekong-water-levels"].language_id == "vi"  # detected from the text
        assert found["rice-prices-wholesale"].license == "all-rights-reserved"  # the source's
        assert found["ekspor-nonmigas"].language_id == "id"
        # Oldest change first; each harvest ends by checking which datasets still exist.
        assert ckan.searches[0]["sort"] == ["metadata_modified asc, id asc"]
        assert "fq" not in ckan.searches[0]
        assert harbor.server.requests_to("/api/3/action/package_list")

    def test_a_second_harvest_asks_only_for_what_changed_and_changes_nothing(
        self, harbor: Harbor
    ) -> None:
        ckan = FakeCkan(harbor.server, fixture_packages())
        source = ckan_source(harbor, ckan)
        harvest.harvest([source])
        before = counts()

        [again] = harvest.harvest([source])

        assert again.outcome == Outcome.FETCHED
        assert (again.items_new, again.items_updated, again.items_unchanged) == (0, 0, 0)
        assert ckan.searches[-1]["fq"] == ["metadata_modified:[2025-10-08T00:00:00.000Z TO *]"]
        assert ckan.searches[-1]["start"] == ["1"]  # the one dataset of that time, read
        assert counts() == before

    def test_a_changed_dataset_updates_its_entry(self, harbor: Harbor) -> None:
        ckan = FakeCkan(harbor.server, fixture_packages())
        source = ckan_source(harbor, ckan)
        harvest.harvest([source])

        ckan.touch(
            "rice-prices-wholesale", "2025-11-01T00:00:00", title="Wholesale rice prices, weekly"
        )
        [attempt] = harvest.harvest([source])

        assert (attempt.items_new, attempt.items_updated) == (0, 1)
        assert entries(source)["rice-prices-wholesale"].title == "Wholesale rice prices, weekly"

    def test_deleted_private_and_vanished_datasets_are_withdrawn(self, harbor: Harbor) -> None:
        ckan = FakeCkan(harbor.server, fixture_packages())
        source = ckan_source(harbor, ckan)
        harvest.harvest([source])

        ckan.touch("rice-prices-wholesale", "2025-11-01T00:00:00", state="deleted")
        ckan.touch("mekong-water-levels", "2025-11-02T00:00:00", private=True)
        ckan.remove("ekspor-nonmigas")
        # package_list is asked at most once a day: as if the last time were yesterday.
        state = SourceState.objects.get(source=source)
        state.cursor["listed_at"] = (timezone.now() - dt.timedelta(days=2)).isoformat()
        state.save()
        [attempt] = harvest.harvest([source])

        assert attempt.items_withdrawn == 3
        found = entries(source)
        assert found["rice-prices-wholesale"].status == EntryStatus.WITHDRAWN
        assert (
            found["rice-prices-wholesale"].withdrawn_reason
            == "The dataset was deleted from the catalogue."
        )
        assert "private" in found["mekong-water-levels"].withdrawn_reason
        assert (
            found["ekspor-nonmigas"].withdrawn_reason
            == "The dataset is no longer in the catalogue."
        )
        assert found["border-trade-monthly"].status == EntryStatus.PUBLISHED

    def test_a_failing_package_list_withdraws_nothing(self, harbor: Harbor) -> None:
        ckan = FakeCkan(harbor.server, fixture_packages())
        harbor.server.routes["/api/3/action/package_list"] = Reply(
            200, json.dumps({"success": True, "result": []}).encode()
        )
        source = ckan_source(harbor, ckan)

        [attempt] = harvest.harvest([source])

        assert attempt.items_withdrawn == 0
        assert "no entry was withdrawn" in attempt.notes

    def test_a_large_catalogue_is_read_a_few_pages_a_harvest_and_resumes(
        self, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_CATALOGUE_MAX_PAGES = 1
        ckan = FakeCkan(harbor.server, generated_packages(250))
        source = ckan_source(harbor, ckan)

        first = harvest.harvest([source])[0]
        state = SourceState.objects.get(source=source)
        assert first.items_new == 100
        assert "next run goes on from here" in first.notes
        assert state.next_due_at is not None
        assert state.next_due_at <= timezone.now()
        # A dataset already read changes before the next page: it moves to the end.
        ckan.touch("customs-statistics-5", "2025-03-01T00:00:00", title="Checkpoint 5, revised")
        second = harvest.harvest([source])[0]
        third = harvest.harvest([source])[0]

        assert (second.items_new, third.items_new, third.items_updated) == (100, 50, 1)
        assert Entry.objects.filter(ingested__source=source).count() == 250
        assert entries(source)["customs-statistics-5"].title == "Checkpoint 5, revised"
        assert SourceState.objects.get(source=source).next_due_at > timezone.now()

    def test_the_time_budget_stops_a_harvest_after_the_page_at_hand(
        self, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_TIME_BUDGET_SECONDS = 0
        ckan = FakeCkan(harbor.server, generated_packages(150))
        source = ckan_source(harbor, ckan)

        [attempt] = harvest.harvest([source])

        assert attempt.items_new == 100
        assert len(ckan.searches) == 1

    @pytest.mark.parametrize(
        ("reply", "code"),
        [
            (Reply(200, b"<html><body>Welcome</body></html>"), "not_a_catalogue"),
            (Reply(200, b'{"success": false, "error": {"message": "Solr"}}'), "catalogue_error"),
            (Reply(404, b"not found"), "http_status"),
        ],
    )  # fmt: skip
    def test_what_is_no_catalogue_fails_with_its_reason(
        self, harbor: Harbor, reply: Reply, code: str
    ) -> None:
        harbor.server.routes["/api/3/action/package_search"] = reply
        source = harbor.source("/", kind="ckan", entry_kind="information.dataset")

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, code)


@pytest.mark.slow_subprocess
def test_a_catalogue_harvest_killed_at_any_point_resumes_without_losing_or_doubling(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    total = 250
    ckan = FakeCkan(feed_server, generated_packages(total))
    harbour = Harbour(tmp_path, feed_server)
    harbour.run("migrate", "--verbosity", "0")
    harbour.run(
        "shell", "-c",
        "from infoharbor.core import audit\n"
        "from infoharbor.core.models import Language, Organization\n"
        "from infoharbor.core.permissions import Actor\n"
        "from infoharbor.ingest import services\n"
        "org = Organization.objects.create(slug='cat', name='Cat', kind='government',"
        " country_id='TH')\n"
        "services.create_source(actor=Actor(is_operator=True), origin=audit.Origin(via='test'),"
        " organization=org, data=services.SourceData(name='Catalogue', kind='ckan',"
        f" entry_kind='information.dataset', url={ckan.url!r}, country=org.country,"
        " language=Language.objects.get(code='en')))\n",
    )  # fmt: skip

    # 1. Killed while waiting for the second page: the first page's datasets are kept.
    ckan.delay = lambda search: 30.0 if search == 2 else 0.0
    harbour.kill_ingest_when(lambda: len(ckan.searches) >= 2)
    assert harbour.count("ingest_ingesteditem") == 100

    # 2. Killed half-way through the second page's datasets.
    ckan.delay = lambda search: 0.0
    harbour.kill_ingest_when(lambda: harbour.count("ingest_ingesteditem") >= 130)
    stored = harbour.count("ingest_ingesteditem")
    assert 130 <= stored < total

    # 3. The next run goes on from the last whole page and stores the rest, once.
    searches = len(ckan.searches)
    output = harbour.run("ingest", "--no-progress")

    assert "fq" in ckan.searches[searches]  # from its place, not from the start
    assert f"{total - stored} new" in output
    assert harbour.count("core_entry") == total
    assert harbour.count("(SELECT DISTINCT guid FROM ingest_ingesteditem)") == total
    assert harbour.count("ingest_fetchattempt", "finished_at IS NULL") == 2
    assert "0 new" in harbour.run("ingest", "--all", "--no-progress")
    assert harbour.count("core_entry") == total
