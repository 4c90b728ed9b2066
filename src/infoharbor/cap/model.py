"""The CAP 1.2 message as typed, immutable data.

Every version the harbor reads (1.0, 1.1, 1.2) is converted to this one model, so the rest of
the harbor knows only CAP 1.2. The names follow the standard's elements (``msgType`` is
``msg_type``, ``areaDesc`` is ``Area.description``); lists are tuples so alerts can be compared
and hashed. Text is kept as the sender wrote it, less leading and trailing white space.

Coordinates are kept as CAP writes them, latitude first (:class:`LatLon`); geometry in
(longitude, latitude) order, as shapely and GeoJSON want it, is made in :mod:`.areas` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

CAP_1_0 = "http://www.incident.com/cap/1.0"
CAP_1_1 = "urn:oasis:names:tc:emergency:cap:1.1"
CAP_1_2 = "urn:oasis:names:tc:emergency:cap:1.2"
VERSIONS = {CAP_1_0: "1.0", CAP_1_1: "1.1", CAP_1_2: "1.2"}


class Status(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    SYSTEM = "System"
    TEST = "Test"
    DRAFT = "Draft"


class MsgType(StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"
    ACK = "Ack"
    ERROR = "Error"


class Scope(StrEnum):
    PUBLIC = "Public"
    RESTRICTED = "Restricted"
    PRIVATE = "Private"


class Category(StrEnum):
    GEO = "Geo"
    MET = "Met"
    SAFETY = "Safety"
    SECURITY = "Security"
    RESCUE = "Rescue"
    FIRE = "Fire"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    CBRNE = "CBRNE"
    OTHER = "Other"


class ResponseType(StrEnum):
    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"  # new in 1.2
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"  # new in 1.2
    NONE = "None"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Severity(StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Certainty(StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


class LatLon(NamedTuple):
    """A WGS 84 point in CAP's order: latitude, then longitude (degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class NamedValue:
    """An ``eventCode``, ``parameter`` or ``geocode``: a system-specific name and its value."""

    name: str
    value: str


@dataclass(frozen=True)
class Reference:
    """One earlier message this one refers to (CAP ``references``: ``sender,identifier,sent``)."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class Circle:
    center: LatLon
    radius_km: float


@dataclass(frozen=True)
class Area:
    description: str
    # Each polygon is a closed ring of points as CAP lists them (first == last when valid).
    polygons: tuple[tuple[LatLon, ...], ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[NamedValue, ...] = ()
    # In feet above mean sea level (CAP 1.2); a ceiling is only meaningful with an altitude.
    altitude: Decimal | None = None
    ceiling: Decimal | None = None


@dataclass(frozen=True)
class Resource:
    description: str
    mime_type: str
    size: int | None = None  # bytes
    uri: str | None = None
    deref_uri: str | None = None  # the resource itself, base64
    digest: str | None = None  # SHA-1 of the resource, hex


@dataclass(frozen=True)
class Info:
    categories: tuple[Category, ...]
    event: str
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    language: str = "en-US"  # the schema's default when <language> is absent
    response_types: tuple[ResponseType, ...] = ()
    audience: str | None = None
    event_codes: tuple[NamedValue, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[NamedValue, ...] = ()
    resources: tuple[Resource, ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: Status
    msg_type: MsgType
    scope: Scope
    source: str | None = None
    restriction: str | None = None
    # Space-separated in CAP, multi-word names in double quotes; kept as the list of names.
    addresses: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: tuple[Reference, ...] = ()
    incidents: tuple[str, ...] = ()
    infos: tuple[Info, ...] = field(default=())

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages of the alert's info blocks, in document order, each once."""
        return tuple(dict.fromkeys(info.language for info in self.infos))


@dataclass(frozen=True)
class Problem:
    """One reason a message is refused.

    ``path`` locates it (``alert/info[2]/area[1]/polygon[1]``), ``code`` is stable for programs
    and tests (``polygon.not-closed``), ``message`` is a sentence a person can act on.
    """

    path: str
    code: str
    message: str


class CapError(Exception):
    """The message is refused; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in self.problems))

    @property
    def codes(self) -> set[str]:
        return {problem.code for problem in self.problems}
