"""A real HTTP server on 127.0.0.1 for the ingestion tests (threaded http.server).

Routes map a path to a :class:`Reply`, a list of replies given in turn (the last one
repeats), or a function of the request. Files are served with an ETag and a Last-Modified
date and answer conditional requests with 304, as a well-behaved feed server does. Every
request is logged, so tests can see what the harbor sent.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream_bytes: int = 0  # > 0: send this many bytes of filler instead of body


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The harbor hangs up on purpose (a body over the limit): nothing to report.
        return


Route = Reply | list[Reply] | Callable[[Seen], Reply]


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Seen] = []
        self.streamed = 0  # bytes of filler actually sent by stream replies
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                seen = Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.log.append(seen)
                reply = server._reply(seen)
                self.send_response(reply.status)
                body = reply.body
                chunked = reply.headers.get("Transfer-Encoding") == "chunked"
                headers = dict(reply.headers)
                if not chunked:
                    headers.setdefault("Content-Length", str(reply.stream_bytes or len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.stream_bytes:
                    self._stream(reply.stream_bytes, chunked)
                else:
                    self.wfile.write(body)

            def _stream(self, total: int, chunked: bool) -> None:
                chunk = b"<!-- filler -->" * 4096
                sent = 0
                try:
                    while sent < total:
                        part = chunk[: total - sent]
                        if chunked:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        else:
                            self.wfile.write(part)
                        sent += len(part)
                        with server._lock:
                            server.streamed += len(part)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.httpd = _QuietServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = host
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.log if seen.path == path]

    def _reply(self, seen: Seen) -> Reply:
        path = seen.path.split("?", 1)[0]
        route = self.routes.get(seen.path) or self.routes.get(path)
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if isinstance(route, Reply):
            return route
        if isinstance(route, list):
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        return route(seen)

    def serve_file(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml; charset=utf-8",
        *,
        encoding: str | None = None,
        last_modified: str = "Mon, 01 Dec 2025 08:00:00 GMT",
    ) -> None:
        """Serve ``body`` at ``path`` with validators, answering conditional requests."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def reply(seen: Seen) -> Reply:
            headers = {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}
            if seen.headers.get("if-none-match") == etag or (
                "if-none-match" not in seen.headers
                and seen.headers.get("if-modified-since") == last_modified
            ):
                return Reply(304, b"", headers)
            data = body
            if encoding == "gzip":
                data = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            elif encoding == "br":
                data = brotli.compress(body)
                headers["Content-Encoding"] = "br"
            return Reply(200, data, headers)

        self.routes[path] = reply


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)
