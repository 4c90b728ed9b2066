from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from infoharbor.search.backends import get_backend
from infoharbor.search.backends.base import Backend

BACKENDS = ["embedded", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, settings, tmp_path: Path, db) -> Backend:  # type: ignore[no-untyped-def]
    """Each search test runs against every backend this database can hold."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend needs the PostgreSQL database (CI's second run)")
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_PATH = tmp_path / "search"
    found = get_backend()
    found.clear()
    return found
