"""CAP areas as shapely geometry in WGS 84, and the countries they touch (plain Python).

Order: CAP writes ``lat,lon``; shapely, GeoJSON and every geometry here use ``(lon, lat)``.
The conversion happens in this module only.

Circles (``lat,lon radius_km``) become polygons on the sphere: vertices at a great-circle
distance from the centre (mean Earth radius 6371.0088 km), placed on a slightly larger circle
so that the polygon's edges lie outside the true circle: the polygon always contains the
circle and overshoots it by at most ``1/cos(pi/n) - 1`` of the radius (0.12 % with the default
64 vertices). For alerting, a point a few metres outside is better warned than one inside
missed. Where the exact answer matters for a point, :func:`area_contains` measures the
great-circle distance instead. A circle across the antimeridian is split into two parts; a
circle that contains a pole becomes the cap of latitudes around it. A circle of radius 0 (the
epicentre in USGS alerts) is a point.

Polygons that break the rules (see :mod:`.rules`) are repaired with shapely's ``make_valid``
so that matching never fails on an alert that was read without validation.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shapely import STRtree, make_valid
from shapely.affinity import translate
from shapely.geometry import Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from infoharbor.cap.model import Alert, Area, Circle, LatLon

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
SEGMENTS = 64
BOUNDARIES = Path(__file__).parent / "boundaries" / "countries.geojson"
_WORLD = box(-180, -90, 180, 90)


def haversine_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two points, in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def destination(start: LatLon, bearing_deg: float, distance_km: float) -> LatLon:
    """The point ``distance_km`` from ``start`` along the great circle at ``bearing_deg``
    (longitude not wrapped: it stays within 180 degrees of the start's)."""
    angle = distance_km / EARTH_RADIUS_KM
    lat1, lon1, bearing = (math.radians(v) for v in (start.lat, start.lon, bearing_deg))
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(bearing)
    )
    lon2 = lon1 + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat1),
        math.cos(angle) - math.sin(lat1) * math.sin(lat2),
    )
    return LatLon(math.degrees(lat2), math.degrees(lon2))


def _wrap(geometry: BaseGeometry) -> BaseGeometry:
    """Longitudes beyond +-180 folded back: a shape across the antimeridian in two parts."""
    minx, _, maxx, _ = geometry.bounds
    if minx >= -180 and maxx <= 180:
        return geometry
    parts = [geometry.intersection(_WORLD)]
    if maxx > 180:
        parts.append(translate(geometry.intersection(box(180, -90, 540, 90)), xoff=-360))
    if minx < -180:
        parts.append(translate(geometry.intersection(box(-540, -90, -180, 90)), xoff=360))
    return unary_union([p for p in parts if not p.is_empty])


def circle_geometry(circle: Circle, segments: int = SEGMENTS) -> BaseGeometry:
    center, radius = circle.center, max(circle.radius_km, 0.0)
    if radius == 0:
        return Point(center.lon, center.lat)
    angle = math.degrees(radius / EARTH_RADIUS_KM)
    if center.lat + angle >= 90 or center.lat - angle <= -90:
        # The circle holds a pole: every longitude, from the far edge to the pole.
        if center.lat + angle >= 90:
            return box(-180, max(center.lat - angle, -90), 180, 90)
        return box(-180, -90, 180, min(center.lat + angle, 90))
    reach = radius / math.cos(math.pi / segments)  # circumscribed: edges outside the circle
    ring = [destination(center, 360 * i / segments, reach) for i in range(segments)]
    polygon = Polygon([(p.lon, p.lat) for p in ring])
    return _wrap(polygon if polygon.is_valid else make_valid(polygon))


def polygon_geometry(points: Iterable[LatLon]) -> BaseGeometry:
    """A CAP polygon (lat,lon points) as a shapely polygon in (lon, lat)."""
    polygon = Polygon([(p.lon, p.lat) for p in points])
    return polygon if polygon.is_valid else make_valid(polygon)


def area_geometry(area: Area) -> BaseGeometry | None:
    """The union of the area's polygons and circles; None when it has neither (geocodes only:
    resolving them needs the admin boundaries they name)."""
    shapes = [polygon_geometry(p) for p in area.polygons if len(p) >= 3]
    shapes += [circle_geometry(c) for c in area.circles]
    return unary_union(shapes) if shapes else None


def alert_geometry(alert: Alert) -> BaseGeometry | None:
    """The union of every area of every info block of the alert."""
    shapes = [g for info in alert.infos for a in info.areas if (g := area_geometry(a)) is not None]
    return unary_union(shapes) if shapes else None


def area_contains(area: Area, point: LatLon) -> bool:
    """Whether the point is in one of the area's polygons or circles (circles measured on the
    sphere, exactly; a point on an edge counts as inside)."""
    if any(haversine_km(c.center, point) <= c.radius_km for c in area.circles):
        return True
    spot = Point(point.lon, point.lat)
    return any(polygon_geometry(p).covers(spot) for p in area.polygons if len(p) >= 3)


def intersects(area: Area, other: BaseGeometry) -> bool:
    """Whether the area and a geometry in (lon, lat) share any point."""
    geometry = area_geometry(area)
    return geometry is not None and geometry.intersects(other)


def contains(area: Area, other: BaseGeometry) -> bool:
    """Whether the geometry in (lon, lat) lies wholly inside the area."""
    geometry = area_geometry(area)
    return geometry is not None and geometry.covers(other)


@dataclass(frozen=True)
class Country:
    iso_a2: str
    iso_a3: str
    name: str  # Natural Earth's English name; the harbor's reference data translates codes
    geometry: BaseGeometry = field(repr=False, compare=False)


@dataclass(frozen=True)
class _Index:
    countries: tuple[Country, ...]
    tree: STRtree


@functools.cache
def _index() -> _Index:
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    countries = tuple(
        Country(
            iso_a2=feature["properties"]["ISO_A2"],
            iso_a3=feature["properties"]["ISO_A3"],
            name=feature["properties"]["NAME"],
            geometry=shape(feature["geometry"]),
        )
        for feature in data["features"]
    )
    return _Index(countries, STRtree([c.geometry for c in countries]))


def countries() -> tuple[Country, ...]:
    """The shipped country outlines: China, Hong Kong, Macao, Taiwan, the ASEAN states and
    Timor-Leste (Natural Earth 1:50m, simplified; see boundaries/SOURCE.md)."""
    return _index().countries


def countries_touching(geometry: BaseGeometry | None) -> list[Country]:
    """The shipped countries the geometry (lon, lat) touches, by ISO code; none for None."""
    if geometry is None or geometry.is_empty:
        return []
    index = _index()
    hits = index.tree.query(geometry, predicate="intersects")
    return sorted((index.countries[int(i)] for i in hits), key=lambda c: c.iso_a2)


def country_at(point: LatLon) -> Country | None:
    """The shipped country that holds the point, if any."""
    found = countries_touching(Point(point.lon, point.lat))
    return found[0] if found else None
