"""Search backends: the embedded tantivy index and PostgreSQL. Both take the same documents
(:class:`infoharbor.search.documents.IndexDocument`) and the same parsed queries."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from infoharbor.search.backends.base import Backend


def get_backend() -> Backend:
    """The configured backend (one per process and index location)."""
    return _backend(settings.SEARCH_BACKEND, str(settings.SEARCH_PATH))


@cache
def _backend(name: str, path: str) -> Backend:
    if name == "postgres":
        from infoharbor.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from infoharbor.search.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(path)
