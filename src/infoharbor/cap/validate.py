"""CAP validation: the OASIS schema of the message's version, then the standard's rules that a
schema cannot express (:mod:`.rules`), every problem listed (plain Python, no Django).

``validate_alert(data)`` gives the alert or raises :class:`~infoharbor.cap.model.CapError` with
the full list; ``validate_document(data)`` does the same for each alert of an EDXL-DE
distribution or a CAP index feed, and lists the feed's own problems.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lxml import etree

from infoharbor.cap.model import Alert, Area, CapError, Info, Problem
from infoharbor.cap.parse import MAX_BYTES, DocumentKind, FeedEntry, read_document
from infoharbor.cap.reader import SCHEMA_COVERED, XMLDSIG, path_of, read_alert
from infoharbor.cap.rules import alert_problems, area_problems, info_problems

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_FILES = {"1.0": "cap10.xsd", "1.1": "cap11.xsd", "1.2": "cap12.xsd"}
_NAMESPACE = re.compile(r"\{[^}]*\}")
_ENUMERATION_FACET = "[facet 'enumeration'] "
_ELEMENT = re.compile(r"^Element '([^']+)'(?:, attribute '[^']+')?: ")


@functools.cache
def schema(version: str) -> etree.XMLSchema:
    """The shipped OASIS schema of a CAP version (read once; nothing is fetched)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / SCHEMA_FILES[version]), parser))


@dataclass(frozen=True)
class Checked:
    """One alert checked: the alert when it passed, otherwise every problem."""

    location: str
    version: str
    alert: Alert | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.alert is not None


@dataclass(frozen=True)
class CheckedEntry:
    entry: FeedEntry
    embedded: Checked | None  # the alert inside the entry, checked, when there is one


@dataclass(frozen=True)
class CheckedDocument:
    kind: DocumentKind
    title: str | None
    alerts: tuple[Checked, ...]  # alert, collection, EDXL-DE
    entries: tuple[CheckedEntry, ...]  # Atom, RSS
    problems: tuple[Problem, ...]  # of the document itself (a feed entry without id...)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and all(a.ok for a in self.alerts)
            and all(e.embedded is None or e.embedded.ok for e in self.entries)
        )


def xsd_problems(element: etree._Element, version: str) -> list[Problem]:
    """What the CAP schema of ``version`` refuses in the alert element, located as the reader
    locates problems."""
    alert = deepcopy(element)  # its own document: paths start at the alert
    if version != "1.2":
        # Signed 1.1 alerts exist (USGS) though only the 1.2 schema has a place for the
        # signature; it is set aside so the rest of the message is still checked.
        for signature in alert.findall(f"{{{XMLDSIG}}}Signature"):
            alert.remove(signature)
    checker = schema(version)
    if checker.validate(alert):
        return []
    problems: list[Problem] = []
    tree = alert.getroottree()
    prefixes = {prefix: uri for prefix, uri in alert.nsmap.items() if prefix}
    for entry in cast("Iterable[etree._LogEntry]", checker.error_log):
        try:
            nodes = tree.xpath(entry.path, namespaces=prefixes) if entry.path else []
        except etree.XPathError:
            nodes = []
        node = nodes[0] if isinstance(nodes, list) and nodes else None
        path = path_of(node, alert) if isinstance(node, etree._Element) else "alert"
        problems.append(_xsd_problem(path, entry, version))
    return problems


def _xsd_problem(path: str, entry: etree._LogEntry, version: str) -> Problem:
    message = _NAMESPACE.sub("", entry.message).strip()
    match = _ELEMENT.match(message)
    name = match.group(1) if match else path.rsplit("/", 1)[-1]
    detail = message[match.end() :] if match else message
    kind = entry.type_name
    if kind == "SCHEMAV_ELEMENT_CONTENT" and "Missing child element" in detail:
        expected = detail.split("Expected is", 1)[-1].strip(" .")
        return Problem(
            path,
            "xsd.missing-element",
            f"<{name}> lacks an element the CAP {version} schema requires: expected {expected}.",
        )
    if kind == "SCHEMAV_ELEMENT_CONTENT":
        expected = detail.split("Expected is", 1)[-1].strip(" .") if "Expected" in detail else ""
        return Problem(
            path,
            "xsd.unexpected-element",
            f"<{name}> is not allowed here by the CAP {version} schema (misplaced, misspelt, "
            "or an element before it is missing)"
            + (f"; expected {expected}." if expected else "."),
        )
    if kind == "SCHEMAV_CVC_ENUMERATION_VALID":
        return Problem(
            path, "xsd.not-allowed", f"<{name}>: {detail.replace(_ENUMERATION_FACET, '')}"
        )
    code = "xsd." + kind.lower().removeprefix("schemav_").replace("_", "-")
    return Problem(path, code, f"The CAP {version} schema refuses <{name}>: {detail}")


def _explained(problem: Problem, by: list[Problem]) -> bool:
    """Whether a schema problem says again what the reader already said in its own words: a
    missing, unknown or repeated element under the same parent (the schema reports it as an
    unexpected or missing child), or a bad value at the same place."""

    def parent(path: str) -> str:
        return path.rsplit("/", 1)[0]

    structural = problem.code in ("xsd.unexpected-element", "xsd.missing-element")
    for other in by:
        if other.code not in SCHEMA_COVERED:
            continue
        if other.path == problem.path:
            return True
        if (
            structural
            and other.code.startswith("element.")
            and parent(other.path) in (problem.path, parent(problem.path))
        ):
            return True
    return False


def check_element(element: etree._Element, location: str = "alert") -> Checked:
    """Check one alert element: the schema, the reader, the rules; every problem kept."""
    outcome = read_alert(element)
    problems = list(outcome.problems)
    problems += [p for p in xsd_problems(element, outcome.version) if not _explained(p, problems)]
    if outcome.alert is not None:
        problems += alert_problems(outcome.alert)
    else:
        for path, part in outcome.parts:
            if isinstance(part, Info):
                problems += info_problems(path, part, None)
            elif isinstance(part, Area):
                problems += area_problems(path, part)
    alert = outcome.alert if not problems else None
    return Checked(location, outcome.version, alert, tuple(problems))


def check_alert(alert: Alert) -> list[Problem]:
    """The rules on an alert built in code (the XSD is checked on what :func:`write_alert`
    writes)."""
    return alert_problems(alert)


def validate_document(data: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedDocument:
    """Every alert in the document checked; raises :class:`CapError` when the document itself
    cannot be read (unsafe, not XML, not a CAP document)."""
    document = read_document(data, max_bytes=max_bytes)
    alerts = tuple(check_element(a.element, a.location) for a in document.alerts)
    entries = tuple(
        CheckedEntry(
            entry,
            check_element(entry.alert.element, entry.location) if entry.alert is not None else None,
        )
        for entry in document.entries
    )
    return CheckedDocument(document.kind, document.title, alerts, entries, document.problems)


def validate_alert(data: bytes, *, max_bytes: int = MAX_BYTES) -> Alert:
    """The alert in ``data`` (a CAP alert or an EDXL-DE distribution with one), valid;
    otherwise :class:`CapError` listing every problem."""
    document = validate_document(data, max_bytes=max_bytes)
    if document.kind in ("atom", "rss") or len(document.alerts) != 1:
        raise CapError(
            [
                *document.problems,
                Problem(
                    "document",
                    "document.not-one-alert",
                    f"The document ({document.kind}) holds {len(document.alerts)} alerts where "
                    "one was expected.",
                ),
            ]
        )
    checked = document.alerts[0]
    if checked.alert is None or document.problems:
        raise CapError([*document.problems, *checked.problems])
    return checked.alert
