"""fastclean.full_clean: the verdicts and messages of Model.full_clean, faster."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from infoharbor.core import fastclean
from infoharbor.core.models import Entry

EXCLUDE = ["organization", "author", "kind", "body_html", "language", "country"]


def entry(**values: Any) -> Entry:
    fields: dict[str, Any] = {
        "title": "Border trade notice",
        "summary": "Figures of the week.",
        "body_format": "html",
        "source_url": "https://agency.example.org/1",
        "provenance": "ingested",
    }
    fields.update(values)
    return Entry(**fields)


def errors_of(check: Any) -> dict[str, list[str]]:
    try:
        check()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"title": ""},
        {"title": "x" * 301},
        {"title": 12},  # not a string: converted by the field, as full_clean does
        {"summary": ""},
        {"body_format": "rst"},
        {"license": "not-a-license", "visibility": "everyone"},
        {"status": "gone"},
        {"provenance_note": "n" * 301},
        {"region": "r" * 200},
        {"region": "r" * 201},
        {"source_url": ""},
        {"source_url": "ftp://files.example.org/data.csv"},
        {"source_url": "https://exa mple.org/"},
        {"source_url": "javascript:alert(1)"},
        {"source_url": "https://example.org/" + "a" * 990},
        {"lat": 95.5, "lng": 10.0},
        {"lat": "north", "lng": 10.0},
        {"lat": 10, "lng": 20},
        {"created_at": "yesterday"},
        {"expires_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)},
        {"is_demo": "yes"},
        {"is_demo": None},
    ],
)
def test_the_same_verdicts_and_messages_as_full_clean(values: dict[str, Any]) -> None:
    expected = errors_of(
        lambda: entry(**values).full_clean(exclude=EXCLUDE, validate_constraints=False)
    )
    got = errors_of(lambda: fastclean.full_clean(entry(**values), exclude=EXCLUDE))
    assert got == expected


def test_values_are_converted_as_full_clean_converts_them() -> None:
    quick, slow = entry(lat=10, lng=20, title=12), entry(lat=10, lng=20, title=12)
    fastclean.full_clean(quick, exclude=EXCLUDE)
    slow.full_clean(exclude=EXCLUDE, validate_constraints=False)
    assert (quick.lat, quick.lng, quick.title) == (slow.lat, slow.lng, slow.title) == (
        10.0, 20.0, "12",
    )  # fmt: skip
    assert type(quick.lat) is float


def test_an_accepted_address_is_remembered_and_a_bad_one_never() -> None:
    good = "https://agency.example.org/kept"
    assert fastclean.accepts(Entry, "source_url", good)
    assert not fastclean.accepts(Entry, "source_url", "https://exa mple.org/")
    assert not fastclean.accepts(Entry, "source_url", "https://exa mple.org/")
    assert errors_of(lambda: fastclean.full_clean(entry(source_url=good), exclude=EXCLUDE)) == {}
    bad = entry(source_url="https://exa mple.org/")
    assert set(errors_of(lambda: fastclean.full_clean(bad, exclude=EXCLUDE))) == {"source_url"}


def test_an_unknown_field_is_an_error() -> None:
    with pytest.raises(LookupError):
        fastclean.accepts(Entry, "no_such_field", "x")
