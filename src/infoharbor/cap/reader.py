"""One CAP alert element read into the CAP 1.2 model (plain Python, no Django).

Reading an alert collects *every* structural problem (a missing element, a value outside an
enumeration, a time without offset, a polygon that is not a list of numbers...) instead of
stopping at the first; the standard's other rules are in :mod:`.validate`.

CAP 1.0 and 1.1 are read into the CAP 1.2 model. What differs:

- 1.1 -> 1.2: 1.2 added the responseType values ``Avoid`` and ``AllClear`` (1.1's values are a
  subset, read as they are); ``mimeType`` of a resource became required (a 1.1 resource
  without one is read as ``application/octet-stream``, RFC 2046's "unknown binary");
  ``altitude``/``ceiling`` became decimals (1.1 strings that are not numbers are a problem);
  dateTime values got a strict pattern (1.1 values with ``Z`` or fractions of a second are
  read, UTC and to the second, as 1.2 writes them); 1.2 allows an XML-DSig signature.
- 1.0 -> 1.2: as 1.1, and ``password`` (dropped from CAP in 1.1) is ignored; ``eventCode``,
  ``parameter`` and ``geocode`` were ``valueName=value`` strings; certainty ``Very Likely``
  (deprecated by 1.1) is read as ``Likely``; 1.0 has no ``responseType`` or ``Draft``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from lxml import etree

from infoharbor.cap.model import (
    VERSIONS,
    Alert,
    Area,
    Category,
    Certainty,
    Circle,
    Info,
    LatLon,
    MsgType,
    NamedValue,
    Problem,
    Reference,
    Resource,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
)

XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"

# Elements that may occur more than once: their paths carry a 1-based index (info[2]).
REPEATABLE = frozenset(
    {
        "info",
        "code",
        "category",
        "responseType",
        "eventCode",
        "parameter",
        "resource",
        "area",
        "polygon",
        "circle",
        "geocode",
    }
)

# Problems of the reader that the XSD reports too, in its own words: a schema problem they
# explain is not listed a second time (see validate._explained).
SCHEMA_COVERED = frozenset(
    {
        "element.missing",
        "element.repeated",
        "element.unknown",
        "value.not-allowed",
        "time.invalid",
        "number.invalid",
    }
)

# CAP 1.2's dateTime: seconds and an offset, nothing else ("Z" and fractions are not allowed).
STRICT_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
LENIENT_TIME = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[-+]\d\d:\d\d)$"
)  # CAP 1.0/1.1: xs:dateTime with a time zone
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_PAIR = re.compile(rf"^({_NUMBER}),({_NUMBER})$")
_CIRCLE = re.compile(rf"^({_NUMBER}),({_NUMBER})\s+({_NUMBER})$")
_QUOTED_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')

E = TypeVar("E", bound=StrEnum)

# CAP 1.2's element order (1.0's <password> is read and ignored).
ALERT_ELEMENTS = [
    "identifier",
    "sender",
    "sent",
    "status",
    "msgType",
    "password",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code",
    "note",
    "references",
    "incidents",
    "info",
]
INFO_ELEMENTS = [
    "language",
    "category",
    "event",
    "responseType",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter",
    "resource",
    "area",
]
RESOURCE_ELEMENTS = ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"]
AREA_ELEMENTS = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]


@dataclass(frozen=True)
class Outcome:
    """What reading one alert element gave.

    ``alert`` is None when a problem kept the model from being built; ``parts`` then holds the
    info blocks and areas that could be read, so the standard's rules can still be checked on
    them (every reason is listed, not only the first).
    """

    version: str
    alert: Alert | None
    problems: tuple[Problem, ...]
    parts: tuple[tuple[str, Info | Area], ...] = ()


def local_name(element: etree._Element) -> str:
    # Read from the "{namespace}name" tag: etree.QName costs more than the rest of the reader.
    return str(element.tag).rpartition("}")[2]


def namespace_of(element: etree._Element) -> str:
    tag = str(element.tag)
    return tag[1 : tag.index("}")] if tag.startswith("{") else ""


def text_of(element: etree._Element) -> str:
    """The element's text, comments left out (the parser drops them), stripped."""
    return "".join(str(t) for t in element.itertext()).strip()


def path_of(element: etree._Element, root: etree._Element) -> str:
    """``alert/info[2]/area[1]`` for an element under ``root`` (the alert element)."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local_name(node)
        parent = node.getparent()
        if name in REPEATABLE and parent is not None and node is not root:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
            name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        if node is root:
            break
        node = parent
    return "/".join(reversed(steps))


def parse_time(text: str, *, strict: bool = True) -> datetime | None:
    """An aware datetime from CAP's dateTime, or None when the text is not one.

    ``strict`` is CAP 1.2's form; otherwise (1.0, 1.1) ``Z`` and fractions of a second are read
    too, the fraction dropped (CAP 1.2 has none).
    """
    if strict:
        if not STRICT_TIME.match(text):
            return None
        stamp, zone = text[:19], text[19:]
    else:
        match = LENIENT_TIME.match(text)
        if not match:
            return None
        stamp, zone = match.group(1), match.group(3)
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S")  # noqa: DTZ007 (zone below)
    except ValueError:
        return None
    if zone == "Z":
        return moment.replace(tzinfo=UTC)
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * sign
    return moment.replace(tzinfo=UTC if not offset else timezone(offset))


def split_words(text: str) -> tuple[str, ...]:
    """CAP's space-separated lists, where a name with spaces is written in double quotes."""
    return tuple(q if q else w for q, w in _QUOTED_OR_WORD.findall(text) if q or w)


class _Reader:
    """Reads one alert element into the model, noting every problem on the way."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = namespace_of(root)
        self.version = VERSIONS[self.ns]
        self.problems: list[Problem] = []
        self.parts: list[tuple[str, Info | Area]] = []

    # -- helpers -------------------------------------------------------------------------------
    def problem(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def path(self, element: etree._Element) -> str:
        return path_of(element, self.root)

    def children(
        self, parent: etree._Element, known: Iterable[str]
    ) -> dict[str, list[etree._Element]]:
        found: dict[str, list[etree._Element]] = {}
        allowed = set(known)
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            namespace, name = namespace_of(child), local_name(child)
            if namespace == XMLDSIG and parent is self.root:
                continue  # a signature; verifying it is not the reader's job
            if namespace != self.ns or name not in allowed:
                self.problem(
                    self.path(child),
                    "element.unknown",
                    f"<{name}> is not a CAP {self.version} element here"
                    + (f" (its namespace is '{namespace}')" if namespace != self.ns else "")
                    + ".",
                )
                continue
            found.setdefault(name, []).append(child)
        return found

    def text(self, element: etree._Element) -> str:
        return text_of(element)

    def single(
        self, found: dict[str, list[etree._Element]], name: str, parent: etree._Element
    ) -> etree._Element | None:
        elements = found.get(name, [])
        if len(elements) > 1:
            self.problem(
                self.path(elements[1]),
                "element.repeated",
                f"<{name}> appears {len(elements)} times; CAP allows it once here.",
            )
        return elements[0] if elements else None

    def required_text(
        self, found: dict[str, list[etree._Element]], name: str, parent: etree._Element
    ) -> str | None:
        element = self.single(found, name, parent)
        if element is None:
            self.problem(
                f"{self.path(parent)}/{name}",
                "element.missing",
                f"<{name}> is missing; CAP requires it in <{local_name(parent)}>.",
            )
            return None
        value = self.text(element)
        if not value:
            self.problem(self.path(element), "value.empty", f"<{name}> is empty; it needs a value.")
            return None
        return value

    def optional_text(
        self, found: dict[str, list[etree._Element]], name: str, parent: etree._Element
    ) -> str | None:
        element = self.single(found, name, parent)
        if element is None:
            return None
        return self.text(element) or None

    def enum(
        self, cls: type[E], element: etree._Element, aliases: dict[str, E] | None = None
    ) -> E | None:
        value = self.text(element)
        if aliases and value in aliases:
            return aliases[value]
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            self.problem(
                self.path(element),
                "value.not-allowed",
                f"'{value}' is not a value CAP allows for <{local_name(element)}>; use one of: "
                f"{allowed}.",
            )
            return None

    def required_enum(
        self,
        cls: type[E],
        found: dict[str, list[etree._Element]],
        name: str,
        parent: etree._Element,
        aliases: dict[str, E] | None = None,
    ) -> E | None:
        element = self.single(found, name, parent)
        if element is None:
            allowed = ", ".join(member.value for member in cls)
            self.problem(
                f"{self.path(parent)}/{name}",
                "element.missing",
                f"<{name}> is missing; CAP requires it in <{local_name(parent)}> "
                f"(one of: {allowed}).",
            )
            return None
        return self.enum(cls, element, aliases)

    def time(self, element: etree._Element | None) -> datetime | None:
        if element is None:
            return None
        value = self.text(element)
        moment = parse_time(value, strict=self.version == "1.2")
        if moment is None:
            self.problem(
                self.path(element),
                "time.invalid",
                f"'{value}' is not a CAP date and time; write it with seconds and the offset "
                "from UTC, e.g. 2026-12-03T18:30:00+07:00 (UTC is -00:00).",
            )
        return moment

    def decimal(self, element: etree._Element | None) -> Decimal | None:
        if element is None:
            return None
        value = self.text(element)
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.problem(
                self.path(element),
                "number.invalid",
                f"'{value}' is not a number (feet above sea level).",
            )
            return None
        return number

    def named_values(self, elements: list[etree._Element]) -> tuple[NamedValue, ...] | None:
        values: list[NamedValue] = []
        ok = True
        for element in elements:
            if self.version == "1.0":
                name, _, value = self.text(element).partition("=")
                name, value = name.strip(), value.strip()
            else:
                found = self.children(element, ("valueName", "value"))
                name = self.required_text(found, "valueName", element) or ""
                value_element = self.single(found, "value", element)
                if value_element is None:
                    self.problem(
                        f"{self.path(element)}/value",
                        "element.missing",
                        f"<value> is missing; CAP requires it in <{local_name(element)}>.",
                    )
                    ok = False
                    continue
                value = self.text(value_element)
            if not name:
                if self.version == "1.0":
                    self.problem(
                        self.path(element),
                        "value.empty",
                        f"<{local_name(element)}> has no valueName.",
                    )
                ok = False
                continue
            values.append(NamedValue(name, value))
        return tuple(values) if ok else None

    # -- the alert -----------------------------------------------------------------------------
    def alert(self) -> Alert | None:
        root = self.root
        names = ALERT_ELEMENTS
        found = self.children(root, names)
        identifier = self.required_text(found, "identifier", root)
        sender = self.required_text(found, "sender", root)
        sent_element = self.single(found, "sent", root)
        if sent_element is None:
            self.problem(
                "alert/sent", "element.missing", "<sent> is missing; CAP requires it in <alert>."
            )
        sent = self.time(sent_element)
        status = self.required_enum(Status, found, "status", root)
        msg_type = self.required_enum(MsgType, found, "msgType", root)
        scope = self.required_enum(Scope, found, "scope", root)
        references = self.references(self.single(found, "references", root))
        infos: list[Info | None] = [self.info(element, sent) for element in found.get("info", [])]
        addresses = self.optional_text(found, "addresses", root)
        incidents = self.optional_text(found, "incidents", root)
        if (
            identifier is None
            or sender is None
            or sent is None
            or status is None
            or msg_type is None
            or scope is None
            or references is None
            or any(info is None for info in infos)
        ):
            for element, info in zip(found.get("info", []), infos, strict=True):
                if info is not None:
                    self.parts.append((self.path(element), info))
            return None
        return Alert(
            identifier=identifier,
            sender=sender,
            sent=sent,
            status=status,
            msg_type=msg_type,
            scope=scope,
            source=self.optional_text(found, "source", root),
            restriction=self.optional_text(found, "restriction", root),
            addresses=split_words(addresses) if addresses else (),
            codes=tuple(t for e in found.get("code", []) if (t := self.text(e))),
            note=self.optional_text(found, "note", root),
            references=references,
            incidents=split_words(incidents) if incidents else (),
            infos=tuple(info for info in infos if info is not None),
        )

    def references(self, element: etree._Element | None) -> tuple[Reference, ...] | None:
        if element is None:
            return ()
        text = self.text(element)
        if not text:
            # Real feeds write an empty <references/> on new alerts (NAAD); the schema allows
            # it and it names nothing, so it is read as no references. An Update or Cancel
            # without any is refused by the rules (references.required).
            return ()
        references: list[Reference] = []
        for triple in text.split():
            parts = triple.split(",")
            sent = parse_time(parts[2], strict=self.version == "1.2") if len(parts) == 3 else None
            if len(parts) != 3 or not parts[0] or not parts[1] or sent is None:
                self.problem(
                    self.path(element),
                    "references.malformed",
                    f"'{triple}' is not a reference; write each earlier message as "
                    "sender,identifier,sent (sent with seconds and offset), separated by spaces.",
                )
                continue
            references.append(Reference(parts[0], parts[1], sent))
        return tuple(references) if len(references) == len(text.split()) else None

    def info(self, element: etree._Element, sent: datetime | None) -> Info | None:
        names = INFO_ELEMENTS
        found = self.children(element, names)
        language_element = self.single(found, "language", element)
        language = self.text(language_element) if language_element is not None else "en-US"
        categories = [self.enum(Category, e) for e in found.get("category", [])]
        if not categories:
            self.problem(
                f"{self.path(element)}/category",
                "element.missing",
                "<category> is missing; every <info> needs at least one (Geo, Met, Safety, ...).",
            )
        event = self.required_text(found, "event", element)
        responses = [self.enum(ResponseType, e) for e in found.get("responseType", [])]
        urgency = self.required_enum(Urgency, found, "urgency", element)
        severity = self.required_enum(Severity, found, "severity", element)
        certainty = self.required_enum(
            Certainty, found, "certainty", element, aliases={"Very Likely": Certainty.LIKELY}
        )
        event_codes = self.named_values(found.get("eventCode", []))
        parameters = self.named_values(found.get("parameter", []))
        time_elements = {
            n: self.single(found, n, element) for n in ("effective", "onset", "expires")
        }
        times = {name: self.time(e) for name, e in time_elements.items()}
        resources = [self.resource(e) for e in found.get("resource", [])]
        areas = [self.area(e) for e in found.get("area", [])]
        for area_element, area in zip(found.get("area", []), areas, strict=True):
            if area is not None:
                self.parts.append((self.path(area_element), area))
        if (
            event is None
            or urgency is None
            or severity is None
            or certainty is None
            or event_codes is None
            or parameters is None
            or not categories
            or any(c is None for c in categories)
            or any(r is None for r in responses)
            or any(r is None for r in resources)
            or any(a is None for a in areas)
            or any(times[n] is None and time_elements[n] is not None for n in times)
        ):
            return None
        # Areas are part of the info now: they are checked through it, not on their own.
        self.parts = [(p, part) for p, part in self.parts if not any(part is a for a in areas)]
        return Info(
            language=language,
            categories=tuple(c for c in categories if c is not None),
            event=event,
            response_types=tuple(r for r in responses if r is not None),
            urgency=urgency,
            severity=severity,
            certainty=certainty,
            audience=self.optional_text(found, "audience", element),
            event_codes=event_codes,
            effective=times["effective"],
            onset=times["onset"],
            expires=times["expires"],
            sender_name=self.optional_text(found, "senderName", element),
            headline=self.optional_text(found, "headline", element),
            description=self.optional_text(found, "description", element),
            instruction=self.optional_text(found, "instruction", element),
            web=self.optional_text(found, "web", element),
            contact=self.optional_text(found, "contact", element),
            parameters=parameters,
            resources=tuple(r for r in resources if r is not None),
            areas=tuple(a for a in areas if a is not None),
        )

    def resource(self, element: etree._Element) -> Resource | None:
        found = self.children(element, RESOURCE_ELEMENTS)
        description = self.required_text(found, "resourceDesc", element)
        if self.version == "1.2":
            mime_type = self.required_text(found, "mimeType", element)
        else:  # optional before 1.2
            mime_type = self.optional_text(found, "mimeType", element) or "application/octet-stream"
        size_element = self.single(found, "size", element)
        size_text = self.text(size_element) if size_element is not None else ""
        size: int | None = None
        if size_element is not None and size_text:
            if not re.fullmatch(r"[+]?\d+", size_text):
                self.problem(
                    self.path(size_element),
                    "number.invalid",
                    f"'{size_text}' is not a size; give the resource's size in whole bytes.",
                )
                return None
            size = int(size_text)
        if description is None or mime_type is None:
            return None
        return Resource(
            description=description,
            mime_type=mime_type,
            size=size,
            uri=self.optional_text(found, "uri", element),
            deref_uri=self.optional_text(found, "derefUri", element),
            digest=self.optional_text(found, "digest", element),
        )

    def area(self, element: etree._Element) -> Area | None:
        found = self.children(element, AREA_ELEMENTS)
        description = self.required_text(found, "areaDesc", element)
        # An empty <polygon/> or <circle/> is read as absent: NWS feeds wrote them, the schema
        # allows them, and they draw nothing.
        polygons = [self.polygon(e) for e in found.get("polygon", []) if self.text(e)]
        circles = [self.circle(e) for e in found.get("circle", []) if self.text(e)]
        geocodes = self.named_values(found.get("geocode", []))
        problems_before = len(self.problems)
        altitude = self.decimal(self.single(found, "altitude", element))
        ceiling = self.decimal(self.single(found, "ceiling", element))
        if (
            description is None
            or geocodes is None
            or any(p is None for p in polygons)
            or any(c is None for c in circles)
            or len(self.problems) > problems_before
        ):
            return None
        return Area(
            description=description,
            polygons=tuple(p for p in polygons if p is not None),
            circles=tuple(c for c in circles if c is not None),
            geocodes=geocodes,
            altitude=altitude,
            ceiling=ceiling,
        )

    def polygon(self, element: etree._Element) -> tuple[LatLon, ...] | None:
        pairs = self.text(element).split()
        matches = [_PAIR.match(pair) for pair in pairs]
        bad = [pair for pair, match in zip(pairs, matches, strict=True) if match is None]
        if bad:
            self.problem(
                self.path(element),
                "polygon.malformed",
                f"The polygon has '{bad[0]}', which is not a latitude,longitude pair; write "
                "the points as lat,lon pairs separated by spaces, the last one "
                "repeating the first.",
            )
            return None
        return tuple(LatLon(float(m.group(1)), float(m.group(2))) for m in matches if m)

    def circle(self, element: etree._Element) -> Circle | None:
        text = " ".join(self.text(element).split())
        match = _CIRCLE.match(text)
        if not match:
            self.problem(
                self.path(element),
                "circle.malformed",
                f"'{text}' is not a circle; write the centre as lat,lon, a space and the radius "
                "in kilometres (e.g. 13.75,100.5 25).",
            )
            return None
        lat, lon, radius = (float(match.group(i)) for i in (1, 2, 3))
        return Circle(LatLon(lat, lon), radius)


def read_alert(element: etree._Element) -> Outcome:
    """Read one alert element (any CAP version) into the CAP 1.2 model."""
    reader = _Reader(element)
    alert = reader.alert()
    return Outcome(reader.version, alert, tuple(reader.problems), tuple(reader.parts))
