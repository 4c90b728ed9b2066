"""CAP documents read from bytes: a single alert, alerts inside an EDXL-DE distribution, and the
Atom and RSS index feeds agencies publish (plain Python, no Django).

Safety first, in this order: a size limit; the ingest check that refuses any DOCTYPE entity
declaration (billion laughs, external entities) before a parser that could expand them sees the
bytes; then lxml with entities never resolved, no DTD loaded and no network. XInclude and
``xsi:schemaLocation`` hints are never followed (nothing here calls ``xinclude()`` and schema
validation uses the shipped XSDs only). The encoding the XML declares is honoured by lxml (the
USGS samples are ISO-8859-1).

Alerts are read by :mod:`.reader` (every structural problem, CAP 1.0 and 1.1 converted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

from infoharbor.cap.model import CAP_1_0, CAP_1_1, CAP_1_2, VERSIONS, Alert, CapError, Problem
from infoharbor.cap.reader import (
    SCHEMA_COVERED,
    XMLDSIG,
    Outcome,
    local_name,
    namespace_of,
    parse_time,
    path_of,
    read_alert,
    split_words,
    text_of,
)
from infoharbor.ingest.xmlcheck import UnsafeXml, check_xml

MAX_BYTES = 4 * 1024 * 1024  # the largest sample (an EDXL-DE bundle) is 0.3 MB
EDXL_DE = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Embedded:
    """An alert element found in a document, with where it was found."""

    location: str  # "alert", "EDXLDistribution/contentObject[2]", "feed/entry[3]"
    element: etree._Element


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a CAP index feed: a link to the alert, the alert itself, or both."""

    location: str
    id: str | None
    title: str | None
    updated: str | None
    url: str | None  # the link to the CAP file, when the entry has one
    alert: Embedded | None  # the alert embedded in the entry (Atom content or RSS item)


DocumentKind = Literal["alert", "collection", "edxl-de", "atom", "rss"]


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    alerts: tuple[Embedded, ...] = ()  # alert, collection, EDXL-DE: every alert in the document
    entries: tuple[FeedEntry, ...] = ()  # Atom and RSS
    title: str | None = None
    problems: tuple[Problem, ...] = ()  # of the feed itself (a missing id, title or link)


def load(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The document's root element, read safely; :class:`CapError` when refused."""
    if len(data) > max_bytes:
        raise CapError(
            [
                Problem(
                    "document",
                    "document.too-large",
                    f"The document is {len(data):,} bytes; the harbor reads CAP documents of "
                    f"at most {max_bytes:,} bytes.",
                )
            ]
        )
    try:
        check = check_xml(data)
    except UnsafeXml as error:
        raise CapError([Problem("document", "xml.unsafe", error.message)]) from None
    if not check.well_formed:
        raise CapError([Problem("document", "xml.malformed", f"The document is {check.problem}.")])
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        # expat and libxml2 disagree on a few documents (bytes invalid in the declared encoding).
        raise CapError(
            [Problem("document", "xml.malformed", f"The document is not well-formed XML: {error}.")]
        ) from None


def read_document(data: bytes, *, max_bytes: int = MAX_BYTES) -> Document:
    """What the document holds: an alert, several, or a feed of them."""
    root = load(data, max_bytes=max_bytes)
    name, namespace = local_name(root), namespace_of(root)
    if namespace in VERSIONS and name == "alert":
        return Document("alert", alerts=(Embedded("alert", root),))
    if namespace in VERSIONS and name == "alerts":
        # Not CAP: SMHI publishes its alerts in one <alerts> element; each one is a CAP alert.
        found = [c for c in root if isinstance(c.tag, str) and local_name(c) == "alert"]
        return Document(
            "collection",
            alerts=tuple(Embedded(f"alerts/alert[{i}]", a) for i, a in enumerate(found, 1)),
        )
    if namespace == EDXL_DE and name == "EDXLDistribution":
        return _edxl(root)
    if namespace == ATOM and name == "feed":
        return _atom(root)
    if namespace == "" and name == "rss":
        return _rss(root)
    if name == "alert":
        raise CapError(
            [
                Problem(
                    "alert",
                    "namespace.unknown",
                    f"The alert is in the namespace '{namespace or '(none)'}', which is not a "
                    f"CAP namespace; CAP 1.2 alerts use '{CAP_1_2}' (1.1: '{CAP_1_1}', "
                    f"1.0: '{CAP_1_0}').",
                )
            ]
        )
    raise CapError(
        [
            Problem(
                "document",
                "document.unknown",
                f"The document's root element is '{name}'"
                + (f" in the namespace '{namespace}'" if namespace else "")
                + "; the harbor reads CAP alerts, EDXL-DE distributions and Atom or RSS feeds.",
            )
        ]
    )


def _is_alert(element: etree._Element) -> bool:
    return (
        isinstance(element.tag, str)
        and local_name(element) == "alert"
        and namespace_of(element) in VERSIONS
    )


def _edxl(root: etree._Element) -> Document:
    alerts: list[Embedded] = []
    objects = root.findall(f"{{{EDXL_DE}}}contentObject")
    for index, content in enumerate(objects, 1):
        for embedded in content.iter(f"{{{EDXL_DE}}}embeddedXMLContent"):
            for child in embedded:
                if _is_alert(child):
                    alerts.append(Embedded(f"EDXLDistribution/contentObject[{index}]", child))
    problems: tuple[Problem, ...] = ()
    if not alerts:
        problems = (
            Problem(
                "EDXLDistribution",
                "edxl.no-alert",
                "The EDXL-DE distribution holds no CAP alert (none in any "
                "contentObject/xmlContent/embeddedXMLContent).",
            ),
        )
    return Document("edxl-de", alerts=tuple(alerts), problems=problems)


def _child_text(parent: etree._Element, tag: str) -> str | None:
    found = parent.find(tag)
    if found is None:
        return None
    return text_of(found)


def _atom(root: etree._Element) -> Document:
    a = f"{{{ATOM}}}"
    problems: list[Problem] = []
    known_feed = {"author", "category", "contributor", "generator", "icon", "id", "link", "logo"}
    known_feed |= {"rights", "subtitle", "title", "updated", "entry"}
    for child in root:
        if (
            isinstance(child.tag, str)
            and namespace_of(child) == ATOM
            and local_name(child) not in known_feed
        ):
            problems.append(
                Problem(
                    f"feed/{local_name(child)}",
                    "feed.unknown-element",
                    f"<{local_name(child)}> is not an Atom feed element (RFC 4287); extensions "
                    "must be in their own namespace.",
                )
            )
    for required in ("id", "title", "updated"):
        if not _child_text(root, a + required):
            problems.append(_feed_missing("feed", required, "Atom feed"))
    entries: list[FeedEntry] = []
    for index, entry in enumerate(root.findall(a + "entry"), 1):
        location = f"feed/entry[{index}]"
        for required in ("id", "title", "updated"):
            if not _child_text(entry, a + required):
                problems.append(_feed_missing(location, required, "Atom entry"))
        url = _atom_link(entry)
        embedded = _embedded_alert(entry.find(a + "content"))
        if url is None and embedded is None:
            problems.append(
                Problem(
                    location,
                    "feed.no-alert",
                    "The entry has neither a link to a CAP alert nor an alert in its content.",
                )
            )
        entries.append(
            FeedEntry(
                location,
                _child_text(entry, a + "id"),
                _child_text(entry, a + "title"),
                _child_text(entry, a + "updated"),
                url,
                Embedded(location, embedded) if embedded is not None else None,
            )
        )
    return Document(
        "atom",
        entries=tuple(entries),
        title=_child_text(root, a + "title"),
        problems=tuple(problems),
    )


def _feed_missing(location: str, element: str, what: str) -> Problem:
    return Problem(
        f"{location}/{element}",
        "feed.missing",
        f"The {what} has no <{element}>, which it requires.",
    )


def _atom_link(entry: etree._Element) -> str | None:
    """The entry's link to its CAP file: one typed application/cap+xml, else the alternate."""
    links = [
        link
        for link in entry.findall(f"{{{ATOM}}}link")
        if (link.get("href") or "").strip()
        and link.get("rel", "alternate") in {"alternate", "related"}
    ]
    for link in links:
        if (link.get("type") or "").lower() in {
            "application/cap+xml",
            "application/xml",
            "text/xml",
        }:
            return (link.get("href") or "").strip()
    return (links[0].get("href") or "").strip() if links else None


def _embedded_alert(content: etree._Element | None) -> etree._Element | None:
    if content is None:
        return None
    for child in content.iter():
        if _is_alert(child):
            return child
    return None


def _rss(root: etree._Element) -> Document:
    problems: list[Problem] = []
    channel = root.find("channel")
    if channel is None:
        return Document(
            "rss",
            problems=(Problem("rss/channel", "feed.missing", "The RSS feed has no <channel>."),),
        )
    for required in ("title", "link", "description"):
        if _child_text(channel, required) is None:
            problems.append(_feed_missing("rss/channel", required, "RSS channel"))
    entries: list[FeedEntry] = []
    for index, item in enumerate(channel.findall("item"), 1):
        location = f"rss/channel/item[{index}]"
        title, description = _child_text(item, "title"), _child_text(item, "description")
        if not title and not description:
            problems.append(
                Problem(
                    location,
                    "feed.missing",
                    "The RSS item has neither <title> nor <description>; RSS 2.0 requires one.",
                )
            )
        url = _child_text(item, "link") or None
        enclosure = item.find("enclosure")
        if url is None and enclosure is not None:
            url = (enclosure.get("url") or "").strip() or None
        embedded = next((c for c in item.iter() if _is_alert(c)), None)
        if url is None and embedded is None:
            problems.append(
                Problem(
                    location,
                    "feed.no-alert",
                    "The item has neither a link to a CAP alert nor an alert in it.",
                )
            )
        entries.append(
            FeedEntry(
                location,
                _child_text(item, "guid"),
                title,
                _child_text(item, "pubDate"),
                url,
                Embedded(location, embedded) if embedded is not None else None,
            )
        )
    return Document(
        "rss", entries=tuple(entries), title=_child_text(channel, "title"), problems=tuple(problems)
    )


def parse_alert(data: bytes, *, max_bytes: int = MAX_BYTES) -> Alert:
    """The alert in ``data`` (a CAP alert, or an EDXL-DE distribution holding one).

    Raises :class:`CapError` listing every structural problem. The standard's other rules and
    the XSD are checked by :func:`infoharbor.cap.validate.validate_alert`.
    """
    document = read_document(data, max_bytes=max_bytes)
    if document.kind not in ("alert", "edxl-de", "collection") or len(document.alerts) != 1:
        raise CapError(
            [
                Problem(
                    "document",
                    "document.not-one-alert",
                    f"The document ({document.kind}) holds {len(document.alerts)} alerts "
                    "where one was expected; read it with read_document().",
                )
            ]
        )
    outcome = read_alert(document.alerts[0].element)
    if outcome.alert is None or outcome.problems:
        raise CapError(outcome.problems)
    return outcome.alert


__all__: list[str] = [
    "MAX_BYTES",
    "SCHEMA_COVERED",
    "XMLDSIG",
    "Document",
    "Embedded",
    "FeedEntry",
    "Outcome",
    "load",
    "parse_alert",
    "parse_time",
    "path_of",
    "read_alert",
    "read_document",
    "split_words",
    "text_of",
]
