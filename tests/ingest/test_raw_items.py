"""Items seen before, byte for byte, are skipped before any parsing (a re-fetched feed
whose build date changed)."""

from __future__ import annotations

from typing import Any

import pytest

from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest
from infoharbor.ingest.feeds import RawItems, parse_feed
from infoharbor.ingest.models import IngestedItem
from tests.ingest.conftest import Harbor
from tests.ingest.test_batches import feed

RSS = "application/rss+xml; charset=utf-8"

ATOM = (
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
    b"<entry><id>a</id><title>One</title></entry>"
    b'<entry xml:lang="th"><id>b</id><title>Two</title></entry></feed>'
)


class TestSplitting:
    def test_rss_items_and_atom_entries_are_split_with_a_hash_each(self) -> None:
        rss = RawItems.of(feed(3))
        atom = RawItems.of(ATOM)
        assert rss is not None
        assert atom is not None
        assert len(rss.spans) == len(set(rss.hashes)) == 3
        assert [ATOM[a:b][:7] for a, b in atom.spans] == [b"<entry>", b"<entry "]

    def test_a_document_without_some_items_is_still_the_feed_of_the_others(self) -> None:
        raw = RawItems.of(feed(3))
        assert raw is not None
        rest = parse_feed(raw.without({0, 2}), url="https://customs.example.org/feed")
        assert [item.guid for item in rest.items] == ["notice-1"]
        assert rest.title == "Customs notices"

    @pytest.mark.parametrize(
        "document",
        [
            feed(2).replace(b"<description>", b"<description><![CDATA[</item>]]>"),
            feed(2).replace(b"<title>Notice 1", b"<!-- <item> --><title>Notice 1"),
            b"<!DOCTYPE rss [<!ENTITY e '<item>x</item>'>]>" + feed(2),
            b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
            feed(2).replace(b"<item>", b"<rss:item>").replace(b"</item>", b"</rss:item>"),
            feed(2).replace(b"</channel>", b"<item/></channel>"),
            b"<rss><channel><title>No items</title></channel></rss>",
        ],
        ids=["cdata", "comment", "doctype", "json", "prefixed", "empty-item", "no-items"],
    )
    def test_documents_that_could_hide_an_items_tags_are_not_split(self, document: bytes) -> None:
        assert RawItems.of(document) is None


def stamped(document: bytes, stamp: int) -> bytes:
    return document.replace(
        b"<channel>", f"<channel><lastBuildDate>{stamp}</lastBuildDate>".encode()
    )


def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of items in each document handed to the parser."""
    seen: list[int] = []

    def counting(data: bytes, **kwargs: Any) -> Any:
        result = parse_feed(data, **kwargs)
        seen.append(len(result.items))
        return result

    monkeypatch.setattr(harvest, "parse_feed", counting)
    return seen


@pytest.mark.django_db
class TestHarvest:
    def test_a_regenerated_document_with_the_same_items_is_not_parsed(
        self, harbor: Harbor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        harbor.server.serve_file("/big.xml", stamped(feed(12), 1), RSS)
        source = harbor.source("/big.xml")
        harvest.harvest([source])
        before = (Entry.objects.count(), AuditEvent.objects.count())
        parsed = parses(monkeypatch)

        harbor.server.serve_file("/big.xml", stamped(feed(12), 2), RSS)
        [again] = harvest.harvest([source])

        assert parsed == []
        assert (again.items_new, again.items_unchanged) == (0, 12)
        assert (Entry.objects.count(), AuditEvent.objects.count()) == before

    def test_only_new_and_changed_items_are_parsed(
        self, harbor: Harbor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        harbor.server.serve_file("/big.xml", feed(10), RSS)
        source = harbor.source("/big.xml")
        harvest.harvest([source])
        parsed = parses(monkeypatch)

        document = feed(11).replace(b"reports week 4.", b"reports week 4, corrected.")
        harbor.server.serve_file("/big.xml", stamped(document, 2), RSS)
        [again] = harvest.harvest([source])

        assert parsed == [2]  # notice 10 (new) and notice 4 (changed)
        assert (again.items_new, again.items_updated, again.items_unchanged) == (1, 1, 9)
        assert "corrected" in Entry.objects.get(ingested__guid="notice-4").summary
        # And the changed item is known by its new bytes from now on.
        harbor.server.serve_file("/big.xml", stamped(document, 3), RSS)
        [third] = harvest.harvest([source])
        assert parsed == [2]
        assert third.items_unchanged == 11

    def test_items_stored_without_their_bytes_hash_get_it_at_the_next_harvest(
        self, harbor: Harbor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        harbor.server.serve_file("/big.xml", feed(6), RSS)
        source = harbor.source("/big.xml")
        harvest.harvest([source])
        IngestedItem.objects.update(raw_hash="")  # as stored before raw hashes were kept
        parsed = parses(monkeypatch)

        harbor.server.serve_file("/big.xml", stamped(feed(6), 2), RSS)
        [second] = harvest.harvest([source])
        harbor.server.serve_file("/big.xml", stamped(feed(6), 3), RSS)
        [third] = harvest.harvest([source])

        assert parsed == [6]  # the second harvest parsed them all, the third none
        assert second.items_unchanged == third.items_unchanged == 6
        assert IngestedItem.objects.filter(raw_hash="").count() == 0
