"""The rules the schema cannot express, each with a clear error (and all of them at once)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from infoharbor.cap.model import (
    Alert,
    Area,
    CapError,
    Category,
    Certainty,
    Circle,
    Info,
    LatLon,
    MsgType,
    Reference,
    Scope,
    Severity,
    Status,
    Urgency,
)
from infoharbor.cap.rules import language_tag_ok
from infoharbor.cap.validate import check_alert, validate_alert
from infoharbor.cap.write import write_alert

BANGKOK = timezone(timedelta(hours=7))
SENT = datetime(2026, 12, 3, 18, 30, tzinfo=BANGKOK)
SQUARE = (LatLon(13, 100), LatLon(13, 101), LatLon(14, 101), LatLon(14, 100), LatLon(13, 100))


def alert(*areas: Area, **changes: object) -> Alert:
    info = Info(
        categories=(Category.MET,),
        event="Flood",
        urgency=Urgency.IMMEDIATE,
        severity=Severity.SEVERE,
        certainty=Certainty.OBSERVED,
        language="th",
        expires=SENT + timedelta(hours=6),
        areas=areas or (Area("Bangkok", polygons=(SQUARE,)),),
    )
    base = Alert(
        identifier="TMD-2026-0001",
        sender="alerts@tmd.go.th",
        sent=SENT,
        status=Status.ACTUAL,
        msg_type=MsgType.ALERT,
        scope=Scope.PUBLIC,
        infos=(info,),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(value: Alert) -> dict[str, str]:
    return {p.code: p.path for p in check_alert(value)}


def rejected(value: Alert) -> CapError:
    """The alert written as CAP 1.2 and read back through the whole validator."""
    with pytest.raises(CapError) as error:
        validate_alert(write_alert(value))
    return error.value


def test_a_good_alert_passes_and_round_trips() -> None:
    good = alert()
    assert check_alert(good) == []
    assert validate_alert(write_alert(good)) == good


def test_self_intersecting_polygon() -> None:
    bowtie = (LatLon(13, 100), LatLon(14, 101), LatLon(14, 100), LatLon(13, 101), LatLon(13, 100))
    error = rejected(alert(Area("Bow tie", polygons=(bowtie,))))
    (problem,) = error.problems
    assert problem.code == "polygon.invalid"
    assert problem.path == "alert/info[1]/area[1]/polygon[1]"
    # shapely's location, in CAP's lat,lon order.
    assert "self-intersection at 13.5,100.5" in problem.message
    assert "does not cross itself" in problem.message


def test_three_points() -> None:
    triangle = (LatLon(13, 100), LatLon(14, 101), LatLon(13, 100))
    (problem,) = rejected(alert(Area("Too few", polygons=(triangle,)))).problems
    assert problem.code == "polygon.too-few-points"
    assert "has 3 point(s); it needs at least 4" in problem.message


def test_unclosed_ring() -> None:
    ring = (*SQUARE[:-1], LatLon(13.5, 100))
    (problem,) = rejected(alert(Area("Open", polygons=(ring,)))).problems
    assert problem.code == "polygon.not-closed"
    assert "must repeat its first (13,100)" in problem.message


def test_latitude_91() -> None:
    ring = (LatLon(91, 100), LatLon(13, 101), LatLon(14, 101), LatLon(91, 100))
    (problem,) = rejected(alert(Area("North", polygons=(ring,)))).problems
    assert problem.code == "coordinate.out-of-range"
    assert "latitude 91 is outside -90..90" in problem.message


def test_longitude_out_of_range_says_latitude_comes_first() -> None:
    # The classic mistake: lon,lat written where CAP wants lat,lon.
    swapped = tuple(LatLon(p.lon, p.lat) for p in SQUARE)
    problems = rejected(alert(Area("Swapped", polygons=(swapped,)))).problems
    assert {p.code for p in problems} == {"coordinate.out-of-range"}
    assert "latitude 100 is outside" in problems[0].message
    assert "latitude first" in problems[0].message


def test_negative_radius() -> None:
    circle = Circle(LatLon(13.75, 100.5), -1)
    (problem,) = rejected(alert(Area("Circle", circles=(circle,)))).problems
    assert problem.code == "circle.negative-radius"
    assert problem.path == "alert/info[1]/area[1]/circle[1]"
    assert "-1 km; it must be 0 or more" in problem.message


def test_circle_centre_out_of_range() -> None:
    circle = Circle(LatLon(13.75, 200), 5)
    assert codes(alert(Area("Circle", circles=(circle,)))) == {
        "coordinate.out-of-range": "alert/info[1]/area[1]/circle[1]"
    }


def test_every_problem_is_listed_at_once() -> None:
    bad = alert(
        Area("a", polygons=(SQUARE[:3],), circles=(Circle(LatLon(0, 0), -1),)),
        Area("b", polygons=(SQUARE[:-1],)),
        identifier="has space",
        msg_type=MsgType.UPDATE,
    )
    assert set(codes(bad)) == {
        "identifier.invalid",
        "references.required",
        "polygon.too-few-points",
        "polygon.not-closed",
        "circle.negative-radius",
    }
    assert len(rejected(bad).problems) >= 5


@pytest.mark.parametrize("msg_type", [MsgType.UPDATE, MsgType.CANCEL, MsgType.ACK, MsgType.ERROR])
def test_update_cancel_ack_error_need_references(msg_type: MsgType) -> None:
    assert "references.required" in codes(alert(msg_type=msg_type))
    earlier = Reference("alerts@tmd.go.th", "TMD-2026-0000", SENT - timedelta(hours=1))
    assert codes(alert(msg_type=msg_type, references=(earlier,))) == {}


def test_references_must_not_refer_to_the_alert_itself() -> None:
    itself = Reference("alerts@tmd.go.th", "TMD-2026-0001", SENT)
    assert "references.self" in codes(alert(msg_type=MsgType.UPDATE, references=(itself,)))


def test_malformed_references_in_xml() -> None:
    xml = write_alert(alert()).replace(
        b"<scope>Public</scope>",
        b"<scope>Public</scope><references>tmd,only-two tmd,x,2026-12-03</references>",
    )
    with pytest.raises(CapError) as error:
        validate_alert(xml)
    problems = [p for p in error.value.problems if p.code == "references.malformed"]
    assert [p.message.split("'")[1] for p in problems] == ["tmd,only-two", "tmd,x,2026-12-03"]


def test_references_are_triples() -> None:
    xml = write_alert(alert()).replace(
        b"<scope>Public</scope>",
        b"<scope>Public</scope><references>a@b,ID-1,2026-12-03T10:00:00-00:00 "
        b"a@b,ID-2,2026-12-03T11:00:00+07:00</references>",
    )
    read = validate_alert(xml)
    assert read.references == (
        Reference("a@b", "ID-1", datetime(2026, 12, 3, 10, tzinfo=UTC)),
        Reference("a@b", "ID-2", datetime(2026, 12, 3, 4, tzinfo=UTC)),
    )


@pytest.mark.parametrize(
    ("field", "code"),
    [("sent", "expires.not-after-sent"), ("effective", "expires.not-after-effective")],
)
def test_expires_after_sent_and_effective(field: str, code: str) -> None:
    info = alert().infos[0]
    late = SENT + timedelta(hours=7)
    if field == "sent":
        value = alert(sent=late)
    else:
        value = replace(alert(), infos=(replace(info, effective=late),))
    assert codes(value) == {code: "alert/info[1]/expires"}


def test_expires_after_onset() -> None:
    info = replace(alert().infos[0], onset=SENT + timedelta(days=1))
    assert codes(replace(alert(), infos=(info,))) == {
        "expires.not-after-onset": "alert/info[1]/expires"
    }


def test_identifier_and_sender_without_spaces_commas_or_lt() -> None:
    for bad in ("a b", "a,b", "a<b", "a&b", ""):
        assert "identifier.invalid" in codes(alert(identifier=bad))
        assert "sender.invalid" in codes(alert(sender=bad))


def test_scope_restricted_and_private_need_their_element() -> None:
    assert "restriction.required" in codes(alert(scope=Scope.RESTRICTED))
    assert "addresses.required" in codes(alert(scope=Scope.PRIVATE))
    assert codes(alert(scope=Scope.PRIVATE, addresses=("ndrcc", "Thai Red Cross"))) == {}


@pytest.mark.parametrize(
    "tag",
    ["en", "en-US", "zh-Hant-TW", "zh-tw", "fil", "es-419", "sr-Latn-RS", "x-private", "i-klingon"],
)
def test_well_formed_language_tags(tag: str) -> None:
    assert language_tag_ok(tag)


@pytest.mark.parametrize("tag", ["", "toolongname", "en_US", "e", "en--us", "123", "zh-Hant-TW-"])
def test_malformed_language_tags(tag: str) -> None:
    assert not language_tag_ok(tag)
    info = replace(alert().infos[0], language=tag)
    assert "language.invalid" in codes(replace(alert(), infos=(info,)))


def test_duplicated_info_blocks() -> None:
    info = alert().infos[0]
    english = replace(info, language="en")
    assert codes(replace(alert(), infos=(info, english))) == {}
    assert codes(replace(alert(), infos=(info, english, info))) == {
        "info.duplicate": "alert/info[3]"
    }


def test_ceiling_needs_altitude_and_lies_above_it() -> None:
    from decimal import Decimal

    area = Area("Sky", polygons=(SQUARE,), ceiling=Decimal(1000))
    assert "ceiling.without-altitude" in codes(alert(area))
    area = replace(area, altitude=Decimal(2000))
    assert "ceiling.below-altitude" in codes(alert(area))
    assert codes(alert(replace(area, altitude=Decimal(500)))) == {}


def test_times_without_offset_in_alerts_built_in_code() -> None:
    assert "time.no-offset" in codes(alert(sent=datetime(2026, 12, 3, 18, 30)))  # noqa: DTZ001


def test_control_characters_that_xml_cannot_carry() -> None:
    info = replace(alert().infos[0], headline="Flood\x00warning")
    problems = check_alert(replace(alert(), infos=(info,)))
    assert [(p.path, p.code) for p in problems] == [("alert/info[1]", "text.control-character")]
    assert "Flood?warning" in problems[0].message
