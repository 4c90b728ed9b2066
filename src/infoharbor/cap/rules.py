"""The CAP rules an XML schema cannot express, checked on the model (plain Python).

Each function returns every problem it finds, as :class:`~infoharbor.cap.model.Problem` with a
path in the same form the reader uses (``alert/info[1]/area[2]/polygon[1]``), so the problems of
a read alert and of one built in code (the authoring form) read the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from datetime import datetime

from shapely.geometry import Polygon
from shapely.validation import explain_validity

from infoharbor.cap.model import Alert, Area, Info, LatLon, MsgType, Problem, Scope

# RFC 5646 section 2.1, well-formedness only (whether a subtag is registered is not checked).
_ALNUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, with extlang subtags
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|\d{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|\d{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_GRANDFATHERED = [
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
]
LANGUAGE_TAG = re.compile(
    rf"^(?:{_LANGTAG}|x(?:-{_ALNUM}{{1,8}})+|{'|'.join(_GRANDFATHERED)})$", re.IGNORECASE
)
# CAP 1.2 section 3.2.1: identifier and sender must not include spaces, commas or restricted
# characters (< and &).
_FORBIDDEN = re.compile(r"[\s,<&]")
# Characters XML 1.0 cannot carry: an alert built in code with one could not be written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NEEDS_REFERENCES = {MsgType.UPDATE, MsgType.CANCEL, MsgType.ACK, MsgType.ERROR}


def language_tag_ok(tag: str) -> bool:
    return bool(LANGUAGE_TAG.match(tag))


def _aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


def _texts(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every string in the alert, with the path of the element that holds it."""
    if isinstance(value, str):
        yield path, value
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            yield from _texts(getattr(value, item.name), path)
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item, path)


def text_problems(alert: Alert) -> list[Problem]:
    problems: list[Problem] = []
    parts: list[tuple[str, object]] = [("alert", replace(alert, infos=()))]
    parts += [(f"alert/info[{i}]", info) for i, info in enumerate(alert.infos, 1)]
    for path, part in parts:
        for where, text in _texts(part, path):
            if _NOT_XML.search(text):
                problems.append(
                    Problem(
                        where,
                        "text.control-character",
                        f"The text '{_NOT_XML.sub('?', text)[:40]}' holds a control character "
                        "that XML cannot carry; remove it.",
                    )
                )
    return problems


def alert_problems(alert: Alert) -> list[Problem]:
    """Every rule the alert breaks, its info blocks and areas included."""
    problems: list[Problem] = text_problems(alert)
    for name, value in (("identifier", alert.identifier), ("sender", alert.sender)):
        if not value or _FORBIDDEN.search(value):
            problems.append(
                Problem(
                    f"alert/{name}",
                    f"{name}.invalid",
                    f"The {name} '{value}' must be non-empty and must not contain spaces, "
                    "commas, '<' or '&' (CAP 1.2, 3.2.1).",
                )
            )
    problems += _time_problem("alert/sent", alert.sent)
    if alert.msg_type in NEEDS_REFERENCES and not alert.references:
        problems.append(
            Problem(
                "alert/references",
                "references.required",
                f"An {alert.msg_type.value} message must name the message(s) it refers to in "
                "<references>, as sender,identifier,sent.",
            )
        )
    for reference in alert.references:
        problems += _time_problem("alert/references", reference.sent)
        for name, value in (("sender", reference.sender), ("identifier", reference.identifier)):
            if _FORBIDDEN.search(value):
                problems.append(
                    Problem(
                        "alert/references",
                        "references.malformed",
                        f"A reference's {name} '{value}' must not contain spaces, commas, '<' "
                        "or '&'.",
                    )
                )
        if (reference.sender, reference.identifier) == (alert.sender, alert.identifier):
            problems.append(
                Problem(
                    "alert/references",
                    "references.self",
                    "The alert refers to itself (same sender and identifier); references name "
                    "earlier messages.",
                )
            )
    if alert.scope is Scope.RESTRICTED and not alert.restriction:
        problems.append(
            Problem(
                "alert/restriction",
                "restriction.required",
                "A Restricted alert must say in <restriction> who may receive it.",
            )
        )
    if alert.scope is Scope.PRIVATE and not alert.addresses:
        problems.append(
            Problem(
                "alert/addresses",
                "addresses.required",
                "A Private alert must list its recipients in <addresses>.",
            )
        )
    seen: dict[tuple[object, ...], int] = {}
    for index, info in enumerate(alert.infos, 1):
        path = f"alert/info[{index}]"
        problems += info_problems(path, info, alert.sent)
        key = (info.language.lower(), info.event, info.categories, info.areas)
        if key in seen:
            problems.append(
                Problem(
                    path,
                    "info.duplicate",
                    f"This <info> repeats <info> {seen[key]}: same language "
                    f"({info.language}), event and areas. A translation needs its own language; "
                    "remove the copy.",
                )
            )
        seen.setdefault(key, index)
    return problems


def _time_problem(path: str, moment: datetime) -> list[Problem]:
    if _aware(moment):
        return []
    return [
        Problem(
            path,
            "time.no-offset",
            "The time has no offset from UTC; CAP times always carry one (e.g. +07:00).",
        )
    ]


def _empty(path: str, name: str) -> Problem:
    return Problem(path, "value.empty", f"<{name}> is empty; it needs a value.")


def info_problems(path: str, info: Info, sent: datetime | None) -> list[Problem]:
    problems: list[Problem] = []
    # What the reader refuses already, checked again for alerts built in code (authoring).
    if not info.categories:
        problems.append(
            Problem(
                f"{path}/category",
                "element.missing",
                "The info has no category; give at least one (Geo, Met, Safety, ...).",
            )
        )
    if not info.event.strip():
        problems.append(_empty(f"{path}/event", "event"))
    if not language_tag_ok(info.language):
        problems.append(
            Problem(
                f"{path}/language",
                "language.invalid",
                f"'{info.language}' is not a language tag (RFC 5646); write e.g. en-US, th, "
                "zh-Hant-TW.",
            )
        )
    for name in ("effective", "onset", "expires"):
        moment = getattr(info, name)
        if moment is not None:
            problems += _time_problem(f"{path}/{name}", moment)
    expires = info.expires
    if expires is not None and _aware(expires):
        for name, moment in (("sent", sent), ("effective", info.effective), ("onset", info.onset)):
            if moment is not None and _aware(moment) and expires <= moment:
                problems.append(
                    Problem(
                        f"{path}/expires",
                        f"expires.not-after-{name}",
                        f"The info expires ({expires.isoformat()}) no later than it is "
                        f"{'sent' if name == 'sent' else name} ({moment.isoformat()}); "
                        "expires must come after it.",
                    )
                )
    for index, resource in enumerate(info.resources, 1):
        if not resource.description.strip():
            problems.append(_empty(f"{path}/resource[{index}]/resourceDesc", "resourceDesc"))
        if not resource.mime_type.strip():
            problems.append(_empty(f"{path}/resource[{index}]/mimeType", "mimeType"))
        if resource.size is not None and resource.size < 0:
            problems.append(
                Problem(
                    f"{path}/resource[{index}]/size",
                    "resource.size-negative",
                    "A resource's size is a number of bytes, 0 or more.",
                )
            )
    for index, area in enumerate(info.areas, 1):
        problems += area_problems(f"{path}/area[{index}]", area)
    return problems


def _out_of_range(point: LatLon) -> str | None:
    if not -90 <= point.lat <= 90:
        return f"latitude {point.lat:g} is outside -90..90"
    if not -180 <= point.lon <= 180:
        return f"longitude {point.lon:g} is outside -180..180"
    return None


def area_problems(path: str, area: Area) -> list[Problem]:
    problems: list[Problem] = []
    if not area.description.strip():
        problems.append(_empty(f"{path}/areaDesc", "areaDesc"))
    for index, points in enumerate(area.polygons, 1):
        problems += polygon_problems(f"{path}/polygon[{index}]", points)
    for index, circle in enumerate(area.circles, 1):
        where = f"{path}/circle[{index}]"
        reason = _out_of_range(circle.center)
        if reason:
            problems.append(
                Problem(
                    where,
                    "coordinate.out-of-range",
                    f"The circle's centre ({circle.center.lat:g},{circle.center.lon:g}): "
                    f"{reason}. CAP writes latitude first.",
                )
            )
        if circle.radius_km < 0:
            problems.append(
                Problem(
                    where,
                    "circle.negative-radius",
                    f"The circle's radius is {circle.radius_km:g} km; it must be 0 or more.",
                )
            )
    if area.ceiling is not None and area.altitude is None:
        problems.append(
            Problem(
                f"{path}/ceiling",
                "ceiling.without-altitude",
                "<ceiling> is given without <altitude>; CAP uses a ceiling only with an altitude.",
            )
        )
    elif area.ceiling is not None and area.altitude is not None and area.ceiling < area.altitude:
        problems.append(
            Problem(
                f"{path}/ceiling",
                "ceiling.below-altitude",
                f"The ceiling ({area.ceiling} ft) is below the altitude ({area.altitude} ft).",
            )
        )
    return problems


def polygon_problems(path: str, points: tuple[LatLon, ...]) -> list[Problem]:
    """CAP 1.2 3.2.4: at least four pairs, the first and last the same, and (the harbor's rule,
    since matching needs it) a ring that does not cross itself."""
    problems: list[Problem] = []
    for point in points:
        reason = _out_of_range(point)
        if reason:
            problems.append(
                Problem(
                    path,
                    "coordinate.out-of-range",
                    f"The point {point.lat:g},{point.lon:g}: {reason}. CAP writes latitude first, "
                    "then longitude.",
                )
            )
            break
    if len(points) < 4:
        problems.append(
            Problem(
                path,
                "polygon.too-few-points",
                f"The polygon has {len(points)} point(s); it needs at least 4 (three corners and "
                "the first point again to close it).",
            )
        )
    if points and points[0] != points[-1]:
        problems.append(
            Problem(
                path,
                "polygon.not-closed",
                f"The polygon is not closed: its last point ({points[-1].lat:g},"
                f"{points[-1].lon:g}) must repeat its first ({points[0].lat:g},{points[0].lon:g}).",
            )
        )
    if not problems:
        ring = Polygon([(point.lon, point.lat) for point in points])
        if not ring.is_valid:
            problems.append(
                Problem(
                    path,
                    "polygon.invalid",
                    "The polygon is not a simple area: "
                    f"{_explain(explain_validity(ring))}. Order the points around the edge so "
                    "that it does not cross itself.",
                )
            )
    return problems


def _explain(reason: str) -> str:
    """shapely's reason, with its (lon lat) location turned into CAP's lat,lon."""
    match = re.match(r"^(.*)\[\s*([-\d.e+]+)\s+([-\d.e+]+)\s*\]$", reason)
    if not match:
        return reason.lower()
    what, lon, lat = match.groups()
    return f"{what.strip().lower()} at {float(lat):g},{float(lon):g}"
