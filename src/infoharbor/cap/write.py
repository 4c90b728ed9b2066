"""An alert written as CAP 1.2 XML (plain Python, no Django).

Elements come in the schema's order, times to the second with their offset (UTC as ``-00:00``,
as CAP 1.2 3.3.2 asks), coordinates in CAP's ``lat,lon`` order with as many digits as it takes
to read the same number back: ``parse_alert(write_alert(a)) == a`` for any alert read from
CAP, whichever version. An alert built in code round-trips too when its times are whole seconds
and its texts carry no leading or trailing white space (CAP 1.2 has no fractions of a second;
the reader strips text).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from lxml import etree

from infoharbor.cap.model import CAP_1_2, Alert, Area, Info, NamedValue, Resource

_NS = f"{{{CAP_1_2}}}"


def format_time(moment: datetime) -> str:
    """CAP 1.2's dateTime: ``2026-12-03T18:30:00+07:00``; UTC as ``-00:00``."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"{moment!r} has no offset from UTC; CAP times always carry one.")
    stamp = moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")
    if offset == timedelta(0):
        return f"{stamp}-00:00"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{stamp}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_number(value: float | Decimal) -> str:
    """Plain decimal notation that reads back as the same number (never ``1e-05``)."""
    text = repr(value) if isinstance(value, float) else str(value)
    if "e" in text.lower():
        text = format(Decimal(text), "f")
    return text


def _words(values: tuple[str, ...]) -> str:
    return " ".join(f'"{v}"' if any(c.isspace() for c in v) else v for v in values)


def _add(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _NS + name).text = text


def _named(parent: etree._Element, name: str, values: tuple[NamedValue, ...]) -> None:
    for value in values:
        element = etree.SubElement(parent, _NS + name)
        _add(element, "valueName", value.name)
        _add(element, "value", value.value)


def alert_element(alert: Alert) -> etree._Element:
    # The default namespace is keyed None; lxml-stubs type the keys as str only.
    root = etree.Element(_NS + "alert", nsmap={None: CAP_1_2})  # type: ignore[dict-item]
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", format_time(alert.sent))
    _add(root, "status", alert.status.value)
    _add(root, "msgType", alert.msg_type.value)
    _add(root, "source", alert.source)
    _add(root, "scope", alert.scope.value)
    _add(root, "restriction", alert.restriction)
    _add(root, "addresses", _words(alert.addresses) if alert.addresses else None)
    for code in alert.codes:
        _add(root, "code", code)
    _add(root, "note", alert.note)
    if alert.references:
        _add(
            root,
            "references",
            " ".join(f"{r.sender},{r.identifier},{format_time(r.sent)}" for r in alert.references),
        )
    _add(root, "incidents", _words(alert.incidents) if alert.incidents else None)
    for info in alert.infos:
        _info(root, info)
    return root


def _info(root: etree._Element, info: Info) -> None:
    element = etree.SubElement(root, _NS + "info")
    _add(element, "language", info.language)
    for category in info.categories:
        _add(element, "category", category.value)
    _add(element, "event", info.event)
    for response in info.response_types:
        _add(element, "responseType", response.value)
    _add(element, "urgency", info.urgency.value)
    _add(element, "severity", info.severity.value)
    _add(element, "certainty", info.certainty.value)
    _add(element, "audience", info.audience)
    _named(element, "eventCode", info.event_codes)
    for name in ("effective", "onset", "expires"):
        moment = getattr(info, name)
        _add(element, name, format_time(moment) if moment is not None else None)
    _add(element, "senderName", info.sender_name)
    _add(element, "headline", info.headline)
    _add(element, "description", info.description)
    _add(element, "instruction", info.instruction)
    _add(element, "web", info.web)
    _add(element, "contact", info.contact)
    _named(element, "parameter", info.parameters)
    for resource in info.resources:
        _resource(element, resource)
    for area in info.areas:
        _area(element, area)


def _resource(parent: etree._Element, resource: Resource) -> None:
    element = etree.SubElement(parent, _NS + "resource")
    _add(element, "resourceDesc", resource.description)
    _add(element, "mimeType", resource.mime_type)
    _add(element, "size", str(resource.size) if resource.size is not None else None)
    _add(element, "uri", resource.uri)
    _add(element, "derefUri", resource.deref_uri)
    _add(element, "digest", resource.digest)


def _area(parent: etree._Element, area: Area) -> None:
    element = etree.SubElement(parent, _NS + "area")
    _add(element, "areaDesc", area.description)
    for polygon in area.polygons:
        _add(
            element,
            "polygon",
            " ".join(f"{format_number(p.lat)},{format_number(p.lon)}" for p in polygon),
        )
    for circle in area.circles:
        center = circle.center
        _add(
            element,
            "circle",
            f"{format_number(center.lat)},{format_number(center.lon)} "
            f"{format_number(circle.radius_km)}",
        )
    _named(element, "geocode", area.geocodes)
    if area.altitude is not None:
        _add(element, "altitude", format_number(area.altitude))
    if area.ceiling is not None:
        _add(element, "ceiling", format_number(area.ceiling))


def write_alert(alert: Alert) -> bytes:
    """The alert as a CAP 1.2 document, UTF-8, with its XML declaration."""
    return etree.tostring(
        alert_element(alert), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
