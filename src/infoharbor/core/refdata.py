"""Reference data shipped with the package: languages, currencies, countries, sectors.

The JSON files under ``core/data/`` are built by ``scripts/build_refdata.py`` from
public-domain code lists plus the project's own translations (see ``data/SOURCES.md``).
:func:`load` upserts them; it is idempotent, so running it twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from django.db import transaction

DATA_FILES = ("languages", "currencies", "countries", "sectors")


@cache
def read(name: str) -> list[dict[str, Any]]:
    """One shipped data file, parsed (cached: the files never change at run time)."""
    text = resources.files("infoharbor.core").joinpath("data", f"{name}.json").read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(text)
    return rows


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated"


def _upsert(model: Any, key: str, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Create missing rows and update changed ones; untouched rows are not written."""
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    created = updated = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            model.objects.create(**row)
            created += 1
            continue
        changed = [field for field, value in row.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, row[field])
            obj.save(update_fields=changed)
            updated += 1
    return created, updated


@transaction.atomic
def load() -> LoadReport:
    from infoharbor.core.models import Country, Currency, Language, Sector

    totals = [0, 0]

    def add(counts: tuple[int, int]) -> None:
        totals[0] += counts[0]
        totals[1] += counts[1]

    languages = read("languages")
    add(
        _upsert(
            Language,
            "code",
            [
                {
                    "code": row["code"],
                    "iso639_1": row.get("iso639_1") or "",
                    "iso639_3": row.get("iso639_3") or "",
                    "script": row.get("script") or "",
                    "native_name": row["native_name"],
                    "names": row["names"],
                    "direction": row.get("direction", "ltr"),
                    "spaced": row["spaced"],
                    "order": index,
                }
                for index, row in enumerate(languages)
            ],
        )
    )
    add(
        _upsert(
            Currency,
            "code",
            [
                {
                    "code": row["code"],
                    "numeric": row.get("numeric") or "",
                    "minor_units": row.get("minor_units"),
                    "names": row["names"],
                }
                for row in read("currencies")
            ],
        )
    )
    currency_codes = set(Currency.objects.values_list("code", flat=True))
    countries = read("countries")
    add(
        _upsert(
            Country,
            "iso2",
            [
                {
                    "iso2": row["iso2"],
                    "iso3": row.get("iso3") or "",
                    "numeric": row.get("numeric") or "",
                    "names": row["names"],
                    "capital": row.get("capital") or {},
                    "currency_id": row["currency"]
                    if row.get("currency") in currency_codes
                    else None,
                    "flag": row.get("flag") or "",
                    "calling_code": row.get("calling_code") or "",
                    "region_member": bool(row.get("region_member")),
                    "lat": row.get("lat"),
                    "lng": row.get("lng"),
                }
                for row in countries
            ],
        )
    )
    language_codes = {row["code"] for row in languages}
    through = Country.languages.through
    wanted = {
        (row["iso2"], code)
        for row in countries
        for code in row.get("languages") or []
        if code in language_codes
    }
    present = set(through.objects.values_list("country_id", "language_id"))
    through.objects.bulk_create(
        [through(country_id=c, language_id=lang) for c, lang in sorted(wanted - present)]
    )
    # Parents are listed before their children; rows are made lazily, so each parent exists
    # by the time a child asks for its id.
    add(
        _upsert(
            Sector,
            "slug",
            (
                {
                    "slug": row["slug"],
                    "names": row["names"],
                    "order": row.get("order", index),
                    "parent_id": Sector.objects.get(slug=row["parent"]).pk
                    if row.get("parent")
                    else None,
                }
                for index, row in enumerate(read("sectors"))
            ),
        )
    )
    return LoadReport(created=totals[0], updated=totals[1])


def load_after_migrate(**kwargs: Any) -> None:
    """post_migrate hook: keep the reference data in step with the package."""
    plan = kwargs.get("plan")
    # A migrate that only unapplies (plan of backwards steps) may have dropped the tables.
    if plan and all(backwards for _migration, backwards in plan):
        return
    load()
