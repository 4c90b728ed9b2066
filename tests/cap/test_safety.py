"""Hostile XML is refused fast, without the network and without memory blow-up."""

from __future__ import annotations

import random
import socket
import time
import tracemalloc
from pathlib import Path

import pytest

from infoharbor.cap.model import CapError
from infoharbor.cap.parse import load, parse_alert
from infoharbor.cap.validate import validate_alert, validate_document

DATA = Path(__file__).parent / "data"

# lol9 expands to 10**9 "lol"s: 3 GB from a document of one kilobyte.
_ENTITIES = ['<!ENTITY lol0 "lol">'] + [
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
]
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE alert [\n'
    + "\n".join(_ENTITIES)
    + '\n]>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;'
    "</identifier></alert>\n"
).encode()

QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>'
    + b"&a;" * 2_000
    + b"</note></alert>"
)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Any attempt to open a connection fails the test (and is recorded)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


def _refused_quickly(data: bytes) -> CapError:
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(CapError) as refused:
            validate_document(data)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.process_time() - started < 1.0
    assert peak < 20 * 1024 * 1024, f"peak {peak:,} bytes"
    return refused.value


@pytest.mark.parametrize("name", ["xee.cap", "xee.atom"])
def test_external_entity_probes_are_refused_without_network(
    name: str, no_network: list[object]
) -> None:
    refused = _refused_quickly((DATA / name).read_bytes())
    assert refused.codes == {"xml.unsafe"}
    assert "entities" in refused.problems[0].message
    assert no_network == []


def test_billion_laughs_is_refused_fast_and_small(no_network: list[object]) -> None:
    assert BILLION_LAUGHS.count(b"<!ENTITY") == 10
    refused = _refused_quickly(BILLION_LAUGHS)
    assert refused.codes == {"xml.unsafe"}
    assert no_network == []


def test_quadratic_blowup_is_refused() -> None:
    assert _refused_quickly(QUADRATIC).codes == {"xml.unsafe"}


def test_xinclude_and_schema_location_are_not_followed(no_network: list[object]) -> None:
    data = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="urn:oasis:names:tc:emergency:cap:1.2 http://localhost:9/a.xsd">
      <x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="http://localhost:9/1"/></x>
      <identifier>a</identifier></alert>"""
    with pytest.raises(CapError) as refused:
        validate_alert(data)
    assert "element.unknown" in refused.value.codes  # <x> is not CAP; nothing was fetched
    assert no_network == []


def test_size_limit() -> None:
    data = (DATA / "canada.cap").read_bytes()
    with pytest.raises(CapError) as refused:
        load(data, max_bytes=1000)
    assert refused.value.codes == {"document.too-large"}
    assert "1,000 bytes" in refused.value.problems[0].message


def test_not_xml_is_a_clear_error() -> None:
    with pytest.raises(CapError) as refused:
        parse_alert(b"<alert><identifier>unclosed</alert>")
    assert refused.value.codes == {"xml.malformed"}
    assert "line 1" in refused.value.problems[0].message


def test_wrong_namespace_is_named() -> None:
    with pytest.raises(CapError) as refused:
        parse_alert(b'<alert xmlns="urn:example:alerts"><identifier>a</identifier></alert>')
    (problem,) = refused.value.problems
    assert problem.code == "namespace.unknown"
    assert "urn:example:alerts" in problem.message
    assert "urn:oasis:names:tc:emergency:cap:1.2" in problem.message


def test_unknown_root_is_named() -> None:
    with pytest.raises(CapError) as refused:
        parse_alert(b"<html><body/></html>")
    assert refused.value.codes == {"document.unknown"}


@pytest.mark.parametrize("name", ["canada.cap", "bushfire_valid.edxlde", "weather_index.atom"])
def test_damaged_documents_give_problems_never_crashes(name: str) -> None:
    rng = random.Random(name)  # noqa: S311 (reproducible damage, not secrets)
    data = (DATA / name).read_bytes()
    for _ in range(60):
        damaged = bytearray(data)
        at = rng.randrange(len(damaged))
        kind = rng.randrange(3)
        if kind == 0:
            damaged = damaged[:at]
        elif kind == 1:
            damaged[at] = rng.choice(b"<>&;,. -+:09aZ\"'/\x00\xff")
        else:
            damaged[at : at + rng.randrange(1, 20)] = rng.choice(
                [b"", b"1,2 3", b"-999", b"<x/>", b"</info>", b"&amp;", b"T"]
            )
        try:
            validate_document(bytes(damaged))
        except CapError as error:  # the only exception allowed out, with its reasons
            problems = error.problems
            assert problems
