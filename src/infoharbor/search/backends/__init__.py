"""Search backends: the embedded tantivy index and PostgreSQL. Both take the same documents
(:class:`infoharbor.search.documents.IndexDocument`) and the same parsed queries."""

from __future__ import annotations

import threading

from django.conf import settings

from infoharbor.search.backends.base import Backend

_lock = threading.Lock()
_backends: dict[tuple[str, str], Backend] = {}


def get_backend() -> Backend:
    """The configured backend (one per process and index location).

    Made under a lock: the background indexer and a request (or a command) may ask at the same
    moment, and two embedded backends opening one new directory would trip over each other.
    """
    key = (settings.SEARCH_BACKEND, str(settings.SEARCH_PATH))
    with _lock:
        if key not in _backends:
            _backends[key] = _make(*key)
        return _backends[key]


def _make(name: str, path: str) -> Backend:
    if name == "postgres":
        from infoharbor.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from infoharbor.search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(path)
