"""The signature of a webhook request. Plain Python: no Django.

``X-Harbor-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256(key = the endpoint's secret, message = ``<t>.`` followed by the raw body).
The timestamp is signed with the body, so a receiver that refuses timestamps older than a
few minutes cannot be fed a recorded request again later (docs/user/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Harbor-Signature"
EVENT_HEADER = "X-Harbor-Event-Id"
TYPE_HEADER = "X-Harbor-Event-Type"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header_value(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str, header: str, body: bytes, now: float, tolerance: float = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does (the documented check, in the harbor's own words)."""
    timestamp, signatures = None, []
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
