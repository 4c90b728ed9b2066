from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The project's shared real data; tests that need it skip on a clone without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (CI provides it)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the test client activates its interface language for the rest of the
    # thread (LocaleMiddleware never deactivates it), so a test that calls gettext directly
    # would read in the language of whatever page the worker rendered last.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Login rate-limit counters live in the cache; tests must not see each other's.
    from django.core.cache import cache

    cache.clear()
    # So are the robots.txt rules the fetchers of this process have read (a later test's
    # local server may get an earlier one's port).
    from infoharbor.ingest.fetch import ROBOTS

    ROBOTS.clear()


@pytest.fixture(autouse=True)
def _own_search_index(
    settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Each test gets an empty embedded index of its own, never the repository's var/search.
    settings.SEARCH_PATH = tmp_path_factory.mktemp("search")  # type: ignore[attr-defined]
