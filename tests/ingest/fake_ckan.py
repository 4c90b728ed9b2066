"""A fake CKAN Action API for the tests, served by :class:`tests.ingest.server.FeedServer`.

It answers ``package_search`` as CKAN does for what the harvester asks: ``fq`` with a
``metadata_modified`` range, ``sort=metadata_modified asc, id asc``, ``rows`` and
``start``; and ``package_list``. Private and deleted datasets are in the search answers
only while :attr:`FakeCkan.show_hidden` is on (as on a site that keeps them searchable).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.ingest.server import FeedServer, Reply, Seen

FIXTURES = Path(__file__).parent / "fixtures" / "datasets" / "ckan"
_RANGE = re.compile(r"metadata_modified:\[(\S+) TO \*\]")


def fixture_packages() -> list[dict[str, Any]]:
    document = json.loads((FIXTURES / "package_search.json").read_text())
    return list(document["result"]["results"])


def generated_packages(count: int) -> list[dict[str, Any]]:
    """``count`` plain datasets, each modified a second after the one before."""
    return [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "name": f"customs-statistics-{n}",
            "title": f"Customs statistics of checkpoint {n}",
            "notes": f"Monthly import and export figures at border checkpoint number {n}.",
            "state": "active",
            "private": False,
            "metadata_created": "2025-01-01T00:00:00",
            "metadata_modified": f"2025-02-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}",
            "resources": [
                {"url": f"https://data.example.org/files/checkpoint-{n}.csv", "format": "CSV"}
            ],
        }
        for n in range(count)
    ]


def _stamp(value: str) -> str:
    # CKAN compares full timestamps (stored without a zone, in UTC); the harvester sends
    # milliseconds and Z.
    when = dt.datetime.fromisoformat(value.removesuffix("Z"))
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


class FakeCkan:
    def __init__(self, server: FeedServer, packages: list[dict[str, Any]], base: str = "") -> None:
        self.server = server
        self.packages = copy.deepcopy(packages)
        self.base = base
        self.show_hidden = True
        self.searches: list[dict[str, list[str]]] = []
        self.delay: Callable[[int], float] = lambda page: 0.0  # seconds before answering
        server.routes[f"{base}/api/3/action/package_search"] = self._search
        server.routes[f"{base}/api/3/action/package_list"] = self._list

    @property
    def url(self) -> str:
        return self.server.url(f"{self.base}/")

    def _answer(self, result: Any) -> Reply:
        body = {"help": "fake", "success": True, "result": result}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _search(self, seen: Seen) -> Reply:
        params = parse_qs(urlsplit(seen.path).query)
        self.searches.append(params)
        time.sleep(self.delay(len(self.searches)))
        found = [
            p
            for p in self.packages
            if self.show_hidden or (p["state"] == "active" and not p["private"])
        ]
        match = _RANGE.search(params.get("fq", [""])[0])
        if match:
            since = _stamp(match.group(1))
            found = [p for p in found if _stamp(p["metadata_modified"]) >= since]
        assert params["sort"] == ["metadata_modified asc, id asc"]
        found.sort(key=lambda p: (_stamp(p["metadata_modified"]), p["id"]))
        start, rows = int(params["start"][0]), int(params["rows"][0])
        return self._answer({"count": len(found), "results": found[start : start + rows]})

    def _list(self, seen: Seen) -> Reply:
        live = [p["name"] for p in self.packages if p["state"] == "active" and not p["private"]]
        return self._answer(sorted(live))

    def touch(self, name: str, modified: str, **changes: Any) -> None:
        """Change a dataset as its publisher would: a new modification time and fields."""
        for package in self.packages:
            if package["name"] == name:
                package.update(changes, metadata_modified=modified)
                return
        raise KeyError(name)

    def remove(self, name: str) -> None:
        self.packages = [p for p in self.packages if p["name"] != name]
