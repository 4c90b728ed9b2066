"""The pure parts: the backoff, the signature, the wire client's parsing."""

from __future__ import annotations

import pytest

from infoharbor.webhooks import signing, wire
from infoharbor.webhooks.sending import MAX_BACKOFF, MIN_BACKOFF, retry_delay
from tests.webhooks.receiver import documented_verify


def test_backoff_is_exponential_with_full_jitter() -> None:
    highest = [retry_delay(n, base=10, uniform=lambda low, high: high) for n in range(1, 6)]
    assert highest == [10, 20, 40, 80, 160]
    lowest = [retry_delay(n, base=10, uniform=lambda low, high: low) for n in range(1, 4)]
    assert lowest == [MIN_BACKOFF] * 3
    assert retry_delay(60, base=10) <= MAX_BACKOFF
    spread = {round(retry_delay(8, base=10), 3) for _ in range(50)}
    assert len(spread) > 40  # jitter: retries of many endpoints do not come back together


def test_retry_after_is_respected_up_to_the_cap() -> None:
    assert retry_delay(1, base=10, retry_after=120, uniform=lambda a, b: b) == 120
    assert retry_delay(1, base=10, retry_after=10**9) == MAX_BACKOFF


def test_the_signature_covers_the_timestamp_and_the_body() -> None:
    body = b'{"id":"e1"}'
    header = signing.header_value("whsec_s", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=")
    verify = documented_verify()
    assert verify("whsec_s", header, body, now=1_700_000_100)
    assert signing.verify("whsec_s", header, body, now=1_700_000_100)
    assert not verify("whsec_s", header, body + b" ", now=1_700_000_100)  # body changed
    assert not verify("whsec_other", header, body, now=1_700_000_100)  # another secret
    assert not verify("whsec_s", header, body, now=1_700_000_000 + 301)  # too old: replay
    forged = header.replace("t=1700000000", "t=1700000200")  # a new time, the old signature
    assert not verify("whsec_s", forged, body, now=1_700_000_200)
    assert not verify("whsec_s", "v1=abc", body, now=1_700_000_000)


@pytest.mark.parametrize(
    ("head", "status", "headers"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 200, {"content-length": "2"}),
        (b"HTTP/1.0 503 Busy\r\nRetry-After: 30\r\nX: a\r\nX: b\r\n\r\n", 503,
         {"retry-after": "30", "x": "a, b"}),
    ],
)  # fmt: skip
def test_response_heads_are_parsed(head: bytes, status: int, headers: dict[str, str]) -> None:
    assert wire._parse_head(head) == (status, headers)


def test_a_non_http_answer_is_an_error() -> None:
    with pytest.raises(wire.Failed):
        wire._parse_head(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")


def test_targets() -> None:
    target = wire.target_of("https://[2001:db8::1]:8443/a?b=c")
    assert (target.host, target.port, target.path) == ("2001:db8::1", 8443, "/a?b=c")
    assert target.host_header == "[2001:db8::1]:8443"
    assert wire.target_of("http://example.org").path == "/"
    with pytest.raises(wire.Failed):
        wire.target_of("https://example.org:99999/")


def _serve_once(answer: bytes) -> tuple[int, object]:
    """A raw TCP server that answers every request with ``answer`` bytes."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def run() -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.sendall(answer)
            connection.close()

    threading.Thread(target=run, daemon=True).start()
    return int(listener.getsockname()[1]), listener


@pytest.mark.parametrize(
    ("answer", "status", "excerpt"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n3\r\n!!!\r\n0\r\n\r\n",
         200, b"ok!!!"),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
         204, b""),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b"z" * 4096
         + b"\r\n" + b"1000\r\n" + b"z" * 4096, 200, b"z" * 4096),
        (b"HTTP/1.1 503 Busy\r\nRetry-After: 120\r\nConnection: close\r\n\r\nlater", 503, b"later"),
    ],
)  # fmt: skip
def test_answers_as_servers_give_them(answer: bytes, status: int, excerpt: bytes) -> None:
    from ipaddress import ip_network

    port, listener = _serve_once(answer)
    try:
        sender = wire.Sender(allowed=(ip_network("127.0.0.1/32"),), timeout=2)
        (outcome,) = sender.send_all([wire.Request(1, f"http://127.0.0.1:{port}/", (), b"{}")])
    finally:
        listener.close()  # type: ignore[attr-defined]
    assert (outcome.status, outcome.excerpt) == (status, excerpt), outcome
    if status == 503:
        assert outcome.retry_after == 120
