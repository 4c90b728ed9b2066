"""A page costs the same number of queries whether it holds 5 items or 25."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoharbor.accounts.choices import TokenScope
from infoharbor.core import audit, services
from infoharbor.core.choices import EntryStatus, Visibility
from infoharbor.core.models import Language, Sector
from tests import factories
from tests.api.conftest import Api, Harbor, actor

pytestmark = pytest.mark.django_db


def queries(request: Callable[[], Any]) -> tuple[int, int]:
    """The number of queries ``request`` takes, and the number of items it listed."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["items"])


def add_entries(harbor: Harbor, count: int) -> None:
    """Entries of both kinds, with sectors, tags, locations and translations, like real ones."""
    origin = audit.Origin(user=harbor.admin, via="test")
    thai = Language.objects.get(code="th")
    for n in range(count):
        if n % 2:
            entry = harbor.entry(
                kind="information.policy",
                details={"policy_type": "law"},
                sectors=["agriculture", "ai"],
                tags=["rice", f"tag-{n}"],
                lat=13.7,
                lng=100.5,
            )
        else:
            entry = harbor.entry(
                sectors=["tourism"],
                tags=["news"],
                visibility=Visibility.MEMBERS,
                status=EntryStatus.DRAFT if n % 3 == 0 else EntryStatus.PUBLISHED,
            )
        if n % 4 == 0:
            services.save_translation(
                actor=actor(harbor.admin),
                origin=origin,
                entry=entry,
                language=thai,
                title=f"ข่าว {n}",
            )


def test_listing_entries_costs_the_same_for_5_and_25(api: Api, harbor: Harbor) -> None:
    token = harbor.token(harbor.admin, TokenScope.READ)
    api.get("entries", token)  # the token's first use records it; later ones do not write
    lists: dict[str, Callable[[], Any]] = {
        "anonymous": lambda: api.get("entries", limit=200),
        "with a token": lambda: api.get("entries", token, limit=200),
        "translated": lambda: api.get("entries", token, limit=200, lang="th"),
        "filtered": lambda: api.get("entries", token, sector="agriculture", tag="rice"),
    }

    add_entries(harbor, 5)
    small = {name: queries(request) for name, request in lists.items()}
    add_entries(harbor, 20)
    large = {name: queries(request) for name, request in lists.items()}

    assert large["with a token"][1] == 25
    for name in lists:
        assert large[name][1] > small[name][1] > 0, name  # more items on the page ...
        assert large[name][0] == small[name][0], name  # ... for the same queries
        assert large[name][0] <= 12, name  # a handful, not one per entry


def test_reading_one_entry_takes_a_few_queries(api: Api, harbor: Harbor) -> None:
    entry = harbor.entry(sectors=["agriculture"], tags=["rice"])
    with CaptureQueriesContext(connection) as captured:
        assert api.get(f"entries/{entry.pk}", lang="th").status_code == 200
    assert len(captured) <= 6, [q["sql"] for q in captured]


def test_listing_organizations_costs_the_same_for_5_and_25(api: Api, db: None) -> None:
    sectors = list(Sector.objects.filter(slug__in=["agriculture", "tourism"]))

    def add(count: int) -> None:
        for _ in range(count):
            factories.make_org().sectors.set(sectors)

    add(5)
    small = queries(lambda: api.get("organizations", limit=200))
    add(20)
    large = queries(lambda: api.get("organizations", limit=200))
    assert (small[1], large[1]) == (5, 25)
    assert small[0] == large[0] <= 2


def test_reference_lists_take_a_fixed_number_of_queries(api: Api, db: None) -> None:
    for path, most in (("countries", 2), ("languages", 1), ("sectors", 1), ("kinds", 0)):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        assert len(captured) <= most, (path, [q["sql"] for q in captured])
