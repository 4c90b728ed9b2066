"""Sending many webhook requests at once: a small HTTP/1.1 client on asyncio. No Django.

Why not httpx: one worker must fan an entry out to 10,000 endpoints in a few seconds, and
httpx spends about half a millisecond of CPU per request (1.5 ms with its async client)
where this spends a few tens of microseconds; see docs/benchmarks.md. It does only what
webhooks need:

- POST with a body, HTTP/1.1, at most ``concurrency`` requests in flight, connections kept
  alive and reused per origin (scheme, host, port);
- every connection is made to an address resolved here and checked with
  :func:`infoharbor.core.outbound.address_allowed` (plain http only to allow-listed
  networks), so a name that rebinds to 127.0.0.1 after the endpoint was saved is refused;
- one time bound per request, from connecting to the end of the response;
- the response body is read up to ``read_limit`` bytes, never more (a huge or endless body
  costs nothing; its connection is closed rather than drained);
- redirects are not followed: a 3xx is an answer like any other non-2xx.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from infoharbor.core import outbound

READ_LIMIT = 4096
HEADER_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Request:
    key: int
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class Outcome:
    key: int
    status: int | None = None
    error: str = ""
    code: str = ""  # refused_address, dns, timeout, network, bad_response, bad_url
    excerpt: bytes = b""
    retry_after: float | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Failed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    used: int = 0

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def target_of(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Failed("bad_url", f"{url!r} is not a valid address: {error}") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Failed("bad_url", f"{url!r} is not an http or https address with a host.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(
        parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path
    )


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The system's trusted certificates, read once per process (reading them costs 50 ms)."""
    return ssl.create_default_context()


class Sender:
    """Sends a batch of requests; one instance per batch (its pool lives in one event loop)."""

    def __init__(
        self,
        *,
        allowed: tuple[outbound.Network, ...],
        concurrency: int = 64,
        timeout: float = 10.0,
        read_limit: int = READ_LIMIT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.allowed = allowed
        self.concurrency = concurrency
        self.timeout = timeout
        self.read_limit = read_limit
        self._ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._addresses: dict[tuple[str, int], list[str]] = {}

    @property
    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = default_ssl_context()
        return self._ssl_context

    def send_all(self, requests: Iterable[Request]) -> list[Outcome]:
        return asyncio.run(self._send_all(list(requests)))

    async def _send_all(self, requests: list[Request]) -> list[Outcome]:
        # ``concurrency`` lanes, each taking the next request when its last one is done:
        # cheaper than a task per request behind a semaphore (10,000 requests: a third of
        # the CPU), and the same bound.
        waiting = collections.deque(requests)
        outcomes: list[Outcome] = []

        async def lane() -> None:
            while waiting:
                outcomes.append(await self._one(waiting.popleft()))

        try:
            await asyncio.gather(*(lane() for _ in range(min(self.concurrency, len(requests)))))
        finally:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            self._idle.clear()
        return outcomes

    async def _one(self, request: Request) -> Outcome:
        started = time.monotonic()
        outcome = Outcome(request.key)
        try:
            async with asyncio.timeout(self.timeout):
                await self._exchange(request, outcome)
        except TimeoutError:
            outcome.status, outcome.code = None, "timeout"
            outcome.error = f"No complete answer within {self.timeout:g} seconds."
        except Failed as failure:
            outcome.status, outcome.code, outcome.error = None, failure.code, failure.message
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            outcome.status, outcome.code = None, "network"
            outcome.error = f"Connection failed: {error or type(error).__name__}"
        outcome.duration = time.monotonic() - started
        return outcome

    async def _exchange(self, request: Request, outcome: Outcome) -> None:
        target = target_of(request.url)
        message = self._message(target, request)
        idle = self._idle.get(target.origin)
        connection = idle.pop() if idle else None
        if connection is not None:
            try:
                reusable = await self._request(connection, message, outcome)
            except (OSError, asyncio.IncompleteReadError) as error:
                # A kept-alive connection the server closed meanwhile: once more on a fresh
                # one (the event id is the same, so a receiver that did get it can tell).
                connection.close()
                if outcome.status is not None or not isinstance(
                    error, ConnectionError | asyncio.IncompleteReadError
                ):
                    raise
                connection = None
            except BaseException:  # a timeout, a malformed answer: the connection is spent
                connection.close()
                raise
            else:
                self._done(target, connection, reusable)
                return
        connection = await self._connect(target)
        try:
            reusable = await self._request(connection, message, outcome)
        except BaseException:
            connection.close()
            raise
        self._done(target, connection, reusable)

    def _done(self, target: _Target, connection: _Connection, reusable: bool) -> None:
        if reusable:
            self._idle.setdefault(target.origin, []).append(connection)
        else:
            connection.close()

    @staticmethod
    def _message(target: _Target, request: Request) -> bytes:
        lines = [
            f"POST {target.path} HTTP/1.1",
            f"Host: {target.host_header}",
            f"Content-Length: {len(request.body)}",
            *(f"{name}: {value}" for name, value in request.headers),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body

    async def _addresses_of(self, host: str, port: int) -> list[str]:
        known = self._addresses.get((host, port))
        if known is None:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=1)  # socket.SOCK_STREAM
            except (OSError, UnicodeError) as error:
                raise Failed("dns", f"The name {host} could not be resolved ({error}).") from None
            known = list(dict.fromkeys(str(info[4][0]) for info in infos))
            self._addresses[(host, port)] = known
        return known

    async def _connect(self, target: _Target) -> _Connection:
        addresses = await self._addresses_of(target.host, target.port)
        try:
            usable = outbound.usable_addresses(target.host, addresses, self.allowed)
        except outbound.AddressRefused:
            raise Failed(
                "refused_address",
                f"{target.host} resolves to {', '.join(addresses) or 'no address'}, which is "
                "not a public address (INFOHARBOR_WEBHOOK_ALLOWED_NETWORKS).",
            ) from None
        if target.scheme == "http":
            usable = [a for a in usable if outbound.address_listed(a, self.allowed)]
            if not usable:
                raise Failed(
                    "refused_address",
                    "Plain http is only used for allow-listed networks; use https.",
                )
        failure: OSError | None = None
        for address in usable:
            try:
                if target.scheme == "https":
                    reader, writer = await asyncio.open_connection(
                        address, target.port, ssl=self.ssl_context,
                        server_hostname=target.host, limit=HEADER_LIMIT,
                    )  # fmt: skip
                else:
                    reader, writer = await asyncio.open_connection(
                        address, target.port, limit=HEADER_LIMIT
                    )
                return _Connection(reader, writer)
            except OSError as error:
                failure = error
        assert failure is not None  # noqa: S101 - usable is not empty
        raise failure

    async def _request(self, connection: _Connection, message: bytes, outcome: Outcome) -> bool:
        """Send ``message`` and read the answer into ``outcome``; whether the connection
        may be used again."""
        connection.writer.write(message)
        await connection.writer.drain()
        connection.used += 1
        while True:
            head = await connection.reader.readuntil(b"\r\n\r\n")
            status, headers = _parse_head(head)
            if status >= 200:
                break  # a 1xx (100 Continue, 103 Early Hints) is followed by the answer
        outcome.status = status
        retry_after = headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            outcome.retry_after = float(retry_after)
        body, complete = await self._body(connection.reader, headers)
        outcome.excerpt = body
        keep = "close" not in headers.get("connection", "").lower()
        return complete and keep

    async def _body(
        self, reader: asyncio.StreamReader, headers: dict[str, str]
    ) -> tuple[bytes, bool]:
        """Up to read_limit bytes of the body, and whether all of it was read."""
        limit = self.read_limit
        if "chunked" in headers.get("transfer-encoding", "").lower():
            data = bytearray()
            while True:
                size_line = await reader.readuntil(b"\r\n")
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise Failed(
                        "bad_response", "The response's chunked body is malformed."
                    ) from None
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers
                    return bytes(data), True
                if len(data) + size > limit:
                    data += await reader.readexactly(max(0, limit - len(data)))
                    return bytes(data[:limit]), False
                data += await reader.readexactly(size)
                await reader.readexactly(2)
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                raise Failed("bad_response", "The response's Content-Length is malformed.")
            size = int(length)
            if size > limit:
                return await reader.readexactly(limit), False
            return await reader.readexactly(size), True
        # No length: the body runs to the end of the connection; read the start of it only.
        return await reader.read(limit), False


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise Failed("bad_response", f"Not an HTTP/1.1 answer: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _sep, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return int(parts[1]), headers
