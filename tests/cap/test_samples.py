"""Every CAP sample of ../shared/data/cap-alerts through the reader and the validator.

Valid alerts are accepted and survive write -> CAP 1.2 XSD -> read unchanged; invalid ones are
rejected with the reasons written down below after reading each file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from infoharbor.cap.model import CapError
from infoharbor.cap.validate import Checked, CheckedDocument, schema, validate_document
from infoharbor.cap.write import write_alert

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cap-alerts"
LOCAL = Path(__file__).parent / "data"
NOT_MESSAGES = {".md", ".pem", ".xsd", ".rng", ".txt-license"}

# Files refused as documents: the whole file cannot be read as CAP.
REFUSED = {
    # DOCTYPE with SYSTEM entities to localhost: refused before any parser could expand them.
    "google-cap-library/testdata/xee.cap": {"xml.unsafe"},
    "google-cap-library/testdata/xee.atom": {"xml.unsafe"},
    # The alert's namespace is urn:oasis:names:tc:emergency:alerts:1.2 (not "cap").
    "capparselib/resources/invalid_xmlns.cap": {"namespace.unknown"},
    # Declares UTF-8 but holds ISO-8859-1 bytes ("m\xe9t\xe9orologique").
    "capparselib/resources/pelmorex.atom": {"xml.malformed"},
}

# Files read, with at least one alert or the feed itself rejected, and the reasons.
INVALID = {
    # contentObject 2 holds an empty <alert> (every required element missing); contentObject 3
    # has <urgency>Foobar</urgency>.
    "google-cap-library/testdata/bushfire_invalid.edxlde": {"element.missing", "value.not-allowed"},
    # An Update whose <references/> is empty.
    "google-cap-library/testdata/canada_errors.cap": {"references.required"},
    "capparselib/resources/canada_errors.cap": {"references.required"},
    # No <scope>.
    "google-cap-library/testdata/invalid.cap": {"element.missing"},
    "capparselib/resources/invalid.cap": {"element.missing"},
    # Empty urgency, severity and certainty; a polygon with trailing commas ("-118.09,").
    "google-cap-library/testdata/noaa_errors.cap": {"value.not-allowed", "polygon.malformed"},
    "capparselib/resources/noaa_errors.cap": {"value.not-allowed", "polygon.malformed"},
    # Channel without title and description; an empty item.
    "google-cap-library/testdata/invalid.rss": {"feed.missing", "feed.no-alert"},
    "capparselib/resources/invalid.rss": {"feed.missing", "feed.no-alert"},
    # <foo> in the Atom namespace; an entry with neither link nor alert.
    "google-cap-library/testdata/invalid_element.atom": {"feed.unknown-element", "feed.no-alert"},
    "capparselib/resources/invalid_element.atom": {"feed.unknown-element", "feed.no-alert"},
    # Feed and entry without <id>; the entry has no link.
    "google-cap-library/testdata/no_id.atom": {"feed.missing", "feed.no-alert"},
    "capparselib/resources/no_id.atom": {"feed.missing", "feed.no-alert"},
    "google-cap-library/testdata/no_link.atom": {"feed.no-alert"},
    "capparselib/resources/no_link.atom": {"feed.no-alert"},
    "google-cap-library/testdata/no_title.atom": {"feed.missing", "feed.no-alert"},
    "capparselib/resources/no_title.atom": {"feed.missing", "feed.no-alert"},
    # The embedded alert's identifier is "INVALID," (a comma).
    "google-cap-library/testdata/weather_invalid.atom": {"identifier.invalid"},
    "capparselib/resources/weather_invalid.atom": {"identifier.invalid"},
    # SMHI's <Type> and <Polygon> inside <area> (not CAP); <senderName> out of the schema's
    # order.
    "capparselib/resources/sweden.cap": {"element.unknown", "xsd.unexpected-element"},
    # Real NSW RFS data, but two of its 59 alerts have self-intersecting polygons (shapely:
    # "Self-intersection" at -33.7198,150.287 and -32.6572,151.815).
    "capparselib/resources/bushfire_valid.edxlde": {"polygon.invalid"},
}


def _messages(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix not in NOT_MESSAGES
        and p.name not in {"LICENSE", "SOURCE.md", "README.md"}
    )


def _checked(document: CheckedDocument) -> list[Checked]:
    return [*document.alerts, *(e.embedded for e in document.entries if e.embedded is not None)]


def _codes(document: CheckedDocument) -> set[str]:
    codes = {p.code for p in document.problems}
    for checked in _checked(document):
        codes |= {p.code for p in checked.problems}
    return codes


def _assert_sample(path: Path, name: str) -> None:
    data = path.read_bytes()
    if name in REFUSED:
        with pytest.raises(CapError) as refused:
            validate_document(data)
        assert refused.value.codes == REFUSED[name]
        assert all(p.message.endswith(".") for p in refused.value.problems)
        return
    document = validate_document(data)
    if name in INVALID:
        assert not document.ok
        assert _codes(document) == INVALID[name], [
            (c.location, p.path, p.message) for c in _checked(document) for p in c.problems
        ] + [(p.path, p.message) for p in document.problems]
        return
    assert document.ok, [
        (p.path, p.code, p.message) for c in _checked(document) for p in c.problems
    ]
    assert document.kind in ("atom", "rss") or document.alerts
    for checked in _checked(document):
        assert checked.alert is not None
        written = write_alert(checked.alert)
        tree = etree.fromstring(written)
        assert schema("1.2").validate(tree), schema("1.2").error_log
        again = validate_document(written)
        assert [c.alert for c in again.alerts] == [checked.alert]


def _shared_files() -> list[str]:
    if not SHARED.is_dir():
        return []
    return [str(p.relative_to(SHARED)) for p in _messages(SHARED)]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", _shared_files() or ["(no ../shared/data/cap-alerts)"])
def test_every_shared_sample(name: str) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data/cap-alerts not found at {SHARED}; tests/cap/data is used")
    _assert_sample(SHARED / name, name)


def test_the_table_names_only_files_that_exist() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared/data/cap-alerts not found at {SHARED}")
    names = set(_shared_files())
    assert set(REFUSED) | set(INVALID) <= names
    assert len(names) >= 75


@pytest.mark.parametrize("path", _messages(LOCAL), ids=lambda p: p.name)
def test_local_sample(path: Path) -> None:
    """The copies in tests/cap/data, judged like their originals (no ../shared needed)."""
    _assert_sample(path, f"google-cap-library/testdata/{path.name}")
