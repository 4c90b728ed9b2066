"""Sitemaps read into the pages they list (plain Python, no Django).

What a pages source's address may give, all as sitemaps.org defines them:

- an XML ``urlset``: the pages, each with its ``lastmod``, and Google News' extension
  (``news:title``, ``news:publication_date``, ``news:language``, ``news:keywords``);
- an XML ``sitemapindex``: the sitemaps to read in turn;
- a text file with one address per line;
- any of these compressed with gzip (``sitemap.xml.gz``), unpacked to at most
  :data:`MAX_UNZIPPED_BYTES` (the protocol's own limit is 50 MB), so a gzip bomb stops there.

XML goes through :func:`infoharbor.ingest.xmlcheck.check_xml` first (entity declarations
refused, nothing fetched) and is then parsed by defusedxml.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from infoharbor.ingest import catalogues
from infoharbor.ingest.xmlcheck import UnsafeXml, check_xml

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_URLS = 50_000  # per sitemap, as the protocol says
MAX_KEYWORDS = 8
SITEMAP_TYPES = "application/xml, text/xml, application/gzip, text/plain;q=0.8, */*;q=0.5"


class SitemapRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Listed:
    """A page (or, in an index, a sitemap) as a sitemap lists it."""

    url: str
    lastmod: dt.datetime | None = None
    title: str = ""
    published: dt.datetime | None = None
    language: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sitemap:
    kind: str  # urlset, index or text
    entries: tuple[Listed, ...]
    notes: tuple[str, ...] = ()


def gunzip(data: bytes, limit: int = MAX_UNZIPPED_BYTES) -> bytes:
    """Unpack gzip ``data``, never to more than ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise SitemapRejected("not_a_sitemap", f"The gzip file is damaged: {error}.") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise SitemapRejected(
            "too_large",
            f"The gzip sitemap unpacks to more than {limit:,} bytes, more than a sitemap may "
            "hold; refused.",
        )
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str:
    child = _child(element, name) if element is not None else None
    return " ".join((child.text or "").split()) if child is not None else ""


def _listed(element: Element) -> Listed | None:
    url = catalogues.http_url(_text(element, "loc"))
    if not url:
        return None
    news = _child(element, "news")
    publication = _child(news, "publication") if news is not None else None
    keywords = _text(news, "keywords")
    return Listed(
        url=url,
        lastmod=catalogues.timestamp(_text(element, "lastmod")),
        title=catalogues.short(_text(news, "title"), 300),
        published=catalogues.timestamp(_text(news, "publication_date")),
        language=_text(publication, "language")[:16],
        keywords=tuple(k.strip() for k in keywords.split(",") if k.strip())[:MAX_KEYWORDS],
    )


def _xml(data: bytes) -> Sitemap:
    try:
        check = check_xml(data)
    except UnsafeXml as error:
        raise SitemapRejected("unsafe_xml", error.message) from None
    if not check.well_formed:
        raise SitemapRejected("not_a_sitemap", f"The sitemap is {check.problem}.")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise SitemapRejected("not_a_sitemap", f"The sitemap could not be read: {error}.") from None
    kind = _local(root.tag)
    if kind not in {"urlset", "sitemapindex"}:
        raise SitemapRejected(
            "not_a_sitemap",
            f"This XML document is a <{kind}>, not a sitemap (<urlset> or <sitemapindex>).",
        )
    wanted = "url" if kind == "urlset" else "sitemap"
    entries: list[Listed] = []
    notes: list[str] = []
    for element in root:
        if _local(element.tag) != wanted:
            continue
        if len(entries) >= MAX_URLS:
            notes.append(f"More than {MAX_URLS:,} addresses; the rest were left out.")
            break
        listed = _listed(element)
        if listed is not None:
            entries.append(listed)
    return Sitemap("urlset" if kind == "urlset" else "index", tuple(entries), tuple(notes))


def _lines(text: str) -> Sitemap:
    entries: list[Listed] = []
    notes: list[str] = []
    for line in text.splitlines():
        url = catalogues.http_url(line.strip())
        if not url:
            continue
        if len(entries) >= MAX_URLS:
            notes.append(f"More than {MAX_URLS:,} addresses; the rest were left out.")
            break
        entries.append(Listed(url))
    return Sitemap("text", tuple(entries), tuple(notes))


def parse_sitemap(data: bytes) -> Sitemap:
    """The sitemap in ``data``; :class:`SitemapRejected` if it is none."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise SitemapRejected(
            "not_a_sitemap",
            "This address gives a web page, not a sitemap: give the site's sitemap (often "
            "/sitemap.xml or /news-sitemap.xml, listed in its robots.txt) or a text file "
            "with one article address per line.",
        )
    if head.startswith(b"<"):
        return _xml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SitemapRejected(
            "not_a_sitemap", "A text sitemap must be UTF-8, one address per line."
        ) from None
    sitemap = _lines(text)
    if not sitemap.entries:
        raise SitemapRejected("not_a_sitemap", "The document lists no http(s) address.")
    return sitemap


def same_site(url: str, home: str) -> bool:
    """Whether ``url`` is on the site of ``home`` (the same host, "www." aside): a sitemap
    lists only its own site's pages, so the harbor fetches no others for it."""

    def host(address: str) -> str:
        name = (urlsplit(address).hostname or "").lower()
        return name.removeprefix("www.")

    return bool(host(url)) and host(url) == host(home)
