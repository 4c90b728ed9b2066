"""Reading feeds into items: formats, encodings, links, dates, sanitizing, hostile XML."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import tracemalloc
from pathlib import Path

import pytest

from infoharbor.ingest.feeds import FeedRejected, parse_feed
from infoharbor.ingest.xmlcheck import check_xml
from tests.ingest.conftest import FIXTURES

# What must never survive sanitizing: scripts, event handlers, javascript: addresses, styles.
UNSAFE = re.compile(r"<script|<style|\son[a-z]+\s*=|javascript:|vbscript:|<iframe|<object", re.I)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class TestFormats:
    def test_rss_items_with_links_guids_dates_and_categories(self) -> None:
        feed = parse_feed(
            fixture("harbor-ministry-rss.xml"),
            url="https://news.example.go.th/feed.xml",
            content_type="application/rss+xml; charset=utf-8",
        )

        assert feed.format == "rss20"
        assert feed.language == "en-us"
        assert len(feed.items) == 5
        thai = feed.items[0]
        assert thai.guid == "moc-th-2025-1101"
        assert thai.title == "กระทรวงพาณิชย์เปิดตลาดการค้าชายแดนแห่งใหม่"
        assert thai.published == dt.datetime(2025, 11, 1, 2, 30, tzinfo=dt.UTC)  # +0700 -> UTC
        assert thai.categories == ("การค้า", "ชายแดน")
        assert "หนองคาย" in thai.text

    def test_relative_links_are_resolved_against_the_feed(self) -> None:
        feed = parse_feed(
            fixture("harbor-ministry-rss.xml"), url="https://news.example.go.th/feed.xml"
        )

        english = feed.items[1]
        assert english.link == "https://news.example.go.th/en/2025/11/border-market#top"
        assert 'href="https://news.example.go.th/en/markets/"' in english.summary

    def test_links_resolve_whether_or_not_the_items_hold_addresses(self) -> None:
        # A feed of plain items is read without a base for its HTML; its links still resolve.
        plain = (
            b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>T</title><link>/news/</link><item><title>A</title>"
            b"<link>/news/a.html</link><description>&lt;p&gt;Plain.&lt;/p&gt;</description>"
            b"</item></channel></rss>"
        )
        with_image = plain.replace(
            b"&lt;p&gt;Plain.", b"&lt;p&gt;&lt;a HREF=&quot;more.html&quot;&gt;More&lt;/a&gt;"
        )
        url = "https://news.example.org/feeds/rss.xml"

        first, second = parse_feed(plain, url=url), parse_feed(with_image, url=url)

        for feed in (first, second):
            assert feed.link == "https://news.example.org/news/"
            assert feed.items[0].link == "https://news.example.org/news/a.html"
        assert first.items[0].summary == "<p>Plain.</p>"
        assert 'href="https://news.example.org/feeds/more.html"' in second.items[0].summary
        # The same document in UTF-16: its bytes do not show the attribute, it is resolved.
        utf16 = with_image.decode().replace("utf-8", "utf-16").encode("utf-16")
        third = parse_feed(utf16, url=url)
        assert 'href="https://news.example.org/feeds/more.html"' in third.items[0].summary

    def test_atom_with_languages_and_full_text(self) -> None:
        feed = parse_feed(
            fixture("harbor-agency-atom.xml"), url="https://agency.example.go.id/feed.atom"
        )

        assert feed.format == "atom10"
        indonesian, english = feed.items
        assert indonesian.language == "id"
        assert english.language == "en"
        assert indonesian.published == dt.datetime(2025, 11, 17, 20, 0, tzinfo=dt.UTC)
        assert "pelatihan" in indonesian.content
        assert 'href="https://agency.example.go.id/registration.html"' in english.content

    def test_json_feed(self) -> None:
        feed = parse_feed(
            fixture("jsonfeed-example.json"),
            url="https://example.org/feed.json",
            content_type="application/feed+json",
        )

        assert feed.format == "json1"
        assert feed.title == "My Example Feed"
        second, first = feed.items
        assert second.guid == "2"
        assert second.link == "https://example.org/second-item"
        assert second.content == "<p>This is a second item.</p>"
        assert second.categories == ("test", "JSON")
        assert first.content.startswith("<p>Hello, world!</p>")
        assert "<script" not in first.content

    def test_json_feed_dates_are_utc(self) -> None:
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "language": "vi",
            "items": [{"id": "a", "title": "x", "date_published": "2025-11-02T09:00:00+07:00"}],
        }

        feed = parse_feed(json.dumps(document).encode(), url="https://example.org/f.json")

        assert feed.format == "json11"
        assert feed.items[0].published == dt.datetime(2025, 11, 2, 2, 0, tzinfo=dt.UTC)
        assert feed.items[0].language == "vi"

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"", "not_a_feed"),
            (b"<html><body>Not a feed</body></html>", "not_a_feed"),
            (b"{not json", "not_a_feed"),
            (b'{"version": "x"}', "not_a_feed"),
            (b"\x00\x01\x02binary", "not_a_feed"),
        ],
    )
    def test_what_is_not_a_feed_is_rejected_with_a_reason(self, data: bytes, code: str) -> None:
        with pytest.raises(FeedRejected) as rejected:
            parse_feed(data, url="https://example.org/feed")

        assert rejected.value.code == code
        assert rejected.value.message

    def test_an_ill_formed_feed_is_read_leniently_and_says_so(self) -> None:
        feed = parse_feed(fixture("rss-illformed-ampersands.xml"), url="https://example.org/f")

        assert feed.items[0].link == "http://link/get?a=1&b=2"
        assert any("not well-formed" in note for note in feed.notes)

    def test_an_external_dtd_reference_alone_is_harmless(self) -> None:
        feed = parse_feed(fixture("rss091-netscape-doctype.xml"), url="https://example.org/f")

        assert feed.format == "rss091n"


class TestSanitizing:
    @pytest.mark.parametrize(
        "name",
        [
            "atom-content-script.xml",
            "atom-summary-onclick.xml",
            "atom-large-sanitize.xml",
            "harbor-ministry-rss.xml",
            "harbor-agency-atom.xml",
        ],
    )
    def test_no_script_or_event_handler_survives(self, name: str) -> None:
        feed = parse_feed(fixture(name), url="https://example.org/feed")

        for item in feed.items:
            assert not UNSAFE.search(item.summary), item.summary
            assert not UNSAFE.search(item.content), item.content

    def test_the_text_around_a_removed_script_stays(self) -> None:
        feed = parse_feed(fixture("atom-content-script.xml"), url="https://example.org/feed")

        assert feed.items[0].content == "safe description"


class TestHostileXml:
    """Entities are refused at their declaration: nothing is expanded or fetched."""

    @staticmethod
    def billion_laughs(levels: int = 10) -> bytes:
        lines = ['<!ENTITY lol0 "lol">']
        lines += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels)]
        body = f"&lol{levels - 1};"
        return (
            f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(lines)}]>'
            f"<rss version='2.0'><channel><title>{body}</title></channel></rss>"
        ).encode()

    @staticmethod
    def quadratic(size: int = 100_000, references: int = 10_000) -> bytes:
        entity = "x" * size
        return (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{entity}">]>'
            f"<rss version='2.0'><channel><title>{'&a;' * references}</title></channel></rss>"
        ).encode()

    @pytest.mark.parametrize("kind", ["billion_laughs", "quadratic"])
    def test_entity_bombs_are_refused_quickly_within_a_memory_bound(self, kind: str) -> None:
        document = getattr(self, kind)()
        tracemalloc.start()
        started = time.process_time()
        try:
            with pytest.raises(FeedRejected) as refused:
                parse_feed(document, url="https://example.org/feed.xml")
            elapsed = time.process_time() - started
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert refused.value.code == "unsafe_xml"
        assert elapsed < 1.0
        # Expanded, the billion laughs is 3 GB and the quadratic one 1 GB; refused, the check
        # holds little more than the document itself.
        assert peak < 10 * 1024 * 1024 + 3 * len(document)

    def test_external_entities_are_refused_and_never_read(self) -> None:
        document = (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<rss version='2.0'><channel><item><title>&xxe;</title></item></channel></rss>"
        )

        with pytest.raises(FeedRejected) as refused:
            parse_feed(document, url="https://example.org/feed.xml")

        assert refused.value.code == "unsafe_xml"
        assert "root:" not in refused.value.message

    def test_the_cap_library_xxe_probe_is_refused(self) -> None:
        with pytest.raises(FeedRejected) as refused:
            parse_feed(fixture("xee.atom"), url="https://example.org/feed.atom")

        assert refused.value.code == "unsafe_xml"

    def test_entities_in_a_document_that_is_not_well_formed_are_refused_too(self) -> None:
        document = b'junk<!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"></rss>'

        with pytest.raises(FeedRejected) as refused:
            parse_feed(document, url="https://example.org/feed.xml")

        assert refused.value.code == "unsafe_xml"

    def test_multi_byte_encodings_expat_cannot_read_are_checked_too(self) -> None:
        document = (
            '<?xml version="1.0" encoding="gb2312"?><!DOCTYPE rss [<!ENTITY a "b">]>'
            "<rss version='2.0'><channel><title>商务部</title></channel></rss>"
        ).encode("gb2312")

        with pytest.raises(FeedRejected):
            parse_feed(document, url="https://example.org/feed.xml")
        assert check_xml(document.replace(b'<!DOCTYPE rss [<!ENTITY a "b">]>', b"")).well_formed


def _expected_headers(data: bytes) -> str:
    """The Content-Type a feedparser test document says it was served with."""
    head = data[:3000].decode("latin-1")
    for encoding in ("utf-32", "utf-16"):
        if "Header:" not in head and data[:4] and b"\x00" in data[:4]:
            head = data[:6000].decode(encoding, errors="ignore")
    match = re.search(r"Header:\s*Content-type:\s*(.+)", head, re.IGNORECASE)
    return match.group(1).strip() if match else "application/xml"


@pytest.mark.shared_data
def test_every_feedparser_test_document_is_read_or_rejected_with_a_reason(
    shared_data: Path,
) -> None:
    """The 2,100 documents of feedparser's own tests: well-formed, ill-formed, encodings,
    entities, sanitizer cases. None crashes the ingestion; none keeps a script."""
    root = shared_data / "feeds" / "feedparser-tests"
    documents = sorted(p for p in root.rglob("*") if p.suffix in {".xml", ".json"})
    assert len(documents) > 2000
    read = items = 0
    rejections: list[FeedRejected] = []
    for path in documents:
        data = path.read_bytes()
        content_type = "application/json" if path.suffix == ".json" else _expected_headers(data)
        try:
            feed = parse_feed(
                data, url=f"https://example.org/{path.name}", content_type=content_type
            )
        except FeedRejected as error:
            rejections.append(error)
            continue
        read += 1
        for item in feed.items:
            items += 1
            for html in (item.summary, item.content):
                assert not UNSAFE.search(html), f"{path.relative_to(root)}: {html[:200]}"
    assert read > 2050
    assert all(error.message for error in rejections)
    # The two documents that declare entities, and the few that are not feeds at all (CDF
    # channels, an empty document).
    codes = [error.code for error in rejections]
    assert codes.count("unsafe_xml") == 2
    assert set(codes) <= {"unsafe_xml", "not_a_feed"}
    assert len(codes) < 15
    assert items > 1000
