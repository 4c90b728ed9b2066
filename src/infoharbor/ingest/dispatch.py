"""Which harvester reads a source of each kind that is not a feed (feeds are read by
:mod:`infoharbor.ingest.harvest` itself)."""

from __future__ import annotations

from collections.abc import Callable

from infoharbor.ingest.choices import SourceKind
from infoharbor.ingest.ckan import harvest_ckan
from infoharbor.ingest.datasets import harvest_file
from infoharbor.ingest.dcat import harvest_dcat
from infoharbor.ingest.pages import harvest_pages
from infoharbor.ingest.runs import Run

Harvester = Callable[[Run], None]

_HARVESTERS: dict[str, Harvester] = {
    SourceKind.DATASET: harvest_file,
    SourceKind.CKAN: harvest_ckan,
    SourceKind.PAGES: harvest_pages,
    SourceKind.DCAT: harvest_dcat,
}


def harvester_for(kind: str) -> Harvester | None:
    """The harvester of ``kind``, or None for the feeds."""
    return _HARVESTERS.get(kind)
