"""Harvesting over HTTP from a local server into entries: the whole path, and its rules."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from infoharbor.core.choices import EntryStatus, Provenance
from infoharbor.core.models import AuditEvent, Entry
from infoharbor.core.permissions import ANONYMOUS, Actor
from infoharbor.ingest import harvest, queries
from infoharbor.ingest.choices import Freshness, Outcome
from infoharbor.ingest.models import FetchAttempt, IngestedItem, SourceState
from infoharbor.search import service as search_service
from tests import factories
from tests.ingest.conftest import Harbor, fixture_bytes, make_source
from tests.ingest.feeds_test_data import UNSAFE
from tests.ingest.server import Reply, Seen

pytestmark = pytest.mark.django_db

RSS = "application/rss+xml; charset=utf-8"


def changing(feed: bytes) -> Callable[[Seen], Reply]:
    """A route that serves ``feed`` with a new build date each time, and no validators."""
    counter = itertools.count()

    def reply(seen: Seen) -> Reply:
        stamp = f"<lastBuildDate>build {next(counter)}</lastBuildDate>".encode()
        return Reply(
            200, feed.replace(b"<channel>", b"<channel>" + stamp, 1), {"Content-Type": RSS}
        )

    return reply


def entries_of(source_id: int) -> list[Entry]:
    return list(
        Entry.objects.filter(ingested__source_id=source_id)
        .select_related("language", "ingested")
        .order_by("pk")
    )


def by_guid(source_id: int) -> dict[str, Entry]:
    return {entry.ingested.guid: entry for entry in entries_of(source_id)}


class TestFirstHarvest:
    def test_every_item_becomes_a_published_entry_of_the_source(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source(
            "/feed.xml", sectors=["trade-ecommerce"], license_note="Reuse with attribution."
        )

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED
        assert attempt.items_new == 5
        entries = entries_of(source.pk)
        assert len(entries) == 5
        for entry in entries:
            assert entry.provenance == Provenance.INGESTED
            assert entry.status == EntryStatus.PUBLISHED
            assert entry.organization == harbor.org
            assert entry.country_id == "TH"
            assert entry.kind == "information.news"
            assert entry.news.notice_type == "news"
            assert list(entry.sectors.values_list("slug", flat=True)) == ["trade-ecommerce"]
            assert entry.provenance_note == f"{source.name} — Reuse with attribution."
            assert entry.license == source.license
            assert not UNSAFE.search(entry.body_html)

    def test_links_are_canonical_and_relative_ones_resolved(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")

        harvest.harvest([source])

        entries = by_guid(source.pk)
        thai = entries["moc-th-2025-1101"]
        assert thai.source_url == "https://news.example.go.th/th/2025/11/border-market"
        english = entries["moc-en-2025-1101"]
        # A relative item link resolves against the feed's own address.
        assert english.source_url == harbor.server.url("/en/2025/11/border-market")
        holiday = next(e for e in entries.values() if e.title.startswith("Notice"))
        assert holiday.source_url == "https://news.example.go.th/en/2025/12/holiday"

    def test_entries_carry_the_items_own_publication_time(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")

        harvest.harvest([source])

        thai = by_guid(source.pk)["moc-th-2025-1101"]
        assert thai.published_at == dt.datetime(2025, 11, 1, 2, 30, tzinfo=dt.UTC)
        assert thai.ingested.published_at == thai.published_at

    def test_languages_declared_detected_or_defaulted(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml", language="th")

        harvest.harvest([source])

        languages = {guid: e.language_id for guid, e in by_guid(source.pk).items()}
        # The feed says en-us for everything; the Thai and Chinese scripts say otherwise.
        assert languages["moc-th-2025-1101"] == "th"
        assert languages["moc-zh-2025-1102"] == "zh-Hans"
        assert languages["moc-en-2025-1101"] == "en"
        assert languages["moc-vi-2025-1102"] == "en"  # Latin script: the declaration holds

    def test_language_is_detected_when_not_declared(self, harbor: Harbor) -> None:
        feed = fixture_bytes("harbor-ministry-rss.xml").replace(b"<language>en-us</language>", b"")
        harbor.server.serve_file("/feed.xml", feed, RSS)
        source = harbor.source("/feed.xml", language="th")

        harvest.harvest([source])

        languages = {guid: e.language_id for guid, e in by_guid(source.pk).items()}
        assert languages["moc-vi-2025-1102"] == "vi"
        assert languages["moc-zh-2025-1102"] == "zh-Hans"
        assert languages["moc-en-2025-1101"] == "en"

    def test_a_language_the_harbor_does_not_have_falls_back_to_the_source_default(
        self, harbor: Harbor
    ) -> None:
        harbor.server.serve_file(
            "/ru.atom", fixture_bytes("atom-large-sanitize.xml"), "application/atom+xml"
        )
        source = harbor.source("/ru.atom", language="en")

        [attempt] = harvest.harvest([source])

        assert attempt.items_new == 15
        assert {e.language_id for e in entries_of(source.pk)} == {"en"}

    def test_atom_full_text_is_the_body_and_its_summary_the_summary(self, harbor: Harbor) -> None:
        harbor.server.serve_file(
            "/feed.atom", fixture_bytes("harbor-agency-atom.xml"), "application/atom+xml"
        )
        source = harbor.source("/feed.atom", language="id")

        harvest.harvest([source])

        indonesian, english = entries_of(source.pk)
        assert indonesian.language_id == "id"
        assert indonesian.summary == "Program ekspor diperluas untuk usaha kecil dan menengah."
        assert "pelatihan dan bantuan sertifikasi" in indonesian.body_html
        assert "onerror" not in indonesian.body_html
        assert english.language_id == "en"
        # No xml:base in the feed: relative links resolve against the feed's own address.
        assert f'href="{harbor.server.url("/registration.html")}"' in english.body_html
        assert "onclick" not in english.body_html

    def test_json_feed(self, harbor: Harbor) -> None:
        harbor.server.serve_file(
            "/feed.json", fixture_bytes("jsonfeed-example.json"), "application/feed+json"
        )
        source = harbor.source("/feed.json", kind="json_feed")

        [attempt] = harvest.harvest([source])

        assert attempt.items_new == 2
        assert {e.source_url for e in entries_of(source.pk)} == {
            "https://example.org/second-item",
            "https://example.org/initial-post",
        }

    def test_drafts_when_the_source_does_not_publish(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml", publish=False)

        harvest.harvest([source])

        assert {e.status for e in entries_of(source.pk)} == {EntryStatus.DRAFT}

    def test_the_kind_and_details_the_source_gives(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source(
            "/feed.xml", entry_kind="information.policy", entry_details={"policy_type": "circular"}
        )

        harvest.harvest([source])

        assert {e.policy.policy_type for e in entries_of(source.pk)} == {"circular"}

    def test_ingested_entries_are_found_by_search(
        self, harbor: Harbor, django_capture_on_commit_callbacks: Any
    ) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")

        # Each item commits on its own; the search index follows each commit.
        with django_capture_on_commit_callbacks(execute=True):
            harvest.harvest([source])

        found = search_service.search(ANONYMOUS, "ตลาดการค้าชายแดน", facets=False)
        assert [result.entry.pk for result in found.results] == [
            by_guid(source.pk)["moc-th-2025-1101"].pk
        ]

    def test_every_entry_has_its_audit_trail(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")

        harvest.harvest([source])

        events = AuditEvent.objects.filter(target_type="core.entry", via="ingest")
        assert events.filter(action="entry.create").count() == 5
        assert events.filter(action="entry.publish").count() == 5
        assert set(events.values_list("actor_label", flat=True)) == {"ingest"}


class TestIdempotency:
    def test_the_second_harvest_is_conditional_and_changes_nothing(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml")
        harvest.harvest([source])
        entries, events = Entry.objects.count(), AuditEvent.objects.count()

        [second] = harvest.harvest([source])

        assert second.outcome == Outcome.NOT_MODIFIED
        assert second.http_status == 304
        sent = harbor.server.requests_to("/feed.xml")[-1].headers
        assert sent["if-none-match"] == SourceState.objects.get(source=source).etag
        assert sent["if-modified-since"] == "Mon, 01 Dec 2025 08:00:00 GMT"
        assert (Entry.objects.count(), AuditEvent.objects.count()) == (entries, events)

    def test_the_same_document_again_without_validators_is_not_read_again(
        self, harbor: Harbor
    ) -> None:
        # A server that never answers 304, but sends the very same bytes.
        harbor.server.routes["/feed.xml"] = Reply(
            200, fixture_bytes("harbor-ministry-rss.xml"), {"Content-Type": RSS}
        )
        source = harbor.source("/feed.xml")
        harvest.harvest([source])
        before = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())

        [again] = harvest.harvest([source])

        assert again.outcome == Outcome.NOT_MODIFIED
        assert again.notes == "The same document as at the last harvest."
        after = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())
        assert after == before

    def test_a_regenerated_document_with_the_same_items_changes_nothing(
        self, harbor: Harbor
    ) -> None:
        # Many feeds stamp every response with a new lastBuildDate: every item is read again
        # and recognised.
        harbor.server.routes["/feed.xml"] = changing(fixture_bytes("harbor-ministry-rss.xml"))
        source = harbor.source("/feed.xml")
        harvest.harvest([source])
        before = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())

        [again] = harvest.harvest([source])

        assert again.outcome == Outcome.FETCHED
        assert (again.items_new, again.items_unchanged) == (0, 5)
        after = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())
        assert after == before

    def test_a_re_run_costs_the_same_queries_however_many_items(self, harbor: Harbor) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.ingest.test_command import big_feed

        counts = []
        for size in (10, 120):
            path = f"/feed-{size}.xml"
            # Items of their own (other addresses) in each feed.
            feed = big_feed(size).replace(b"big.example.org", f"big{size}.example.org".encode())
            harbor.server.routes[path] = changing(feed)
            source = harbor.source(path)
            harvest.harvest([source])
            with CaptureQueriesContext(connection) as queries_made:
                [again] = harvest.harvest([source])
            assert again.items_unchanged == size
            counts.append(len(queries_made))

        assert counts[0] == counts[1]

    def test_an_item_changed_at_the_source_updates_its_entry(self, harbor: Harbor) -> None:
        feed = fixture_bytes("harbor-ministry-rss.xml")
        harbor.server.serve_file("/feed.xml", feed, RSS)
        source = harbor.source("/feed.xml")
        harvest.harvest([source])
        entry = by_guid(source.pk)["moc-en-2025-1101"]

        changed = feed.replace(b"Ministry opens a new border trade market", b"Ministry opens two")
        harbor.server.serve_file("/feed.xml", changed, RSS)
        [attempt] = harvest.harvest([source])

        assert (attempt.items_new, attempt.items_updated, attempt.items_unchanged) == (0, 1, 4)
        entry.refresh_from_db()
        assert entry.title == "Ministry opens two"
        assert Entry.objects.filter(ingested__source=source).count() == 5
        update = AuditEvent.objects.get(action="entry.update", target_id=str(entry.pk))
        assert update.changes["title"] == ["Ministry opens a new border trade market", entry.title]

    def test_items_without_links_or_guids_are_known_by_their_content(self, harbor: Harbor) -> None:
        harbor.server.routes["/feed.xml"] = changing(fixture_bytes("rss-two-items-no-links.xml"))
        source = harbor.source("/feed.xml")

        first, second = harvest.harvest([source, source])

        assert first.items_new == 2
        assert (second.items_new, second.items_duplicate) == (0, 2)

    def test_the_same_page_from_another_source_is_not_a_second_entry(self, harbor: Harbor) -> None:
        # Absolute links only: a relative one would resolve against each feed's address.
        feed = fixture_bytes("harbor-ministry-rss.xml").replace(
            b"<link>/en/", b"<link>https://news.example.go.th/en/"
        )
        harbor.server.serve_file("/a.xml", feed, RSS)
        # Another organization's feed links the same pages, with other tracking parameters.
        harbor.server.serve_file("/b.xml", feed.replace(b"utm_source=rss", b"utm_source=x"), RSS)
        other = factories.make_org("lao-chamber", country="LA")
        first = harbor.source("/a.xml")
        second = make_source(other, harbor.server.url("/b.xml"))

        harvest.harvest([first, second])

        attempts = {a.source_id: a for a in FetchAttempt.objects.all()}
        assert attempts[second.pk].items_duplicate == 5
        assert attempts[second.pk].items_new == 0
        assert Entry.objects.count() == 5

    def test_the_same_item_twice_in_one_feed_is_one_entry(self, harbor: Harbor) -> None:
        feed = fixture_bytes("harbor-ministry-rss.xml")
        start = feed.index(b"<item>")
        end = feed.index(b"</item>") + len(b"</item>")
        doubled = feed[:end] + feed[start:end] + feed[end:]
        harbor.server.serve_file("/feed.xml", doubled, RSS)
        source = harbor.source("/feed.xml")

        [attempt] = harvest.harvest([source])

        assert attempt.items_new == 5
        assert attempt.items_unchanged == 1


class TestFailures:
    def test_a_failing_source_never_stops_the_others(self, harbor: Harbor) -> None:
        harbor.server.routes["/down.xml"] = Reply(503, b"down")
        harbor.server.serve_file("/ok.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        down = harbor.source("/down.xml")
        private = harbor.source("/x.xml")
        private.url = "http://10.20.30.40/feed.xml"  # as if the address had been changed
        private.save()
        ok = harbor.source("/ok.xml")

        attempts = harvest.harvest([down, private, ok])

        assert [a.outcome for a in attempts] == [Outcome.FAILED, Outcome.FAILED, Outcome.FETCHED]
        assert attempts[0].error_code == "http_status"
        assert attempts[0].http_status == 503
        assert attempts[1].error_code == "refused_address"
        assert attempts[2].items_new == 5
        state = SourceState.objects.get(source=down)
        assert state.last_error_code == "http_status"
        assert "503" in state.last_error
        assert state.consecutive_failures == 1

    def test_a_crash_in_one_source_is_recorded_and_the_others_go_on(
        self, harbor: Harbor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        harbor.server.serve_file("/ok.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        broken = harbor.source("/broken.xml")
        ok = harbor.source("/ok.xml")
        real = harvest.harvest_source

        def crash_on_broken(source, fetcher, **kwargs):  # type: ignore[no-untyped-def]
            if source.pk == broken.pk:
                raise RuntimeError("a bug")
            return real(source, fetcher, **kwargs)

        monkeypatch.setattr(harvest, "harvest_source", crash_on_broken)

        attempts = harvest.harvest([broken, ok])

        assert [a.outcome for a in attempts] == [Outcome.FAILED, Outcome.FETCHED]
        assert attempts[0].error_code == "internal_error"

    def test_failures_back_off(self, harbor: Harbor) -> None:
        harbor.server.routes["/down.xml"] = Reply(500)
        source = harbor.source("/down.xml", interval_minutes=60)

        for _run in range(3):
            harvest.harvest([source])

        state = SourceState.objects.get(source=source)
        assert state.consecutive_failures == 3
        wait = state.next_due_at - state.last_error_at
        assert dt.timedelta(hours=4) - dt.timedelta(seconds=5) < wait <= dt.timedelta(hours=4)

    def test_a_long_retry_after_postpones_the_source(self, harbor: Harbor) -> None:
        harbor.server.routes["/busy.xml"] = Reply(429, b"", {"Retry-After": "86400"})
        source = harbor.source("/busy.xml", interval_minutes=30)

        [attempt] = harvest.harvest([source])

        assert attempt.error_code == "retry_later"
        state = SourceState.objects.get(source=source)
        assert state.next_due_at > timezone.now() + dt.timedelta(hours=23)

    @pytest.mark.parametrize(
        ("body", "content_type", "code"),
        [
            (b"<html><body>Welcome</body></html>", "text/html", "not_a_feed"),
            (fixture_bytes("xee.atom"), "application/atom+xml", "unsafe_xml"),
        ],
    )
    def test_an_unreadable_document_is_recorded_with_its_reason(
        self, harbor: Harbor, body: bytes, content_type: str, code: str
    ) -> None:
        harbor.server.serve_file("/feed.xml", body, content_type)
        source = harbor.source("/feed.xml")

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FAILED
        assert attempt.error_code == code
        assert Entry.objects.count() == 0
        # Not stored as seen: once the publisher fixes it, it is read again in full.
        assert SourceState.objects.get(source=source).etag == ""

    def test_a_source_that_moved_permanently_is_noted(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/new.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        harbor.server.routes["/old.xml"] = Reply(301, headers={"Location": "/new.xml"})
        source = harbor.source("/old.xml")

        harvest.harvest([source])

        assert SourceState.objects.get(source=source).moved_to == harbor.server.url("/new.xml")


class TestDue:
    def test_new_sources_are_due_and_harvested_ones_wait_their_interval(
        self, harbor: Harbor
    ) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml", interval_minutes=30)
        off = harbor.source("/off.xml", enabled=False)

        assert list(harvest.due_sources()) == [source]
        harvest.harvest([source])

        assert list(harvest.due_sources()) == []
        later = timezone.now() + dt.timedelta(minutes=31)
        assert list(harvest.due_sources(later)) == [source]
        assert off not in harvest.due_sources(later)

    def test_sources_of_suspended_organizations_are_not_due(self, harbor: Harbor) -> None:
        source = harbor.source("/feed.xml")
        harbor.org.is_active = False
        harbor.org.save()

        assert source not in harvest.due_sources()


class TestHealth:
    def test_health_after_harvests(self, harbor: Harbor) -> None:
        feed = fixture_bytes("harbor-ministry-rss.xml")
        harbor.server.serve_file("/feed.xml", feed, RSS)
        source = harbor.source("/feed.xml")
        harvest.harvest([source])

        # A new item arrives an hour after it was published.
        published = timezone.now() - dt.timedelta(hours=1)
        item = (
            "<item><title>New notice</title><guid>moc-new-1</guid>"
            f"<pubDate>{published:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
            "<description>Border checkpoints extend their hours.</description></item>"
        ).encode()
        harbor.server.serve_file(
            "/feed.xml", feed.replace(b"</channel>", item + b"</channel>"), RSS
        )
        harvest.harvest([source])

        health = queries.source_health(source)
        assert health.freshness == Freshness.FRESH
        assert health.items_total == 6
        assert health.daily[-1][1] == 6
        assert health.items_per_day == round(6 / 7, 1)
        # Only the new item counts: the first harvest's backlog is months old.
        assert health.mean_delay_seconds == pytest.approx(3600, abs=120)
        assert health.last_success_at is not None
        assert [a.outcome for a in health.attempts] == [Outcome.FETCHED, Outcome.FETCHED]

    def test_a_failing_source_shows_its_last_error(self, harbor: Harbor) -> None:
        harbor.server.routes["/feed.xml"] = Reply(404)
        source = harbor.source("/feed.xml")

        harvest.harvest([source])

        health = queries.source_health(source)
        assert health.freshness == Freshness.FAILING
        assert "404" in health.state.last_error

    def test_a_source_without_new_items_for_its_quiet_period_is_quiet(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/feed.xml", fixture_bytes("harbor-ministry-rss.xml"), RSS)
        source = harbor.source("/feed.xml", quiet_after_hours=24)
        harvest.harvest([source])

        assert queries.source_health(source).freshness == Freshness.FRESH
        in_two_days = timezone.now() + dt.timedelta(days=2)
        assert queries.source_health(source, now=in_two_days).freshness == Freshness.QUIET

    def test_states_of_sources_that_are_new_or_off(self, harbor: Harbor) -> None:
        new = harbor.source("/a.xml")
        off = harbor.source("/b.xml", enabled=False)

        everything = queries.manageable_sources(Actor(is_operator=True))
        rows = {row.source.pk: row for row in queries.source_rows(everything)}

        assert rows[new.pk].freshness == Freshness.NEW
        assert rows[off.pk].freshness == Freshness.OFF
