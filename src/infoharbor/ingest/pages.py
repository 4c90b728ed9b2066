"""Article pages: a sitemap's pages fetched one by one, their full text extracted, each
becoming an entry as a feed item does.

A harvest of a pages source

1. reads the source's sitemap (an index is followed :data:`MAX_DEPTH` levels deep, at most
   :data:`MAX_SITEMAPS` sitemaps, each once, so sitemaps that list each other end there);
   only pages and sitemaps of the source's own site are taken;
2. leaves out the pages already stored whose ``lastmod`` in the sitemap is not newer than
   when they were stored, those another source brought already, and those that failed
   :data:`GIVE_UP_AFTER` times in a row (until their ``lastmod`` moves);
3. fetches the rest, newest first, through the same fetcher as every feed (robots.txt, the
   per-host delay, the address checks), at most ``INGEST_MAX_PAGES`` of them within the
   time budget; the others wait for the next run, which is due at once;
4. extracts each page's title, date, language and main text with trafilatura (navigation,
   headers, footers, comments and scripts left out), sanitizes the HTML with the core's
   sanitizer, and stores it through :meth:`Run.ingest`, on its own. A page that fails
   is recorded with its reason, and the others go on.

Each sitemap's validators (ETag, Last-Modified) are kept only once every page it listed was
handled, so an unchanged sitemap costs a 304 and nothing else.
:func:`extract_article` is plain Python.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import trafilatura
from trafilatura.htmlprocessing import build_html_output
from trafilatura.settings import Document

from infoharbor.core.richtext import plain_text, render
from infoharbor.ingest import catalogues, identity
from infoharbor.ingest.feeds import FeedItem
from infoharbor.ingest.sitemaps import (
    SITEMAP_TYPES,
    Listed,
    SitemapRejected,
    parse_sitemap,
    same_site,
)

if TYPE_CHECKING:
    from infoharbor.ingest.runs import Run

MAX_DEPTH = 3  # an index, its sitemaps, and one more level
MAX_SITEMAPS = 50
GIVE_UP_AFTER = 3
HTML_TYPES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_CATEGORIES = 8
# Characters of text (spaces aside) below which a page holds no article: when the page has
# none, the extractor falls back to what is left, such as a menu.
MIN_TEXT = 40
_HEADING = re.compile(r"^\s*<h([1-3])[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)


class PageRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Article:
    title: str
    html: str  # sanitized
    description: str
    language: str  # as the page declares it (<html lang>, Content-Language), or ""
    published: dt.datetime | None
    categories: tuple[str, ...] = ()


def _declared_language(tree: Any) -> str:
    language = str(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    if not language:
        for meta in tree.iterfind(".//meta"):
            name = str(meta.get("http-equiv") or meta.get("property") or "").lower()
            if name in {"content-language", "og:locale"}:
                language = str(meta.get("content") or "")
                break
    return language.strip().replace("_", "-")[:16]


def extract_article(data: bytes, *, url: str) -> Article:
    """The article in the page ``data`` (fetched from ``url``); :class:`PageRejected` when
    the page holds no article text."""
    tree = trafilatura.load_html(data)  # detects the encoding as browsers do
    if tree is None:
        raise PageRejected("not_a_page", "The page could not be read as HTML.")
    language = _declared_language(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_images=False,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    text = "".join(str(document.text or "").split()) if isinstance(document, Document) else ""
    if not isinstance(document, Document) or len(text) < MIN_TEXT:
        raise PageRejected("no_text", "No article text was found on the page.")
    title = " ".join(str(document.title or "").split())
    # The page's own h1 becomes an h2, as in every entry body, and is sanitized.
    html = render(build_html_output(document), "html")
    heading = _HEADING.match(html)
    if heading and " ".join(plain_text(heading.group(2)).split()) == title:
        html = html[heading.end() :]  # the title is the entry's; not twice
    return Article(
        title=title,
        html=html.strip(),
        description=" ".join(str(document.description or "").split()),
        language=language,
        published=catalogues.timestamp(document.date),
        categories=tuple(
            dict.fromkeys(
                str(c).strip()
                for c in [*(document.categories or []), *(document.tags or [])]
                if str(c).strip()
            )
        )[:MAX_CATEGORIES],
    )


def page_item(listed: Listed, article: Article) -> FeedItem:
    """A page as an item: the sitemap's news data first, then what the page says."""
    description = f"<p>{escape(article.description)}</p>" if article.description else ""
    return FeedItem(
        guid=identity.canonical_url(listed.url),
        link=listed.url,
        title=listed.title or article.title,
        summary=description,
        content=article.html,
        language=listed.language or article.language,
        published=listed.published or article.published or listed.lastmod,
        updated=listed.lastmod,
        categories=tuple(dict.fromkeys([*listed.keywords, *article.categories]))[:MAX_CATEGORIES],
    )


# --- The harvest -----------------------------------------------------------------------------


@dataclass
class _Walk:
    pages: dict[str, Listed]  # by URL key
    validators: dict[str, dict[str, Any]]  # sitemap address -> etag, last_modified, children
    kinds: list[str]
    complete: bool = True  # every sitemap read (none failed, none left out)
    changed: bool = False  # some sitemap was not "not modified"


def _walk(run: Run, stored: dict[str, dict[str, Any]]) -> _Walk:
    from infoharbor.ingest.fetch import FetchError
    from infoharbor.ingest.runs import HarvestFailed

    root = run.source.url
    walk = _Walk(pages={}, validators={}, kinds=[])
    queue: list[tuple[str, int]] = [(root, 0)]
    seen: set[str] = set()
    while queue:
        url, depth = queue.pop(0)
        key = identity.canonical_url(url)
        if key in seen:
            run.note(f"{url}: listed twice (sitemaps that list each other); read once.")
            continue
        if len(seen) >= MAX_SITEMAPS:
            run.note(f"More than {MAX_SITEMAPS} sitemaps; the others were left out.")
            walk.complete = False
            break
        seen.add(key)
        known = stored.get(url, {})
        try:
            result = run.fetch(
                url,
                etag=str(known.get("etag", "")),
                last_modified=str(known.get("last_modified", "")),
                accept=SITEMAP_TYPES,
            )
        except FetchError as error:
            if url == root:
                raise HarvestFailed.of(error) from None
            run.note(f"{url}: {error.message}")
            walk.complete = False
            continue
        children: list[str]
        if result.not_modified:
            walk.validators[url] = known
            children = list(known.get("children", []))
        else:
            try:
                sitemap = parse_sitemap(result.body)
            except SitemapRejected as error:
                if url == root:
                    raise HarvestFailed(error.code, error.message, status=result.status) from None
                run.note(f"{url}: {error.message}")
                walk.complete = False
                continue
            walk.changed = True
            for note in sitemap.notes:
                run.note(f"{url}: {note}")
            walk.kinds.append(sitemap.kind)
            children = []
            if sitemap.kind == "index":
                children = [e.url for e in sitemap.entries]
            else:
                for entry in sitemap.entries:
                    if not same_site(entry.url, root):
                        run.note(f"{entry.url}: not on the sitemap's site; left out.")
                        continue
                    page_key = identity.url_key(entry.url)
                    if page_key and page_key not in walk.pages:
                        walk.pages[page_key] = entry
            walk.validators[url] = {
                "etag": result.etag,
                "last_modified": result.last_modified,
                "children": children,
            }
        for child in children:
            if not same_site(child, root):
                run.note(f"{child}: a sitemap on another site; left out.")
            elif depth + 1 >= MAX_DEPTH:
                run.note(f"{child}: sitemaps nested deeper than {MAX_DEPTH} levels; left out.")
            else:
                queue.append((child, depth + 1))
    return walk


def _newest_first(listed: Listed) -> tuple[int, float]:
    when = listed.published or listed.lastmod
    return (0, -when.timestamp()) if when is not None else (1, 0.0)


def _todo(run: Run, pages: dict[str, Listed]) -> list[tuple[str, Listed]]:
    from infoharbor.ingest.choices import PageOutcome
    from infoharbor.ingest.items import ItemResult

    visits = run.page_visits(list(pages))
    elsewhere = run.known_elsewhere(list(pages))
    todo = []
    given_up = 0
    for key, listed in pages.items():
        visit = visits.get(key)
        newer = listed.lastmod is not None and (
            visit is None or visit.lastmod is None or listed.lastmod > visit.lastmod
        )
        if visit is not None and not newer:
            if visit.outcome == PageOutcome.STORED:
                run.tally.add(ItemResult.UNCHANGED)
                continue
            if visit.failures >= GIVE_UP_AFTER:
                given_up += 1
                continue
        if visit is None and key in elsewhere:
            run.tally.add(ItemResult.DUPLICATE)  # another source brought this page
            continue
        todo.append((key, listed))
    if given_up:
        run.note(f"{given_up} pages failed {GIVE_UP_AFTER} times and are not tried again "
                 "until the sitemap shows them changed.")  # fmt: skip
    todo.sort(key=lambda pair: _newest_first(pair[1]))
    return todo


def _fetch_pages(run: Run, todo: Sequence[tuple[str, Listed]]) -> None:
    from infoharbor.ingest.choices import PageOutcome
    from infoharbor.ingest.fetch import FetchError
    from infoharbor.ingest.items import ItemResult

    fetched = 0
    for key, listed in todo:
        if fetched >= run.max_items or (fetched and run.out_of_time()):
            run.more = True
            return
        fetched += 1
        try:
            result = run.fetch(listed.url, accept=HTML_TYPES)
            article = extract_article(result.body, url=result.url)
        except (FetchError, PageRejected) as error:
            run.tally.add(ItemResult.FAILED)
            run.note(f"{listed.url}: {error.message}")
            run.record_visit(key, listed, PageOutcome.FAILED, error.message)
            continue
        [outcome] = run.ingest([page_item(listed, article)])
        if outcome.result == ItemResult.FAILED:
            run.record_visit(key, listed, PageOutcome.FAILED, outcome.reason)
        else:
            run.record_visit(key, listed, PageOutcome.STORED, "")


def harvest_pages(run: Run) -> None:
    stored_cursor = run.state.cursor if run.state.cursor.get("kind") == "pages" else {}
    # Validators only from a harvest that handled every page: otherwise a 304 would hide
    # the pages it left for later.
    stored = dict(stored_cursor.get("sitemaps", {})) if stored_cursor.get("complete") else {}
    walk = _walk(run, stored)
    run.format = (walk.kinds[0] if walk.kinds else stored_cursor.get("format", "")) or ""
    run.not_modified = not walk.changed
    _fetch_pages(run, _todo(run, walk.pages))
    complete = walk.complete and not run.more
    run.keep_place(
        {
            "kind": "pages",
            "complete": complete,
            "format": run.format,
            "sitemaps": walk.validators if complete else {},
        }
    )
