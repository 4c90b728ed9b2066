"""Feeds (RSS 0.9x/1.0/2.0, Atom and JSON Feed) read into plain items (plain Python).

XML goes through :func:`infoharbor.ingest.xmlcheck.check_xml` first, then feedparser, which
detects the encoding (HTTP charset, BOM, XML declaration, and fallbacks for mislabeled
documents), reads ill-formed documents leniently, resolves relative links against the
feed's address and normalizes dates to UTC. JSON Feed (1.0 and 1.1), which feedparser 6
does not read, is mapped here from its short specification. Every HTML fragment is
sanitized with the core's sanitizer before it leaves this module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from infoharbor.core.richtext import plain_text, sanitize_html
from infoharbor.ingest.xmlcheck import UnsafeXml, check_xml

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
MAX_CATEGORIES = 8


class FeedRejected(Exception):
    """Not a feed the harbor can read; ``code`` is stable, ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FeedItem:
    guid: str
    link: str  # absolute http(s), or empty
    title: str  # plain text
    summary: str  # sanitized HTML
    content: str  # sanitized HTML (the full text, when the feed carries it)
    language: str  # as declared by the item or the feed (BCP 47 as written), or empty
    published: dt.datetime | None  # UTC
    updated: dt.datetime | None  # UTC
    categories: tuple[str, ...] = ()
    author: str = ""
    # Datasets: the entry kind's details the item brings (the source's entry_details fill
    # what it leaves empty), and the core License value it states (else the source's).
    details: Mapping[str, Any] = field(default_factory=dict)
    license: str = ""

    @cached_property
    def text(self) -> str:
        """The item's readable text, for language detection and the content hash (read
        once: the keys, the language and the entry's fields all need it)."""
        return plain_text(self.content or self.summary)


@dataclass(frozen=True)
class Feed:
    format: str  # rss20, rss10, rss091u, atom10, atom03, json1, json11, ...
    title: str
    link: str
    language: str
    items: tuple[FeedItem, ...]
    notes: tuple[str, ...] = ()  # how the document was read leniently, if it was


# What feedparser resolves against the document's address: xml:base, and the address
# attributes of HTML (its RelativeURIResolver's list), written plainly or escaped.
_RELATIVE_CANDIDATES = re.compile(
    rb"xml:base|\b(?:href|src|cite|background|action|longdesc|usemap|codebase|classid|data"
    rb"|profile|poster)\s*=",
    re.IGNORECASE,
)
# An RSS <item> or an Atom <entry>, unprefixed, from its start tag to its end tag.
_RAW_ITEM = re.compile(rb"<(item|entry)(?:\s[^>]*)?>.*?</\1\s*>", re.DOTALL)
# Markup that could hide or fake an item's tags: then the document is not split.
_OPAQUE = re.compile(rb"<!\[CDATA\[|<!--|<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_ITEM_TAG = re.compile(rb"</?(?:item|entry)[\s>/]")


@dataclass(frozen=True)
class RawItems:
    """The items of an XML feed as they are written, each with the hash of its bytes.

    A re-fetched feed whose items were all seen before (only its build date changed)
    needs no parsing at all; one with a few new items needs only those parsed
    (:meth:`without`). Split only where that is certain: no CDATA section, comment or
    document type that could hold an item's tags, and every item tag inside a match.
    """

    data: bytes
    spans: tuple[tuple[int, int], ...]
    hashes: tuple[str, ...]

    @classmethod
    def of(cls, data: bytes) -> RawItems | None:
        if data[:1] in (b"{", b"[") or _OPAQUE.search(data):
            return None
        spans = tuple(match.span() for match in _RAW_ITEM.finditer(data))
        # Every item tag of the document must open or close one of the spans (no nested
        # items, no prefixed or stray ones).
        if not spans or len(_ITEM_TAG.findall(data)) != 2 * len(spans):
            return None
        hashes = tuple(hashlib.sha256(data[a:b]).hexdigest() for a, b in spans)
        return cls(data, spans, hashes)

    def without(self, skipped: set[int]) -> bytes:
        """The document without the items numbered in ``skipped``."""
        parts, position = [], 0
        for number, (start, end) in enumerate(self.spans):
            if number in skipped:
                parts.append(self.data[position:start])
                position = end
        parts.append(self.data[position:])
        return b"".join(parts)


def raw_items(data: bytes) -> RawItems | None:
    """:meth:`RawItems.of`: the document's items as written, or None where not certain."""
    return RawItems.of(data)


def parse_feed(
    data: bytes, *, url: str, content_type: str = "", headers: Mapping[str, str] | None = None
) -> Feed:
    """The feed in ``data``, fetched from ``url``; :class:`FeedRejected` if unreadable."""
    if _looks_like_json(data, content_type):
        return _json_feed(data, url)
    try:
        check = check_xml(data)
    except UnsafeXml as error:
        raise FeedRejected("unsafe_xml", error.message) from None
    response_headers = {key.lower(): value for key, value in (headers or {}).items()}
    # Relative addresses in the items' HTML are resolved against the document's address
    # (and xml:base) only where the document has an address attribute or an xml:base:
    # otherwise there is none to resolve, and feedparser would still work out the base of
    # every element and re-read every fragment's HTML, half its time on a feed of plain
    # items. The items' and the feed's own links are resolved against ``url`` here anyway.
    relative = _may_hold_relative_addresses(data)
    if relative:
        response_headers["content-location"] = url
    if content_type:
        response_headers["content-type"] = content_type
    # A stream, never a string: feedparser takes a string for a file name or an address.
    # Its own sanitizer is off: every fragment kept is sanitized here (``_html``, ``_text``)
    # with the core's, which is stricter and costs a fifth of feedparser's.
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers=response_headers,
        resolve_relative_uris=relative,
        sanitize_html=False,
    )
    notes = [] if check.well_formed else [check.problem]
    if result.get("bozo") and result.get("bozo_exception") is not None:
        notes.append(_bozo_note(result["bozo_exception"]))
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    version = result.get("version", "")
    if not version and not entries:
        reason = "; ".join(note for note in notes if note) or "no feed elements found"
        raise FeedRejected("not_a_feed", f"This is not an RSS or Atom feed ({reason}).")
    base = _http(feed.get("link", ""), url) or url
    language = str(feed.get("language", "") or "")
    items = tuple(_feed_item(entry, base=url, feed_language=language) for entry in entries)
    return Feed(
        format=version or "unknown",
        title=_text(feed.get("title", ""), feed.get("title_detail")),
        link=base,
        language=language,
        items=items,
        notes=tuple(dict.fromkeys(note for note in notes if note)),
    )


def _may_hold_relative_addresses(data: bytes) -> bool:
    """False only where certain: an ASCII-compatible document (its markup readable as
    bytes) with no xml:base and no address attribute, written plainly or escaped."""
    head = data[:4]
    if head.startswith((b"\xfe\xff", b"\xff\xfe")) or b"\x00" in head:
        return True  # UTF-16 or UTF-32: the attributes' names are not these bytes
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"<":
        return True  # another encoding (EBCDIC), or not XML at all
    return _RELATIVE_CANDIDATES.search(data) is not None


# --- feedparser's entries ------------------------------------------------------------------


def _bozo_note(error: BaseException) -> str:
    name = type(error).__name__
    message = str(error).strip()
    if name == "CharacterEncodingOverride":
        return f"encoding declared wrongly, read as the server said: {message}"
    if name == "CharacterEncodingUnknown":
        return f"encoding unknown, guessed: {message}"
    if name == "NonXMLContentType":
        return f"served with a content type that is not XML: {message}"
    return f"read leniently ({name}: {message})" if message else f"read leniently ({name})"


def _when(parsed: Any) -> dt.datetime | None:
    """feedparser's UTC struct_time as an aware datetime (None if absent or impossible)."""
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: Any, detail: Any) -> str:
    """A title as plain text, whether the feed wrote it as text or HTML."""
    text = str(value or "")
    kind = str((detail or {}).get("type", "")) if isinstance(detail, Mapping) else ""
    if kind in HTML_TYPES or "<" in text:
        text = plain_text(sanitize_html(text))
    return " ".join(text.split())


def _html(value: Any, kind: str) -> str:
    text = str(value or "")
    if not text.strip():
        return ""
    if kind in HTML_TYPES:
        return sanitize_html(text)
    return _text_to_html(text)


def _text_to_html(text: str) -> str:
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs if part
    )


def _http(link: Any, base: str = "") -> str:
    if not isinstance(link, str) or not link.strip():
        return ""
    absolute = urljoin(base, link.strip()) if base else link.strip()
    return absolute if urlsplit(absolute).scheme in {"http", "https"} else ""


def _updated(entry: Mapping[str, Any]) -> dt.datetime | None:
    # Read past feedparser's own lookup, which stands the published date in for a missing
    # updated one (with a deprecation warning).
    raw = dict.get(entry, "updated_parsed") if isinstance(entry, dict) else None
    return _when(raw)


def _feed_item(entry: Mapping[str, Any], *, base: str, feed_language: str) -> FeedItem:
    contents = [part for part in entry.get("content", []) if isinstance(part, Mapping)]
    content = next((part for part in contents if part.get("type") in HTML_TYPES), None)
    content = content or (contents[0] if contents else None)
    summary_detail = entry.get("summary_detail") or {}
    title_detail = entry.get("title_detail") or {}
    language = ""
    for detail in (content or {}, summary_detail, title_detail):
        if isinstance(detail, Mapping) and detail.get("language"):
            language = str(detail["language"])
            break
    categories = [
        str(tag.get("term", "")).strip()
        for tag in entry.get("tags", []) or []
        if isinstance(tag, Mapping) and str(tag.get("term", "") or "").strip()
    ]
    return FeedItem(
        guid=str(entry.get("id", "") or "").strip(),
        link=_http(entry.get("link", ""), base),
        title=_text(entry.get("title", ""), title_detail),
        summary=_html(entry.get("summary", ""), str(summary_detail.get("type", "text/html"))),
        content=_html(content.get("value", ""), str(content.get("type", ""))) if content else "",
        language=language or feed_language,
        published=_when(entry.get("published_parsed")) or _when(entry.get("created_parsed")),
        updated=_updated(entry),
        categories=tuple(dict.fromkeys(categories))[:MAX_CATEGORIES],
        author=str(entry.get("author", "") or "")[:200],
    )


# --- JSON Feed -----------------------------------------------------------------------------


def _looks_like_json(data: bytes, content_type: str) -> bool:
    if "json" in content_type.lower():
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _iso(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # the specification says RFC 3339: zoned
    return when.astimezone(dt.UTC)


def _json_feed(data: bytes, url: str) -> Feed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FeedRejected("not_a_feed", f"This is not valid JSON (UTF-8): {error}.") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedRejected("not_a_feed", "This JSON is not a JSON Feed: it has no list of items.")
    version = str(document.get("version", ""))
    notes = [] if version in JSON_FEED_VERSIONS else [f"unknown JSON Feed version {version!r}"]
    language = str(document.get("language", "") or "")
    items = []
    for raw in document["items"]:
        if not isinstance(raw, dict):
            notes.append("an item that is not an object was left out")
            continue
        authors = raw.get("authors") or ([raw["author"]] if raw.get("author") else [])
        author = next((a.get("name", "") for a in authors if isinstance(a, dict)), "")
        tags = [str(tag).strip() for tag in raw.get("tags") or [] if str(tag).strip()]
        link = raw.get("url") or raw.get("external_url") or ""
        content = (
            sanitize_html(str(raw["content_html"]))
            if raw.get("content_html")
            else _text_to_html(str(raw.get("content_text", "") or ""))
        )
        items.append(
            FeedItem(
                guid=str(raw.get("id", "") or "").strip(),
                link=_http(link, url),
                title=_text(raw.get("title", ""), None),
                summary=_text_to_html(str(raw.get("summary", "") or "")),
                content=content,
                language=str(raw.get("language", "") or "") or language,
                published=_iso(raw.get("date_published")),
                updated=_iso(raw.get("date_modified")),
                categories=tuple(dict.fromkeys(tags))[:MAX_CATEGORIES],
                author=str(author or "")[:200],
            )
        )
    return Feed(
        format="json11" if version.endswith("1.1") else "json1",
        title=_text(document.get("title", ""), None),
        link=_http(document.get("home_page_url", ""), url) or url,
        language=language,
        items=tuple(items),
        notes=tuple(dict.fromkeys(notes)),
    )
