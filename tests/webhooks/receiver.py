"""A real webhook receiver on 127.0.0.1 (threaded http.server) that checks every request's
signature with the verification example of docs/user/webhooks.md, keeps what it accepted
by event id, and answers as a test tells it to (a status, a delay, a huge or slow body)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "user" / "webhooks.md"


def documented_verify() -> Callable[..., bool]:
    """The ``verify`` function of the user documentation, run as it is written there."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- verify-example.*?-->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/user/webhooks.md lost its verification example"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify"]  # type: ignore[no-any-return]


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0  # before answering
    drip: float = 0.0  # > 0: send the body a byte at a time, this many seconds apart
    headers: dict[str, str] = field(default_factory=dict)
    declared_length: int | None = None


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def event_id(self) -> str:
        return self.headers["x-harbor-event-id"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # the harbor hangs up on purpose (a body over its limit, a timeout)


class Receiver:
    def __init__(self, secret: str = "", port: int = 0) -> None:
        self.secret = secret
        self.secrets: dict[str, str] = {}  # path -> secret, for several endpoints
        self.answers: list[Answer] = []  # given in turn; the last one repeats
        self.received: list[Received] = []
        self.accepted: dict[str, int] = {}  # event id -> times it was accepted (2xx)
        self.on_request: Callable[[Received], None] | None = None
        self._lock = threading.Lock()
        self._verify = documented_verify()
        self._port = port
        self._server: _Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _answer(self) -> Answer:
        with self._lock:
            if not self.answers:
                return Answer()
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                secret = receiver.secrets.get(self.path, receiver.secret)
                verified = receiver._verify(secret, headers.get("x-harbor-signature", ""), body)
                seen = Received(self.path, headers, body, verified)
                with receiver._lock:
                    receiver.received.append(seen)
                if receiver.on_request is not None:
                    receiver.on_request(seen)
                answer = receiver._answer()
                if answer.delay:
                    time.sleep(answer.delay)
                if 200 <= answer.status < 300 and verified:
                    with receiver._lock:
                        key = seen.event_id
                        receiver.accepted[key] = receiver.accepted.get(key, 0) + 1
                status = answer.status if verified else 401
                self.send_response(status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                length_sent = (
                    answer.declared_length
                    if answer.declared_length is not None
                    else len(answer.body)
                )
                self.send_header("Content-Length", str(length_sent))
                self.end_headers()
                try:
                    if answer.drip:
                        for byte in answer.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(answer.drip)
                    else:
                        self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = _Server(("127.0.0.1", self._port), Handler)
        self._port = self.port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
