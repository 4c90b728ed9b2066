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


def allow(action: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one ``action`` by ``subject``; False once more than ``limit`` fall in ``window``.

    For mail the harbor sends on request (verification links, password resets): ``subject`` is
    an email address or a client address, kept only as a digest.
    """
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    key = f"throttle:{action}:{digest}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        return True
    return count <= limit
