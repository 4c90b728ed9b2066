"""Article pages and news sitemaps: sitemaps read within bounds, pages' full text extracted,
and whole harvests over HTTP from a local server."""

from __future__ import annotations

import gzip
import re
import zlib
from typing import Any

import pytest

from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest
from infoharbor.ingest.choices import Outcome, PageOutcome
from infoharbor.ingest.models import IngestedItem, PageVisit, Source, SourceState
from infoharbor.ingest.pages import extract_article
from infoharbor.ingest.sitemaps import SitemapRejected, gunzip, parse_sitemap, same_site
from tests.ingest.conftest import FIXTURES, Harbor, fixture_bytes
from tests.ingest.feeds_test_data import UNSAFE
from tests.ingest.server import Reply

PAGES = FIXTURES / "pages"
HTML = "text/html; charset=utf-8"
XML = "application/xml"
ARTICLES = {
    "th": "th-border-market.html",
    "zh": "zh-trade-fair.html",
    "vi": "vi-rice-export.html",
    "en": "en-port-upgrade.html",
}
BOILERPLATE = re.compile(
    r"ขอให้เปิด|期待明年|hữu ích|Great news|Cookies|ลิขสิทธิ์|版权所有|Bản quyền|Copyright"
    r"|ประกาศจัดซื้อ|政务公开|Văn bản pháp luật|Tenders"
)


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def urlset(*entries: tuple[str, str], news: dict[str, dict[str, str]] | None = None) -> bytes:
    """A sitemap of (address, lastmod) pairs, with Google News data for some addresses."""
    parts = []
    for loc, lastmod in entries:
        extra = ""
        if news and loc in news:
            item = news[loc]
            extra = (
                "<news:news><news:publication><news:name>Ministry</news:name>"
                f"<news:language>{item.get('language', 'en')}</news:language></news:publication>"
                f"<news:publication_date>{item['date']}</news:publication_date>"
                f"<news:title>{item['title']}</news:title>"
                f"<news:keywords>{item.get('keywords', '')}</news:keywords></news:news>"
            )
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        parts.append(f"<url><loc>{loc}</loc>{modified}{extra}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(parts)
        + "</urlset>"
    ).encode()


def index(*locations: str) -> bytes:
    inner = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locations)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{inner}</sitemapindex>'
    ).encode()


class TestSitemaps:
    def test_a_news_sitemap(self) -> None:
        data = urlset(
            ("https://moc.example.go.th/news/1", "2025-11-03T09:00:00+07:00"),
            ("https://moc.example.go.th/news/2", ""),
            news={
                "https://moc.example.go.th/news/1": {
                    "date": "2025-11-03T08:00:00+07:00",
                    "title": "ตลาดการค้าชายแดน",
                    "language": "th",
                    "keywords": "การค้า, ชายแดน",
                }
            },
        )

        sitemap = parse_sitemap(data)

        assert sitemap.kind == "urlset"
        first, second = sitemap.entries
        assert first.title == "ตลาดการค้าชายแดน"
        assert first.language == "th"
        assert first.keywords == ("การค้า", "ชายแดน")
        assert first.published is not None
        assert first.published.hour == 1  # in UTC
        assert first.lastmod is not None
        assert (second.lastmod, second.title) == (None, "")

    def test_an_index_a_text_list_and_gzip(self) -> None:
        assert parse_sitemap(index("https://a.example/s1.xml")).kind == "index"
        text = parse_sitemap(b"https://a.example/1\n\nnot an address\nhttps://a.example/2\n")
        assert [e.url for e in text.entries] == ["https://a.example/1", "https://a.example/2"]
        packed = gzip.compress(urlset(("https://a.example/1", "")))
        assert [e.url for e in parse_sitemap(packed).entries] == ["https://a.example/1"]

    def test_a_gzip_bomb_stops_at_the_limit(self) -> None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        bomb = compressor.compress(b" " * 20_000_000) + compressor.flush()

        with pytest.raises(SitemapRejected) as refused:
            gunzip(bomb, limit=1_000_000)

        assert refused.value.code == "too_large"

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"<!DOCTYPE html><html><body>Home</body></html>", "not_a_sitemap"),
            (b"<rss version='2.0'><channel/></rss>", "not_a_sitemap"),
            (b"<urlset><url><loc>https://a.example/", "not_a_sitemap"),
            (fixture_bytes("xee.atom"), "unsafe_xml"),
            (
                b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                b"<urlset><url><loc>&b;</loc></url></urlset>",
                "unsafe_xml",
            ),
            (b"\n\n", "not_a_sitemap"),
        ],
    )
    def test_what_is_no_sitemap_is_refused(self, data: bytes, code: str) -> None:
        with pytest.raises(SitemapRejected) as refused:
            parse_sitemap(data)

        assert refused.value.code == code

    def test_same_site(self) -> None:
        assert same_site("https://www.moc.go.th/a", "https://moc.go.th/sitemap.xml")
        assert not same_site("https://evil.example/a", "https://moc.go.th/sitemap.xml")


class TestExtraction:
    @pytest.mark.parametrize(
        ("lang", "declared", "title", "sentence"),
        [
            ("th", "th", "กระทรวงพาณิชย์เปิดตลาดการค้าชายแดนแห่งใหม่ที่หนองคาย", "จังหวัดมุกดาหารและนครพนม"),
            ("zh", "zh-CN", "第二十二届中国—东盟博览会在南宁开幕", "中国—东盟自由贸易区3.0版建设"),
            ("vi", "vi", "Xuất khẩu gạo mười tháng đạt 7,5 triệu tấn", "đa dạng hóa thị trường"),
            ("en", "en", "Cambodia completes the first phase of the Sihanoukville port upgrade",
             "rail link to Phnom Penh"),
        ],
    )  # fmt: skip
    def test_the_article_and_nothing_around_it(
        self, lang: str, declared: str, title: str, sentence: str
    ) -> None:
        article = extract_article(page(ARTICLES[lang]), url="https://site.example/a")

        assert article.title == title
        assert article.language == declared
        assert sentence in article.html
        assert article.html.startswith("<p>")  # the title is not repeated as a heading
        assert not BOILERPLATE.search(article.html)
        assert not UNSAFE.search(article.html)
        assert article.published is not None

    def test_the_date_is_the_articles_own_in_utc(self) -> None:
        article = extract_article(page(ARTICLES["th"]), url="https://site.example/a")

        assert article.published is not None
        assert article.published.isoformat() == "2025-11-03T02:00:00+00:00"

    def test_a_page_in_a_legacy_encoding(self) -> None:
        html = page(ARTICLES["zh"]).decode().replace('charset="utf-8"', 'charset="gb18030"')
        html = html.replace('<meta charset="utf-8">', '<meta charset="gb18030">')

        article = extract_article(html.encode("gb18030"), url="https://site.example/a")

        assert article.title == "第二十二届中国—东盟博览会在南宁开幕"

    def test_a_page_without_an_article(self) -> None:
        from infoharbor.ingest.pages import PageRejected

        with pytest.raises(PageRejected):
            extract_article(
                b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                url="https://a.example/",
            )


# --- Over HTTP --------------------------------------------------------------------------------


def serve_articles(harbor: Harbor) -> dict[str, str]:
    urls = {}
    for lang, name in ARTICLES.items():
        path = f"/news/{name.removesuffix('.html')}"
        harbor.server.serve_file(path, page(name), HTML)
        urls[lang] = harbor.server.url(path)
    return urls


def pages_source(harbor: Harbor, path: str = "/sitemap.xml", **overrides: Any) -> Source:
    return harbor.source(path, kind="pages", language="en", **overrides)


def entries_of(source: Source) -> dict[str, Entry]:
    found = Entry.objects.filter(ingested__source=source).select_related("ingested")
    return {entry.source_url.rsplit("/", 1)[-1]: entry for entry in found}


def counts() -> tuple[int, int, int]:
    return Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count()


@pytest.mark.django_db
class TestHarvest:
    def test_every_page_of_the_sitemap_becomes_a_news_entry(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        harbor.server.serve_file(
            "/sitemap.xml",
            urlset(
                *[(url, "2025-11-06") for url in urls.values()],
                news={urls["th"]: {"date": "2025-11-03T09:00:00+07:00", "title": "ตลาดใหม่ที่หนองคาย",
                                   "language": "th", "keywords": "การค้าชายแดน"}},
            ),
            XML,
        )  # fmt: skip
        source = pages_source(harbor, sectors=["trade-ecommerce"])

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        assert attempt.items_new == 4
        found = entries_of(source)
        thai = found["th-border-market"]
        assert thai.title == "ตลาดใหม่ที่หนองคาย"  # the news sitemap's title first
        assert thai.language_id == "th"
        assert thai.kind == "information.news"
        assert "จังหวัดมุกดาหาร" in thai.body_html
        assert list(thai.tags.values_list("slug", flat=True)) == ["การค้าชายแดน"]
        assert found["zh-trade-fair"].language_id == "zh-Hans"
        assert found["vi-rice-export"].language_id == "vi"
        assert found["en-port-upgrade"].published_at.isoformat() == "2025-10-20T02:00:00+00:00"
        for entry in found.values():
            assert not BOILERPLATE.search(entry.body_html)
            assert not UNSAFE.search(entry.body_html)
        assert PageVisit.objects.filter(source=source, outcome=PageOutcome.STORED).count() == 4

    def test_pages_are_fetched_politely(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        harbor.server.routes["/robots.txt"] = Reply(
            200, b"User-agent: *\nDisallow: /news/zh-\n", {"Content-Type": "text/plain"}
        )
        harbor.server.serve_file("/sitemap.xml", urlset(*[(u, "") for u in urls.values()]), XML)
        source = pages_source(harbor)

        [attempt] = harvest.harvest([source])

        assert (attempt.items_new, attempt.items_failed) == (3, 1)
        assert "robots.txt" in attempt.notes
        assert not harbor.server.requests_to("/news/zh-trade-fair")
        agents = {seen.headers["user-agent"] for seen in harbor.server.log}
        assert agents == {"InformationHarbor/test (+http://testserver)"}

    def test_a_page_that_fails_is_recorded_and_the_others_go_on(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        harbor.server.routes["/news/broken"] = Reply(500, b"oops")
        harbor.server.routes["/news/empty"] = Reply(
            200, b"<html><body></body></html>", {"Content-Type": HTML}
        )
        listed = [harbor.server.url("/news/broken"), harbor.server.url("/news/empty"), urls["en"]]
        harbor.server.serve_file("/sitemap.xml", urlset(*[(u, "") for u in listed]), XML)
        source = pages_source(harbor)

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.items_new, attempt.items_failed) == (Outcome.FETCHED, 1, 2)
        assert "/news/broken: " in attempt.notes
        assert "No article text" in attempt.notes
        failed = PageVisit.objects.get(source=source, url__endswith="/news/broken")
        assert (failed.outcome, failed.failures) == (PageOutcome.FAILED, 1)

    def test_stored_pages_are_not_fetched_again_unless_their_lastmod_is_newer(
        self, harbor: Harbor
    ) -> None:
        urls = serve_articles(harbor)
        listed = [(url, "2025-11-06T00:00:00Z") for url in urls.values()]
        # No validators: the sitemap is read again each time, its pages are not.
        harbor.server.routes["/sitemap.xml"] = Reply(200, urlset(*listed), {"Content-Type": XML})
        source = pages_source(harbor)
        harvest.harvest([source])
        fetched = len(harbor.server.requests_to("/news/en-port-upgrade"))
        before = counts()

        [again] = harvest.harvest([source])

        assert (again.items_new, again.items_unchanged) == (0, 4)
        assert len(harbor.server.requests_to("/news/en-port-upgrade")) == fetched
        assert counts() == before

        changed = page(ARTICLES["en"]).replace(b"next year", b"in March")
        harbor.server.serve_file("/news/en-port-upgrade", changed, HTML)
        listed[3] = (urls["en"], "2025-11-07T00:00:00Z")
        harbor.server.routes["/sitemap.xml"] = Reply(200, urlset(*listed), {"Content-Type": XML})
        [later] = harvest.harvest([source])

        assert (later.items_updated, later.items_unchanged) == (1, 3)
        assert "in March" in entries_of(source)["en-port-upgrade"].body_html

    def test_an_unchanged_sitemap_costs_one_conditional_request(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        harbor.server.serve_file("/sitemap.xml", urlset(*[(u, "") for u in urls.values()]), XML)
        source = pages_source(harbor)
        harvest.harvest([source])
        requests = len(harbor.server.log)

        [again] = harvest.harvest([source])

        assert again.outcome == Outcome.NOT_MODIFIED
        # The sitemap, answered 304 (robots.txt was read by the first run); no page.
        assert [seen.path for seen in harbor.server.log[requests:]] == ["/sitemap.xml"]
        assert harbor.server.requests_to("/sitemap.xml")[-1].headers.get("if-none-match")

    def test_a_nested_gzip_index_with_a_loop_and_another_site(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        server = harbor.server
        # index -> (a.xml.gz -> th, zh), (b.xml -> index again, c.xml), (elsewhere)
        server.serve_file(
            "/sitemap.xml",
            index(server.url("/a.xml.gz"), server.url("/b.xml"), "https://elsewhere.example/s.xml"),
            XML,
        )
        server.serve_file(
            "/a.xml.gz",
            gzip.compress(urlset((urls["th"], ""), (urls["zh"], ""))),
            "application/gzip",
        )
        server.serve_file("/b.xml", index(server.url("/sitemap.xml"), server.url("/c.xml")), XML)
        server.serve_file("/c.xml", index(server.url("/d.xml")), XML)  # the fourth level
        server.serve_file("/d.xml", urlset((urls["vi"], "")), XML)
        source = pages_source(harbor)

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        assert set(entries_of(source)) == {"th-border-market", "zh-trade-fair"}
        assert len(server.requests_to("/sitemap.xml")) == 1  # the loop is read once
        assert "listed twice" in attempt.notes
        assert "deeper than 3 levels" in attempt.notes
        assert "another site" in attempt.notes
        assert not server.requests_to("/d.xml")

    def test_pages_another_source_brought_are_not_fetched(self, harbor: Harbor) -> None:
        urls = serve_articles(harbor)
        harbor.server.serve_file("/a.xml", urlset((urls["en"], "")), XML)
        harbor.server.serve_file("/b.xml", urlset((urls["en"], ""), (urls["vi"], "")), XML)
        first = pages_source(harbor, "/a.xml")
        second = pages_source(harbor, "/b.xml")
        harvest.harvest([first])
        fetched = len(harbor.server.requests_to("/news/en-port-upgrade"))

        [attempt] = harvest.harvest([second])

        assert (attempt.items_new, attempt.items_duplicate) == (1, 1)
        assert len(harbor.server.requests_to("/news/en-port-upgrade")) == fetched

    def test_a_long_sitemap_is_read_a_bounded_number_of_pages_at_a_time(
        self, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_MAX_PAGES = 2
        urls = serve_articles(harbor)
        dated = [
            (urls["th"], "2025-11-03"),
            (urls["zh"], "2025-09-17"),
            (urls["vi"], "2025-11-05"),
            (urls["en"], "2025-10-20"),
        ]
        harbor.server.serve_file("/sitemap.xml", urlset(*dated), XML)
        source = pages_source(harbor)

        first = harvest.harvest([source])[0]
        state = SourceState.objects.get(source=source)
        assert first.items_new == 2
        assert set(entries_of(source)) == {"vi-rice-export", "th-border-market"}  # newest first
        assert state.cursor["complete"] is False
        second = harvest.harvest([source])[0]

        # The sitemap was asked for again in full (not conditionally): pages were left.
        assert "if-none-match" not in harbor.server.requests_to("/sitemap.xml")[-1].headers
        assert (second.items_new, second.items_unchanged) == (2, 2)
        assert SourceState.objects.get(source=source).cursor["complete"] is True
        assert Entry.objects.count() == 4

    def test_a_web_page_instead_of_a_sitemap_fails_with_advice(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/", page(ARTICLES["en"]), HTML)
        source = pages_source(harbor, "/")

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, "not_a_sitemap")
        assert "sitemap.xml" in attempt.error


def article_page(n: int) -> bytes:
    body = (
        f"The customs department reports the figures of week {n} for the border checkpoints "
        "of the northern provinces, where trade grew again after the rainy season. "
    ) * 4
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Border trade, week {n}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Border trade, week {n}</h1>"
        f"<p>{body}</p><p>{body}</p></article><footer>Copyright</footer></body></html>"
    ).encode()


@pytest.mark.slow_subprocess
def test_a_pages_harvest_killed_half_way_resumes_without_losing_or_doubling(
    tmp_path: Any, feed_server: Any
) -> None:
    from tests.ingest.test_command import Harbour

    total = 60
    urls = []
    for n in range(total):
        path = f"/articles/{n}"
        feed_server.serve_file(path, article_page(n), HTML)
        urls.append((feed_server.url(path), f"2025-11-{n % 28 + 1:02d}"))
    feed_server.serve_file("/sitemap.xml", urlset(*urls), XML)
    harbour = Harbour(tmp_path, feed_server)
    harbour.run("migrate", "--verbosity", "0")
    harbour.run(
        "shell", "-c",
        "from infoharbor.core import audit\n"
        "from infoharbor.core.models import Language, Organization\n"
        "from infoharbor.core.permissions import Actor\n"
        "from infoharbor.ingest import services\n"
        "org = Organization.objects.create(slug='p', name='P', kind='media', country_id='TH')\n"
        "services.create_source(actor=Actor(is_operator=True), origin=audit.Origin(via='test'),"
        " organization=org, data=services.SourceData(name='Pages', kind='pages',"
        f" url={feed_server.url('/sitemap.xml')!r}, country=org.country,"
        " language=Language.objects.get(code='en')))\n",
    )  # fmt: skip

    harbour.kill_ingest_when(lambda: harbour.count("ingest_ingesteditem") >= 15)
    stored = harbour.count("ingest_ingesteditem")
    assert 15 <= stored < total
    assert harbour.count("core_entry") == stored

    output = harbour.run("ingest", "--no-progress")

    assert harbour.count("core_entry") == total
    assert harbour.count("(SELECT DISTINCT canonical_url FROM ingest_ingesteditem)") == total
    assert harbour.count("ingest_pagevisit", "outcome = 'stored'") == total
    assert f"{total - stored} new" in output
    # Once more: the sitemap answers 304 and no page is fetched.
    before = len(feed_server.log)
    assert "not modified" in harbour.run("ingest", "--all", "--no-progress")
    assert [seen.path for seen in feed_server.log[before:]] == ["/robots.txt", "/sitemap.xml"]
