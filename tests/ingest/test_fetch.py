"""Fetching over real HTTP from a local server: limits, politeness, retries, safety."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import time

import pytest

from infoharbor.ingest.fetch import (
    ROBOTS_CACHE_SECONDS,
    Fetcher,
    FetchError,
    FetchPolicy,
    RobotsCache,
    RobotsRules,
    address_allowed,
    retry_after_seconds,
)
from tests.ingest.server import FeedServer, Reply, http_date

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


class Sleeps:
    """A sleep that only records how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class TestConditionalRequests:
    def test_second_fetch_with_the_validators_gets_304_and_no_body(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/feed.xml", RSS)
        with Fetcher(policy) as fetcher:
            first = fetcher.fetch(feed_server.url("/feed.xml"))
            second = fetcher.fetch(
                feed_server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified
            )

        assert first.status == 200
        assert first.body == RSS
        assert first.etag
        assert first.last_modified == "Mon, 01 Dec 2025 08:00:00 GMT"
        assert second.not_modified
        assert second.body == b""
        sent = feed_server.requests_to("/feed.xml")[1].headers
        assert sent["if-none-match"] == first.etag
        assert sent["if-modified-since"] == first.last_modified

    def test_a_changed_document_comes_back_whole(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/feed.xml", RSS)
        with Fetcher(policy) as fetcher:
            first = fetcher.fetch(feed_server.url("/feed.xml"))
            feed_server.serve_file("/feed.xml", RSS.replace(b"<title>T", b"<title>U"))
            second = fetcher.fetch(feed_server.url("/feed.xml"), etag=first.etag)

        assert second.status == 200
        assert b"<title>U" in second.body
        assert second.etag != first.etag


class TestHeadersAndEncodings:
    def test_sends_a_clear_user_agent(self, feed_server: FeedServer, policy: FetchPolicy) -> None:
        feed_server.serve_file("/feed.xml", RSS)
        with Fetcher(policy) as fetcher:
            fetcher.fetch(feed_server.url("/feed.xml"))

        agent = feed_server.requests_to("/feed.xml")[0].headers["user-agent"]
        assert agent == "InformationHarbor/test (+http://testserver)"

    @pytest.mark.parametrize("encoding", ["gzip", "br"])
    def test_compressed_bodies_are_decompressed(
        self, feed_server: FeedServer, policy: FetchPolicy, encoding: str
    ) -> None:
        feed_server.serve_file("/feed.xml", RSS * 50, encoding=encoding)
        with Fetcher(policy) as fetcher:
            result = fetcher.fetch(feed_server.url("/feed.xml"))

        assert result.body == RSS * 50
        offered = feed_server.requests_to("/feed.xml")[0].headers["accept-encoding"]
        assert "gzip" in offered
        assert "br" in offered


class TestSizeLimit:
    SIZE = 200 * 1024 * 1024
    LIMIT = 1024 * 1024

    def fetch(self, server: FeedServer, policy: FetchPolicy, path: str) -> FetchError:
        started = time.monotonic()
        with (
            Fetcher(dataclasses.replace(policy, max_bytes=self.LIMIT)) as fetcher,
            pytest.raises(FetchError) as refused,
        ):
            fetcher.fetch(server.url(path))
        assert time.monotonic() - started < 10
        return refused.value

    def test_a_200_mb_response_that_says_so_is_refused_before_reading(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/huge.xml"] = Reply(200, stream_bytes=self.SIZE)

        error = self.fetch(feed_server, policy, "/huge.xml")

        assert error.code == "too_large"
        assert "1,048,576 bytes" in error.message
        assert feed_server.streamed < 20 * self.LIMIT  # what the socket buffers took, at most

    def test_a_200_mb_response_of_unknown_length_is_cut_at_the_limit(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/huge.xml"] = Reply(
            200, headers={"Transfer-Encoding": "chunked"}, stream_bytes=self.SIZE
        )

        error = self.fetch(feed_server, policy, "/huge.xml")

        assert error.code == "too_large"
        assert feed_server.streamed < 20 * self.LIMIT

    def test_a_compressed_bomb_is_cut_at_the_limit_of_the_decompressed_size(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        bomb = gzip.compress(b"<" * (50 * self.LIMIT))  # 50 MB in about 50 kB
        feed_server.routes["/bomb.xml"] = Reply(200, bomb, {"Content-Encoding": "gzip"})

        error = self.fetch(feed_server, policy, "/bomb.xml")

        assert error.code == "too_large"
        assert len(bomb) < self.LIMIT


class TestAddressSafety:
    @pytest.mark.parametrize(
        "address",
        [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",  # the cloud metadata service
            "fe80::1",
            "fc00::1",
            "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
            "100.64.0.1",  # carrier-grade NAT
            "224.0.0.1",
            "::ffff:127.0.0.1",  # IPv4-mapped loopback
            "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        ],
    )
    def test_non_public_addresses_are_refused(self, address: str) -> None:
        assert not address_allowed(address)

    @pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "203.113.1.1"])
    def test_public_addresses_are_allowed(self, address: str) -> None:
        assert address_allowed(address)

    def test_an_allow_listed_network_is_reachable(self) -> None:
        import ipaddress

        assert address_allowed("10.1.2.3", [ipaddress.ip_network("10.1.0.0/16")])
        assert not address_allowed("10.2.0.1", [ipaddress.ip_network("10.1.0.0/16")])

    def test_a_private_address_is_refused_without_connecting(self, policy: FetchPolicy) -> None:
        with (
            Fetcher(dataclasses.replace(policy, allowed_networks=())) as fetcher,
            pytest.raises(FetchError) as refused,
        ):
            fetcher.fetch("http://10.255.255.1/feed.xml")

        assert refused.value.code == "refused_address"
        assert "10.255.255.1" in refused.value.message

    def test_a_name_that_resolves_to_loopback_is_refused(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/feed.xml", RSS)
        with (
            Fetcher(dataclasses.replace(policy, allowed_networks=())) as fetcher,
            pytest.raises(FetchError) as refused,
        ):
            fetcher.fetch(feed_server.url("/feed.xml", host="localhost"))

        assert refused.value.code == "refused_address"
        assert "localhost" in refused.value.message
        assert feed_server.log == []  # not even robots.txt was asked for

    def test_a_redirect_to_loopback_is_refused_when_loopback_is_not_allowed(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        import ipaddress

        # Only this server's own address is allowed; the redirect goes elsewhere on loopback.
        only_server = (ipaddress.ip_network("127.0.0.1/32"),)
        target = f"http://127.0.0.2:{feed_server.port}/feed.xml"
        feed_server.routes["/go"] = Reply(302, headers={"Location": target})
        with (
            Fetcher(dataclasses.replace(policy, allowed_networks=only_server)) as fetcher,
            pytest.raises(FetchError) as refused,
        ):
            fetcher.fetch(feed_server.url("/go"))

        assert refused.value.code == "refused_address"
        assert "127.0.0.2" in refused.value.message

    @pytest.mark.parametrize(
        "location",
        ["http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://10.0.0.7/"],
    )
    def test_redirects_to_private_addresses_are_refused(
        self, feed_server: FeedServer, policy: FetchPolicy, location: str
    ) -> None:
        import ipaddress

        only_server = (ipaddress.ip_network("127.0.0.1/32"),)
        feed_server.routes["/go"] = Reply(301, headers={"Location": location})
        with (
            Fetcher(dataclasses.replace(policy, allowed_networks=only_server)) as fetcher,
            pytest.raises(FetchError) as refused,
        ):
            fetcher.fetch(feed_server.url("/go"))

        assert refused.value.code == "refused_address"

    @pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "feed.xml"])
    def test_other_schemes_are_refused(self, policy: FetchPolicy, url: str) -> None:
        with Fetcher(policy) as fetcher, pytest.raises(FetchError) as refused:
            fetcher.fetch(url)

        assert refused.value.code == "bad_url"


class TestRedirects:
    def test_redirects_are_followed_and_a_permanent_move_is_reported(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/new.xml", RSS)
        feed_server.routes["/old.xml"] = Reply(301, headers={"Location": "/new.xml"})

        with Fetcher(policy) as fetcher:
            result = fetcher.fetch(feed_server.url("/old.xml"))

        assert result.body == RSS
        assert result.url == feed_server.url("/new.xml")
        assert result.moved_to == feed_server.url("/new.xml")

    def test_a_temporary_redirect_is_not_a_move(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/new.xml", RSS)
        feed_server.routes["/old.xml"] = Reply(302, headers={"Location": "/new.xml"})

        with Fetcher(policy) as fetcher:
            result = fetcher.fetch(feed_server.url("/old.xml"))

        assert result.moved_to is None

    def test_a_redirect_loop_stops_at_the_limit(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/a"] = Reply(302, headers={"Location": "/b"})
        feed_server.routes["/b"] = Reply(302, headers={"Location": "/a"})

        with (
            Fetcher(dataclasses.replace(policy, max_redirects=3)) as fetcher,
            pytest.raises(FetchError) as looped,
        ):
            fetcher.fetch(feed_server.url("/a"))

        assert looped.value.code == "too_many_redirects"
        assert len(feed_server.requests_to("/a")) + len(feed_server.requests_to("/b")) == 4


class TestRobotsCache:
    def test_rules_expire_after_a_day(self) -> None:
        now = [1000.0]
        cache = RobotsCache(clock=lambda: now[0])
        rules = RobotsRules.from_text("User-agent: *\nDisallow: /x\n")
        cache.put("https://example.org", rules)

        now[0] += ROBOTS_CACHE_SECONDS - 1
        assert cache.get("https://example.org") is rules
        now[0] += 1
        assert cache.get("https://example.org") is None

    def test_rules_that_could_not_be_read_are_not_kept(self) -> None:
        cache = RobotsCache()
        cache.put("https://example.org", RobotsRules.disallow_all("it could not be read"))

        assert cache.get("https://example.org") is None


class TestRobots:
    def test_a_path_robots_txt_disallows_is_not_fetched(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(
            200, b"User-agent: InformationHarbor\nDisallow: /private/\n"
        )
        feed_server.serve_file("/private/feed.xml", RSS)
        feed_server.serve_file("/public/feed.xml", RSS)

        with Fetcher(policy) as fetcher:
            with pytest.raises(FetchError) as refused:
                fetcher.fetch(feed_server.url("/private/feed.xml"))
            allowed = fetcher.fetch(feed_server.url("/public/feed.xml"))

        assert refused.value.code == "robots"
        assert feed_server.requests_to("/private/feed.xml") == []
        assert allowed.body == RSS
        assert len(feed_server.requests_to("/robots.txt")) == 1  # read once per run

    def test_rules_for_everyone_apply_to_the_harbor_too(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /\n")
        feed_server.serve_file("/feed.xml", RSS)

        with Fetcher(policy) as fetcher, pytest.raises(FetchError) as refused:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert refused.value.code == "robots"

    def test_a_missing_robots_txt_allows_everything(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        del feed_server.routes["/robots.txt"]  # 404
        feed_server.serve_file("/feed.xml", RSS)

        with Fetcher(policy) as fetcher:
            assert fetcher.fetch(feed_server.url("/feed.xml")).body == RSS

    def test_an_unreadable_robots_txt_forbids_everything_for_now(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(503, b"down")
        feed_server.serve_file("/feed.xml", RSS)

        with Fetcher(policy) as fetcher, pytest.raises(FetchError) as refused:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert refused.value.code == "robots"
        assert "could not be read" in refused.value.message
        assert feed_server.requests_to("/feed.xml") == []

    def test_rules_read_once_serve_the_next_runs_of_the_process(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
        feed_server.serve_file("/feed.xml", RSS)
        feed_server.serve_file("/private/feed.xml", RSS)

        for _run in range(3):
            with Fetcher(policy) as fetcher:
                fetcher.fetch(feed_server.url("/feed.xml"))
                with pytest.raises(FetchError):
                    fetcher.fetch(feed_server.url("/private/feed.xml"))

        assert len(feed_server.requests_to("/robots.txt")) == 1
        assert len(feed_server.requests_to("/feed.xml")) == 3
        assert feed_server.requests_to("/private/feed.xml") == []

    def test_an_unreadable_robots_txt_is_asked_for_again_by_the_next_run(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(503, b"down")
        feed_server.serve_file("/feed.xml", RSS)
        with Fetcher(policy) as fetcher, pytest.raises(FetchError):
            fetcher.fetch(feed_server.url("/feed.xml"))

        feed_server.routes["/robots.txt"] = Reply(200, b"")
        with Fetcher(policy) as fetcher:
            assert fetcher.fetch(feed_server.url("/feed.xml")).body == RSS

        assert len(feed_server.requests_to("/robots.txt")) == 2

    def test_crawl_delay_spaces_requests_to_the_host(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nCrawl-delay: 7\n")
        feed_server.serve_file("/a.xml", RSS)
        feed_server.serve_file("/b.xml", RSS)
        sleeps = Sleeps()

        with Fetcher(policy, sleep=sleeps) as fetcher:
            fetcher.fetch(feed_server.url("/a.xml"))
            fetcher.fetch(feed_server.url("/b.xml"))

        # robots.txt, then a.xml and b.xml each waited for the crawl delay
        assert len(sleeps.waits) == 2
        assert all(6 < wait <= 7 for wait in sleeps.waits)


class TestPoliteness:
    def test_requests_to_one_host_are_spaced_by_the_delay(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/a.xml", RSS)
        feed_server.serve_file("/b.xml", RSS)

        started = time.monotonic()
        with Fetcher(dataclasses.replace(policy, host_delay=0.3)) as fetcher:
            fetcher.fetch(feed_server.url("/a.xml"))
            fetcher.fetch(feed_server.url("/b.xml"))

        # robots.txt, a.xml, b.xml: two waits of the delay, for real
        assert time.monotonic() - started >= 0.6

    def test_other_hosts_do_not_wait_for_each_other(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.serve_file("/a.xml", RSS)
        sleeps = Sleeps()

        with Fetcher(dataclasses.replace(policy, host_delay=30), sleep=sleeps) as fetcher:
            fetcher.fetch(feed_server.url("/a.xml", host="127.0.0.1"))
            fetcher.fetch(feed_server.url("/a.xml", host="localhost"))

        # 127.0.0.1: robots.txt then a.xml (one wait); localhost: the same, its own wait
        assert len(sleeps.waits) == 2


class TestRetries:
    def test_retry_after_in_seconds_is_honoured(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/feed.xml"] = [
            Reply(429, b"slow down", {"Retry-After": "3"}),
            Reply(503, b"busy", {"Retry-After": "1"}),
            Reply(200, RSS),
        ]
        sleeps = Sleeps()

        with Fetcher(policy, sleep=sleeps) as fetcher:
            result = fetcher.fetch(feed_server.url("/feed.xml"))

        assert result.body == RSS
        assert result.requests == 3
        assert sleeps.waits == [3.0, 1.0]

    def test_retry_after_is_honoured_for_real(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/feed.xml"] = [Reply(503, b"", {"Retry-After": "1"}), Reply(200, RSS)]

        started = time.monotonic()
        with Fetcher(policy) as fetcher:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert time.monotonic() - started >= 1.0

    def test_retry_after_as_a_date(self, feed_server: FeedServer, policy: FetchPolicy) -> None:
        now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
        later = http_date(now.timestamp() + 20)
        feed_server.routes["/feed.xml"] = [Reply(503, b"", {"Retry-After": later}), Reply(200, RSS)]
        sleeps = Sleeps()

        with Fetcher(policy, sleep=sleeps, now=lambda: now) as fetcher:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert sleeps.waits == [20.0]

    def test_without_retry_after_the_backoff_doubles(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/feed.xml"] = [Reply(500), Reply(502), Reply(200, RSS)]
        sleeps = Sleeps()

        with Fetcher(dataclasses.replace(policy, backoff=1.0), sleep=sleeps) as fetcher:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert sleeps.waits == [1.0, 2.0]

    def test_gives_up_after_the_retries_with_the_last_status(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        feed_server.routes["/feed.xml"] = Reply(503)

        with Fetcher(policy, sleep=Sleeps()) as fetcher, pytest.raises(FetchError) as failed:
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert failed.value.code == "http_status"
        assert failed.value.status == 503
        assert len(feed_server.requests_to("/feed.xml")) == 3  # one try and two retries

    def test_a_long_retry_after_is_not_waited_for_but_remembered(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
        feed_server.routes["/feed.xml"] = Reply(429, b"", {"Retry-After": "3600"})
        sleeps = Sleeps()

        with (
            Fetcher(policy, sleep=sleeps, now=lambda: now) as fetcher,
            pytest.raises(FetchError) as later,
        ):
            fetcher.fetch(feed_server.url("/feed.xml"))

        assert later.value.code == "retry_later"
        assert later.value.retry_at == now + dt.timedelta(hours=1)
        assert sleeps.waits == []
        assert len(feed_server.requests_to("/feed.xml")) == 1

    def test_client_errors_are_not_retried(
        self, feed_server: FeedServer, policy: FetchPolicy
    ) -> None:
        with Fetcher(policy, sleep=Sleeps()) as fetcher, pytest.raises(FetchError) as failed:
            fetcher.fetch(feed_server.url("/missing.xml"))

        assert failed.value.status == 404
        assert len(feed_server.requests_to("/missing.xml")) == 1

    def test_a_server_that_does_not_answer_times_out(self, policy: FetchPolicy) -> None:
        import socket

        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # accepts connections, never answers
        try:
            url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"
            quick = dataclasses.replace(policy, read_timeout=0.3, retries=1)
            with Fetcher(quick, sleep=Sleeps()) as fetcher, pytest.raises(FetchError) as failed:
                fetcher.fetch(url)
        finally:
            silent.close()

        # robots.txt times out first: the harbor does not fetch what it could not check
        assert failed.value.code == "robots"
        assert "did not answer in time" in failed.value.message or "timed out" in (
            failed.value.message
        )


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), ("", None), ("soon", None), (None, None)],
)
def test_retry_after_values(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, dt.datetime.now(dt.UTC)) == seconds
