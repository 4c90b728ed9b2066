"""Fetching a source over HTTP, politely and safely. Plain Python: no Django here.

One :class:`Fetcher` serves a whole harvest run. For each URL it

- refuses addresses that are not public (loopback, private, link-local, multicast,
  reserved...) unless the policy allow-lists them. The check is made on the address each
  TCP connection actually goes to, after DNS and for every redirect, so neither a name that
  resolves to 127.0.0.1 nor a redirect to the cloud metadata address gets through;
- asks the host's robots.txt first (RFC 9309: a missing one allows everything, one that
  cannot be read forbids everything for now) and takes its ``Crawl-delay`` into account.
  Rules that were read are kept for the process for :data:`ROBOTS_CACHE_SECONDS` (24 hours,
  RFC 9309's limit), so a worker polling a host's sources every few minutes asks for its
  robots.txt once a day, not once per harvest; "could not be read" is kept for one run only;
- waits its turn per host (the politeness delay);
- sends a clear User-Agent and conditional headers (``If-None-Match``, ``If-Modified-Since``);
- follows at most ``max_redirects`` redirects itself, so each hop is checked the same way;
- reads at most ``max_bytes`` of the decompressed body (gzip, deflate and brotli), stopping
  at the limit rather than downloading the rest;
- retries 429, 5xx, timeouts and dropped connections with exponential backoff, or after the
  time the server's ``Retry-After`` asks for; a server that asks for longer than
  ``max_retry_wait`` gets left alone until then (:attr:`FetchError.retry_at`).

Every failure is a :class:`FetchError` with a stable ``code`` and a message for operators.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from infoharbor.core.outbound import (
    AddressRefused,
    GuardedBackend,
    GuardedTransport,
    Network,
    Unresolvable,
    address_allowed,
)

__all__ = ["AddressRefused", "Network", "Unresolvable", "address_allowed"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# RFC 9309 section 2.5: crawlers must parse at least the first 500 KiB of a robots.txt.
ROBOTS_MAX_BYTES = 500 * 1024
ROBOTS_MAX_REDIRECTS = 5
# RFC 9309 section 2.4: a cached robots.txt should not be used for more than 24 hours.
ROBOTS_CACHE_SECONDS = 24 * 3600.0
# A Crawl-delay longer than this is taken as this: one source must not stall a whole run.
MAX_CRAWL_DELAY = 60.0


class FetchError(Exception):
    """A fetch that did not give a body. ``code`` is stable; ``message`` is for people.

    Codes: ``bad_url``, ``refused_address``, ``dns``, ``robots``, ``too_large``,
    ``too_many_redirects``, ``http_status``, ``timeout``, ``network``, ``retry_later``
    (the server asked to wait until ``retry_at``), ``decoding``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        retry_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_at = retry_at


@dataclass(frozen=True)
class FetchPolicy:
    """How the harbor fetches: the operator's settings as plain values."""

    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    host_delay: float = 2.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    allowed_networks: tuple[Network, ...] = ()

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against ("InformationHarbor")."""
        return self.user_agent.split("/")[0].split()[0] if self.user_agent.strip() else "*"


@dataclass(frozen=True)
class FetchResult:
    """A body (status 2xx) or the news that nothing changed (304)."""

    url: str  # after redirects: the base for the document's relative links
    status: int
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    moved_to: str | None  # where every redirect on the way was permanent: the new address
    requests: int
    truncated: bool = False  # the body is the first max_bytes of a larger one (truncate=True)
    declared_size: int | None = None  # Content-Length as the server gave it

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- Which addresses may be reached: the guard shared with webhooks (infoharbor.core.outbound)

_GuardedBackend = GuardedBackend
_GuardedTransport = GuardedTransport


# --- Helpers -------------------------------------------------------------------------------------


def checked_url(url: str) -> str:
    """``url`` if it is an absolute http(s) address with a host; else a ``bad_url`` error."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise FetchError("bad_url", f"{url!r} is not a valid address: {error}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise FetchError("bad_url", f"{url!r} is not an http or https address with a host.")
    return str(parsed)


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _size(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    requests: int
    truncated: bool = False


class RobotsRules:
    """The robots.txt rules of one origin (RFC 9309), or "forbid everything" and why."""

    def __init__(self, parser: urllib.robotparser.RobotFileParser, problem: str = "") -> None:
        self.parser = parser
        self.problem = problem  # why everything is forbidden, when robots.txt was unreadable

    @classmethod
    def allow_all(cls) -> RobotsRules:
        return cls.from_text("")

    @classmethod
    def disallow_all(cls, problem: str) -> RobotsRules:
        return cls(cls.from_text("User-agent: *\nDisallow: /").parser, problem)

    @classmethod
    def from_text(cls, text: str) -> RobotsRules:
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        return cls(parser)


class RobotsCache:
    """robots.txt rules per origin, shared by the fetchers of a process (thread-safe).

    Only rules that were read (or a 4xx: "no rules") are kept; a robots.txt that could not
    be read forbids everything for the run that met it and is asked for again by the next.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, RobotsRules]] = {}

    def get(self, origin: str) -> RobotsRules | None:
        with self._lock:
            kept = self._rules.get(origin)
            if kept is None:
                return None
            if self._clock() - kept[0] >= ROBOTS_CACHE_SECONDS:
                del self._rules[origin]
                return None
            return kept[1]

    def put(self, origin: str, robots: RobotsRules) -> None:
        if robots.problem:
            return
        with self._lock:
            self._rules[origin] = (self._clock(), robots)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


ROBOTS = RobotsCache()


# --- The fetcher -------------------------------------------------------------------------------


class Fetcher:
    """Fetches URLs under one :class:`FetchPolicy`; keeps per-host state for one run."""

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._client = httpx.Client(
            transport=_GuardedTransport(policy.allowed_networks),
            timeout=httpx.Timeout(
                connect=policy.connect_timeout,
                read=policy.read_timeout,
                write=policy.read_timeout,
                pool=policy.connect_timeout,
            ),
            headers={"User-Agent": policy.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        self._last_request: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}
        self._robots: dict[str, RobotsRules] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: str = "*/*",
        truncate: bool = False,
    ) -> FetchResult:
        """GET ``url``: its body, or 304 when the validators still match.

        A body larger than ``max_bytes`` is a ``too_large`` error, unless ``truncate``:
        then its first ``max_bytes`` are returned, marked ``truncated``, and the rest is
        never read (enough to describe a large data file from its start).
        """
        current = checked_url(url)
        headers: dict[str, str] = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        redirects = requests = 0
        permanent = True
        while True:
            self._check_robots(current)
            answer = self._get(current, headers, limit=self.policy.max_bytes, truncate=truncate)
            requests += answer.requests
            if answer.status not in REDIRECT_STATUSES:
                break
            location = answer.headers.get("location", "").strip()
            if not location:
                raise FetchError(
                    "http_status",
                    f"{current} answered {answer.status} without saying where to go.",
                    status=answer.status,
                )
            redirects += 1
            if redirects > self.policy.max_redirects:
                raise FetchError(
                    "too_many_redirects",
                    f"More than {self.policy.max_redirects} redirects from {url}.",
                )
            permanent = permanent and answer.status in PERMANENT_REDIRECTS
            current = checked_url(urljoin(current, location))
        return FetchResult(
            url=current,
            status=answer.status,
            body=answer.body,
            content_type=answer.headers.get("content-type", ""),
            etag=answer.headers.get("etag", ""),
            last_modified=answer.headers.get("last-modified", ""),
            moved_to=current if redirects and permanent else None,
            requests=requests,
            truncated=answer.truncated,
            declared_size=_size(answer.headers.get("content-length", "")),
        )

    # One request, with retries. Redirects and 304 are answers, not errors.

    def _get(
        self,
        url: str,
        headers: dict[str, str],
        *,
        limit: int,
        retry: bool = True,
        truncate: bool = False,
    ) -> _Answer:
        host = _host(url)
        attempts = self.policy.retries + 1 if retry else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            self._wait_turn(host)
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES:
                        asked = retry_after_seconds(
                            response.headers.get("retry-after"), self._now()
                        )
                        failure = FetchError(
                            "http_status",
                            f"{url} answered {status} {response.reason_phrase}.",
                            status=status,
                        )
                    elif 200 <= status < 300:
                        body, cut = self._read(response, url, limit, truncate=truncate)
                        return _Answer(status, response.headers, body, attempt + 1, cut)
                    elif status == 304 or status in REDIRECT_STATUSES:
                        return _Answer(status, response.headers, b"", attempt + 1)
                    else:
                        raise FetchError(
                            "http_status",
                            f"{url} answered {status} {response.reason_phrase}.",
                            status=status,
                        )
            except AddressRefused as error:
                shown = ", ".join(error.addresses) or "no address"
                raise FetchError(
                    "refused_address",
                    f"{error.host} resolves to {shown}, which is not a public address; the "
                    "harbor does not fetch from it unless an operator allows it "
                    "(INFOHARBOR_INGEST_ALLOWED_NETWORKS).",
                ) from None
            except Unresolvable as error:
                raise FetchError(
                    "dns", f"The name {error.host} could not be resolved ({error.reason})."
                ) from None
            except httpx.TimeoutException:
                asked = None
                failure = FetchError("timeout", f"{url} did not answer in time.")
            except httpx.DecodingError as error:
                raise FetchError(
                    "decoding", f"The response of {url} could not be decompressed: {error}"
                ) from None
            except httpx.TransportError as error:
                asked = None
                failure = FetchError("network", f"Connection to {url} failed: {error}")
            if asked is not None and asked > self.policy.max_retry_wait:
                retry_at = self._now() + dt.timedelta(seconds=asked)
                raise FetchError(
                    "retry_later",
                    f"{url} answered {failure.status} and asks to wait until "
                    f"{retry_at:%Y-%m-%d %H:%M:%S} UTC.",
                    status=failure.status,
                    retry_at=retry_at,
                )
            if last:
                raise failure
            self._sleep(asked if asked is not None else self.policy.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(
        self, response: httpx.Response, url: str, limit: int, *, truncate: bool = False
    ) -> tuple[bytes, bool]:
        declared = response.headers.get("content-length", "")
        too_large = FetchError(
            "too_large",
            f"The response of {url} is larger than the limit of {limit:,} bytes "
            "(INFOHARBOR_INGEST_MAX_BYTES); the harbor stopped reading there.",
        )
        if declared.isdigit() and int(declared) > limit and not truncate:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                if not truncate:
                    raise too_large
                chunks.append(chunk[: len(chunk) - (size - limit)])
                return b"".join(chunks), True
            chunks.append(chunk)
        return b"".join(chunks), False

    def _wait_turn(self, host: str) -> None:
        delay = max(self.policy.host_delay, self._crawl_delay.get(host, 0.0))
        previous = self._last_request.get(host)
        if previous is not None:
            remaining = previous + delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[host] = self._clock()

    # robots.txt

    def _check_robots(self, url: str) -> None:
        origin = _origin(url)
        robots = self._robots.get(origin)
        if robots is None:
            robots = ROBOTS.get(origin)
            if robots is None:
                robots = self._load_robots(origin)
                ROBOTS.put(origin, robots)
            self._robots[origin] = robots
            delay = robots.parser.crawl_delay(self.policy.robots_agent)
            if delay is not None:
                self._crawl_delay[_host(url)] = min(float(delay), MAX_CRAWL_DELAY)
        if not robots.parser.can_fetch(self.policy.robots_agent, url):
            reason = robots.problem or "its rules do not allow the harbor to fetch this address"
            raise FetchError("robots", f"robots.txt of {origin}: {reason} ({url}).")

    def _load_robots(self, origin: str) -> RobotsRules:
        url = f"{origin}/robots.txt"
        for _hop in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                answer = self._get_robots(url)
            except FetchError as error:
                if error.code in {"refused_address", "dns"}:
                    raise
                if error.status is not None and 400 <= error.status < 500:
                    return RobotsRules.allow_all()  # "unavailable": no rules
                return RobotsRules.disallow_all(f"it could not be read ({error.message})")
            if answer.status in REDIRECT_STATUSES:
                location = answer.headers.get("location", "").strip()
                if not location:
                    break
                url = urljoin(url, location)
                continue
            if 200 <= answer.status < 300:
                return RobotsRules.from_text(answer.body.decode("utf-8", errors="replace"))
            break
        return RobotsRules.allow_all()

    def _get_robots(self, url: str) -> _Answer:
        url = checked_url(url)
        host = _host(url)
        self._wait_turn(host)
        try:
            with self._client.stream("GET", url) as response:
                if 200 <= response.status_code < 300:
                    # Only the first ROBOTS_MAX_BYTES count; the rest is not read.
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        chunks.append(chunk)
                        size += len(chunk)
                        if size >= ROBOTS_MAX_BYTES:
                            break
                    body = b"".join(chunks)[:ROBOTS_MAX_BYTES]
                    return _Answer(response.status_code, response.headers, body, 1)
                if response.status_code in REDIRECT_STATUSES:
                    return _Answer(response.status_code, response.headers, b"", 1)
                raise FetchError(
                    "http_status",
                    f"{response.status_code} {response.reason_phrase}",
                    status=response.status_code,
                )
        except AddressRefused as error:
            raise FetchError(
                "refused_address",
                f"{error.host} resolves to {', '.join(error.addresses)}, not a public address.",
            ) from None
        except Unresolvable as error:
            raise FetchError("dns", f"{error.host}: {error.reason}") from None
        except httpx.HTTPError as error:
            raise FetchError("network", str(error) or type(error).__name__) from None
