"""CAP areas as geometry: lat,lon -> (lon, lat), circles on the sphere, countries touched."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from shapely.geometry import Point, box

from infoharbor.cap.areas import (
    EARTH_RADIUS_KM,
    SEGMENTS,
    alert_geometry,
    area_contains,
    area_geometry,
    circle_geometry,
    contains,
    countries,
    countries_touching,
    country_at,
    destination,
    haversine_km,
    intersects,
)
from infoharbor.cap.model import Area, Circle, LatLon
from infoharbor.cap.validate import validate_alert

DATA = Path(__file__).parent / "data"
BANGKOK = LatLon(13.7563, 100.5018)
VIENTIANE = LatLon(17.9757, 102.6331)
ONE_DEGREE_KM = math.pi * EARTH_RADIUS_KM / 180  # 111.195 km


def test_polygon_points_are_turned_to_lon_lat() -> None:
    ring = (LatLon(13, 100), LatLon(13, 101), LatLon(14, 101), LatLon(13, 100))
    geometry = area_geometry(Area("t", polygons=(ring,)))
    assert geometry is not None
    assert geometry.bounds == (100, 13, 101, 14)  # minx is the longitude


def test_known_distances() -> None:
    assert haversine_km(LatLon(0, 0), LatLon(1, 0)) == pytest.approx(111.195, abs=0.001)
    assert haversine_km(LatLon(0, 0), LatLon(0, 90)) == pytest.approx(
        10007.557, abs=0.001
    )  # a quarter meridian
    # A degree of longitude at 60 degrees north is half of one at the equator.
    assert haversine_km(LatLon(60, 0), LatLon(60, 1)) == pytest.approx(111.195 / 2, rel=1e-4)


@pytest.mark.parametrize("center", [LatLon(0, 0), BANGKOK, LatLon(60, 25), LatLon(-33.9, 151.2)])
def test_circle_polygon_holds_the_circle_and_little_more(center: LatLon) -> None:
    radius = 25.0
    geometry = circle_geometry(Circle(center, radius))
    for bearing in range(0, 360, 7):
        inside = destination(center, bearing, radius * 0.999)
        outside = destination(center, bearing, radius * (1 / math.cos(math.pi / SEGMENTS)) * 1.01)
        assert geometry.covers(Point(inside.lon, inside.lat)), bearing
        assert not geometry.covers(Point(outside.lon, outside.lat)), bearing
        assert haversine_km(center, inside) == pytest.approx(radius * 0.999, rel=1e-9)


def test_circle_of_one_degree_at_the_equator() -> None:
    area = Area("c", circles=(Circle(LatLon(0, 0), ONE_DEGREE_KM),))
    assert area_contains(area, LatLon(0.999, 0))
    assert not area_contains(area, LatLon(1.001, 0))
    assert area_contains(area, LatLon(0, -0.999))


def test_circle_across_the_antimeridian() -> None:
    geometry = circle_geometry(Circle(LatLon(0, 179.9), 50))
    assert geometry.geom_type == "MultiPolygon"
    assert geometry.covers(Point(-179.95, 0))
    assert geometry.covers(Point(179.95, 0))
    assert geometry.bounds[0] >= -180
    assert geometry.bounds[2] <= 180


def test_circle_around_a_pole() -> None:
    geometry = circle_geometry(Circle(LatLon(89.5, 0), 100))
    assert geometry.covers(Point(120, 89.9))
    assert geometry.covers(Point(-60, 89.0))


def test_circle_of_radius_zero_is_its_centre() -> None:
    geometry = circle_geometry(Circle(BANGKOK, 0))
    assert geometry.equals(Point(BANGKOK.lon, BANGKOK.lat))


def test_union_of_an_alerts_areas_and_intersection_tests() -> None:
    alert = validate_alert((DATA / "canada.cap").read_bytes())
    geometry = alert_geometry(alert)
    assert geometry is not None
    windsor = LatLon(42.3149, -83.0364)
    assert geometry.covers(Point(windsor.lon, windsor.lat))
    area = alert.infos[0].areas[0]
    assert area_contains(area, windsor)
    assert not area_contains(area, BANGKOK)
    assert intersects(area, box(-83, 42, -82.9, 42.1))
    assert contains(area, box(-82.8, 42.0, -82.7, 42.1))
    assert not contains(area, box(-84, 41, -82, 43))


def test_geocode_only_area_has_no_geometry() -> None:
    assert area_geometry(Area("County", geocodes=())) is None
    assert countries_touching(None) == []


def test_self_intersecting_polygon_is_repaired_for_matching() -> None:
    bowtie = (LatLon(13, 100), LatLon(14, 101), LatLon(14, 100), LatLon(13, 101), LatLon(13, 100))
    area = Area("Bow tie", polygons=(bowtie,))
    assert area_contains(area, LatLon(13.1, 100.5))
    assert not area_contains(area, LatLon(13.5, 100.1))


def test_shipped_countries() -> None:
    codes = {c.iso_a2 for c in countries()}
    assert codes == {
        "BN", "CN", "HK", "ID", "KH", "LA", "MO", "MM", "MY", "PH", "SG", "TH", "TL", "TW", "VN"
    }  # fmt: skip
    assert all(c.geometry.is_valid for c in countries())


@pytest.mark.parametrize(
    ("point", "code"),
    [
        (BANGKOK, "TH"),
        (VIENTIANE, "LA"),
        (LatLon(1.3521, 103.8198), "SG"),
        (LatLon(22.3817, 114.1877), "HK"),
        (LatLon(22.6273, 120.3014), "TW"),
        (LatLon(21.0285, 105.8542), "VN"),
        (LatLon(14.5995, 120.9842), "PH"),
        (LatLon(-8.5569, 125.5603), "TL"),
    ],
)
def test_country_at(point: LatLon, code: str) -> None:
    country = country_at(point)
    assert country is not None
    assert country.iso_a2 == code


def test_which_countries_an_area_touches() -> None:
    # 30 km around Vientiane reaches across the Mekong into Thailand.
    near_border = circle_geometry(Circle(VIENTIANE, 30))
    assert [c.iso_a2 for c in countries_touching(near_border)] == ["LA", "TH"]
    assert country_at(LatLon(10, 130)) is None  # the open Pacific
    canada = alert_geometry(validate_alert((DATA / "canada.cap").read_bytes()))
    assert countries_touching(canada) == []
