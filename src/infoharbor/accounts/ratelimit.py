"""Sign-in rate limiting: failed attempts counted per account and per client address."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, address: str | None) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:user:{digest}"]
    if address:
        keys.append(f"login-fail:ip:{address}")
    return keys


def is_locked(email: str, address: str | None) -> bool:
    limit = settings.LOGIN_MAX_ATTEMPTS
    return any((cache.get(key) or 0) >= limit for key in _keys(email, address))


def record_failure(email: str, address: str | None) -> None:
    for key in _keys(email, address):
        # add() starts the window; incr() keeps its original expiry.
        if not cache.add(key, 1, timeout=settings.LOGIN_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.set(key, 1, timeout=settings.LOGIN_WINDOW_SECONDS)


def clear(email: str, address: str | None) -> None:
    cache.delete_many(_keys(email, address)[:1])
