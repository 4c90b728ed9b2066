"""Writing CAP 1.2: schema order, offsets, exact numbers, and 1.1 input written as 1.2."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from infoharbor.cap.model import CAP_1_2, Area, Circle, LatLon
from infoharbor.cap.parse import path_of
from infoharbor.cap.validate import schema, validate_alert
from infoharbor.cap.write import format_number, format_time, write_alert

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["weather.cap", "no_optional_fields.cap", "earthquake_signed.cap"])
def test_cap_1_1_is_written_as_valid_1_2(name: str) -> None:
    alert = validate_alert((DATA / name).read_bytes())
    written = write_alert(alert)
    root = etree.fromstring(written)
    assert root.tag == f"{{{CAP_1_2}}}alert"
    assert schema("1.2").validate(root), schema("1.2").error_log
    assert validate_alert(written) == alert


def test_multilingual_alert_round_trips_whole() -> None:
    alert = validate_alert((DATA / "canada.cap").read_bytes())
    written = write_alert(alert)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    again = validate_alert(written)
    assert again == alert
    assert again.languages == ("en-CA", "fr-CA")
    assert "comté" in written.decode("utf-8")


def test_elements_follow_the_schema_order() -> None:
    alert = validate_alert((DATA / "canada.cap").read_bytes())
    root = etree.fromstring(write_alert(alert))
    names = [etree.QName(child).localname for child in root]
    assert names[:7] == ["identifier", "sender", "sent", "status", "msgType", "source", "scope"]
    info = root.find(f"{{{CAP_1_2}}}info")
    assert info is not None
    info_names = [etree.QName(child).localname for child in info]
    assert info_names.index("language") == 0
    assert info_names.index("expires") < info_names.index("senderName") < info_names.index("area")


def test_times_keep_their_offset_and_utc_is_minus_zero() -> None:
    assert format_time(datetime(2026, 12, 3, 18, 30, tzinfo=UTC)) == "2026-12-03T18:30:00-00:00"
    plus7 = timezone(timedelta(hours=7))
    assert format_time(datetime(2026, 12, 3, 18, 30, 5, 999, tzinfo=plus7)) == (
        "2026-12-03T18:30:05+07:00"
    )
    minus = timezone(-timedelta(hours=3, minutes=30))
    assert format_time(datetime(2026, 1, 1, tzinfo=minus)) == "2026-01-01T00:00:00-03:30"
    with pytest.raises(ValueError, match="no offset"):
        format_time(datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.00001, "0.00001"), (13.7563, "13.7563"), (-180.0, "-180.0"), (Decimal("1E+3"), "1000")],
)
def test_numbers_in_plain_notation(value: float | Decimal, text: str) -> None:
    assert format_number(value) == text


def test_areas_round_trip_exactly() -> None:
    alert = validate_alert((DATA / "canada.cap").read_bytes())
    area = Area(
        "Tiny and high",
        polygons=((LatLon(0.00001, 1e-5), LatLon(0.5, 0.1), LatLon(0.1, 0.5), LatLon(1e-5, 1e-5)),),
        circles=(Circle(LatLon(13.7563, 100.5018), 12.5),),
        altitude=Decimal("100.5"),
        ceiling=Decimal("2000"),
    )
    info = alert.infos[0]
    changed = replace(alert, infos=(replace(info, areas=(area,)),))
    assert validate_alert(write_alert(changed)) == changed


def test_paths_name_repeated_elements_by_position() -> None:
    root = etree.fromstring(write_alert(validate_alert((DATA / "canada.cap").read_bytes())))
    polygon = root.findall(f".//{{{CAP_1_2}}}polygon")[-1]
    assert path_of(polygon, root) == "alert/info[2]/area[2]/polygon[1]"
