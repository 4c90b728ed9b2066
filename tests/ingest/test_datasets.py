"""Data files (CSV, JSON, XLSX) described as dataset entries: reading them within bounds,
and harvesting them over HTTP from a local server."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from infoharbor.core.models import AuditEvent, Entry
from infoharbor.ingest import harvest
from infoharbor.ingest.choices import Outcome
from infoharbor.ingest.datasets import DatasetRejected, decode_text, describe
from infoharbor.ingest.models import IngestedItem, SourceState
from tests.ingest.conftest import FIXTURES, Harbor
from tests.ingest.server import Reply

DATA = FIXTURES / "datasets"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def workbook(rows: list[list[Any]], *, sheets: int = 1, blank_rows: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Arrivals"
    for _ in range(blank_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"Notes {n}").append(["see the first sheet"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """An "XLSX" whose sheet would unpack to 60 MB of the same byte (stored as ~60 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 60_000_000 + b">")
    return out.getvalue()


class TestReading:
    def test_a_utf8_csv(self) -> None:
        table = describe(fixture("exchange-rates.csv"), url="https://x.example/rates.csv")

        assert table.format == "CSV"
        assert [(c.name, c.type) for c in table.columns] == [
            ("date", "date"),
            ("currency", "text"),
            ("buying_rate", "number"),
            ("selling_rate", "number"),
            ("note", "text"),
        ]
        assert (table.row_count, table.complete) == (5, True)
        assert table.preview[2] == ("2025-11-03", "VND", "0.00128", "0.00135", "per dong")

    @pytest.mark.parametrize(
        ("name", "encoding", "first"),
        [
            ("provinces-tis620.csv", "cp874", ("กรุงเทพมหานคร", "5494932", "1568.7")),
            ("trade-gb18030.csv", "gb18030", ("广西", "2856.3", "3127.9")),
        ],
    )
    def test_encodings_other_than_utf8_are_detected(
        self, name: str, encoding: str, first: tuple[str, ...]
    ) -> None:
        # Served as text/csv without a charset, as such files usually are.
        table = describe(fixture(name), url=f"https://x.example/{name}", content_type=CSV)

        assert table.encoding == encoding
        assert table.preview[0] == first
        assert table.row_count == 4

    def test_a_wrong_declared_charset_loses_to_valid_utf8(self) -> None:
        data = "จังหวัด,ประชากร\nหนองคาย,523207\n".encode()

        text, encoding = decode_text(data, "text/csv; charset=iso-8859-1")

        assert (encoding, text.splitlines()[1]) == ("utf-8", "หนองคาย,523207")

    def test_ragged_rows_are_counted_and_noted(self) -> None:
        table = describe(fixture("ragged.csv"), url="https://x.example/ragged.csv")

        assert table.row_count == 4  # the quoted newline is inside one field
        assert table.preview[1] == ("Sihanoukville", "640", None)
        assert table.preview[3][0] == "Tanjung Priok"
        assert "2 rows have more or fewer fields" in table.notes[0]

    def test_a_csv_cut_at_the_limit_counts_the_whole_rows_before_the_cut(self) -> None:
        data = fixture("exchange-rates.csv")
        cut = data[: data.index(b"2025-11-04,CNY") + 8]  # inside the last row

        table = describe(cut, url="https://x.example/rates.csv", cut=True)

        assert (table.row_count, table.complete) == (4, False)

    def test_a_cut_inside_a_multibyte_character_is_no_encoding_error(self) -> None:
        data = ("จังหวัด\n" + "หนองคาย\n" * 50).encode()

        table = describe(data[:-4], url="https://x.example/p.csv", cut=True)

        assert table.encoding == "utf-8"
        assert table.row_count == 49

    def test_json_records_under_a_key(self) -> None:
        table = describe(fixture("ports.json"), url="https://x.example/ports.json")

        assert table.format == "JSON"
        assert [c.name for c in table.columns] == [
            "code",
            "name",
            "country",
            "teu_2024",
            "deep_sea",
            "berths",
        ]
        assert table.columns[3].type == "integer"
        assert table.row_count == 4
        assert table.preview[2][:2] == ("VNHPH", "Hải Phòng")
        assert table.preview[2][5] == "[1, 2]"

    def test_geojson_features_are_rows_of_their_properties(self) -> None:
        data = (
            b'{"type": "FeatureCollection", "features": ['
            b'{"type": "Feature", "geometry": null, "properties": {"name": "Mekong", "km": 4909}}]}'
        )

        table = describe(data, url="https://x.example/rivers.geojson")

        assert (table.format, table.row_count, table.preview) == ("GeoJSON", 1, (("Mekong", 4909),))

    def test_a_workbook(self) -> None:
        data = workbook(
            [
                ["month", "arrivals", "checked"],
                [dt.date(2025, 1, 1), 120450, True],
                [dt.date(2025, 2, 1), 118002, False],
            ],
            sheets=2,
            blank_rows=2,
        )

        table = describe(data, url="https://x.example/arrivals.xlsx", content_type=XLSX)

        assert table.format == "XLSX"
        assert [(c.name, c.type) for c in table.columns] == [
            ("month", "date"),
            ("arrivals", "integer"),
            ("checked", "boolean"),
        ]
        assert table.row_count == 2
        assert table.preview[0] == ("2025-01-01T00:00:00", 120450, True)
        assert table.sheets == ("Arrivals", "Notes 1")
        assert "it has 2 sheets" in table.notes[0]

    def test_a_zip_bomb_posing_as_a_workbook_is_refused_quickly(self) -> None:
        bomb = zip_bomb()
        assert len(bomb) < 200_000

        started = time.monotonic()
        with pytest.raises(DatasetRejected) as refused:
            describe(bomb, url="https://x.example/book.xlsx", content_type=XLSX)

        assert refused.value.code == "zip_bomb"
        assert time.monotonic() - started < 1

    def test_a_workbook_whose_xml_declares_entities_is_refused(self) -> None:
        data = workbook([["a"], [1]])
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for member in source.infolist():
                content = source.read(member)
                if member.filename == "xl/worksheets/sheet1.xml":
                    content = content.replace(
                        b"?>",
                        b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
                        1,
                    ).replace(b"<v>1</v>", b"<v>&b;</v>")
                target.writestr(member, content)

        with pytest.raises(DatasetRejected):
            describe(out.getvalue(), url="https://x.example/book.xlsx", content_type=XLSX)

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"<!DOCTYPE html><html><body>Not found</body></html>", "not_a_data_file"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "unsupported_format"),
            (b"PK\x03\x04 broken", "not_a_data_file"),
            (b'{"data": [1, 2', "not_a_data_file"),
            (b"\n\n\n", "empty"),
            (b"a,b\x00\x00\x00\x01", "not_a_data_file"),
        ],
    )
    def test_what_is_no_data_file_is_refused_with_a_reason(self, data: bytes, code: str) -> None:
        with pytest.raises(DatasetRejected) as refused:
            describe(data, url="https://x.example/data", content_type="")

        assert refused.value.code == code


# --- Over HTTP --------------------------------------------------------------------------------


def dataset_entries(source_id: int) -> list[Entry]:
    return list(
        Entry.objects.filter(ingested__source_id=source_id).select_related("dataset").order_by("pk")
    )


@pytest.mark.django_db
class TestHarvest:
    def test_a_csv_becomes_one_dataset_entry(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/rates.csv", fixture("exchange-rates.csv"), "text/csv")
        source = harbor.source(
            "/rates.csv",
            kind="dataset",
            entry_kind="information.dataset",
            name="Bank of Thailand exchange rates",
            entry_details={"publisher": "Bank of Thailand", "update_frequency": "daily"},
        )

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        [entry] = dataset_entries(source.pk)
        assert entry.title == "Bank of Thailand exchange rates"
        assert entry.kind == "information.dataset"
        assert entry.summary == "date, currency, buying_rate, selling_rate, note"
        details = entry.dataset
        assert details.publisher == "Bank of Thailand"
        assert details.update_frequency == "daily"
        assert details.identifier == source.url
        assert details.formats == ["CSV"]
        assert details.distributions == [
            {
                "url": source.url,
                "title": "",
                "format": "CSV",
                "media_type": "text/csv",
                "size": len(fixture("exchange-rates.csv")),
            }
        ]
        assert details.row_count == 5
        assert details.preview[0][:2] == ["2025-11-03", "USD"]
        assert entry.source_url == source.url
        assert SourceState.objects.get(source=source).feed_format == "CSV"

    def test_a_thai_file_gets_a_thai_entry(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/p.csv", fixture("provinces-tis620.csv"), "text/csv")
        source = harbor.source(
            "/p.csv", kind="dataset", entry_kind="information.dataset", name="ประชากรรายจังหวัด"
        )

        [attempt] = harvest.harvest([source])

        [entry] = dataset_entries(source.pk)
        assert entry.language_id == "th"
        assert entry.dataset.columns[0] == {"name": "จังหวัด", "type": "text"}
        assert "Read as cp874." in attempt.notes

    def test_a_file_larger_than_the_limit_is_described_from_its_start(
        self, harbor: Harbor, settings: Any
    ) -> None:
        settings.INGEST_MAX_BYTES = 64 * 1024
        rows = b"".join(
            b"2025-11-%02d,USD,33.%04d,34.1,\n" % (n % 28 + 1, n) for n in range(40_000)
        )
        body = b"date,currency,buying_rate,selling_rate,note\n" + rows
        harbor.server.routes["/big.csv"] = Reply(200, body, {"Content-Type": "text/csv"})
        source = harbor.source("/big.csv", kind="dataset", entry_kind="information.dataset")

        [attempt] = harvest.harvest([source])

        assert attempt.outcome == Outcome.FETCHED, attempt.error
        details = dataset_entries(source.pk)[0].dataset
        assert details.row_count_complete is False
        assert 2000 < details.row_count < 2300  # what fits in 64 KiB
        assert details.distributions[0]["size"] == len(body)  # as the server declared it
        assert attempt.bytes == 64 * 1024
        assert "larger than the harbor reads" in attempt.notes

    def test_a_workbook_over_http(self, harbor: Harbor) -> None:
        data = workbook([["port", "calls"], ["Laem Chabang", 8123], ["Haiphong", 6001]])
        harbor.server.serve_file("/calls.xlsx", data, XLSX)
        source = harbor.source("/calls.xlsx", kind="dataset", entry_kind="information.dataset")

        harvest.harvest([source])

        details = dataset_entries(source.pk)[0].dataset
        assert details.formats == ["XLSX"]
        assert details.preview == [["Laem Chabang", 8123], ["Haiphong", 6001]]

    def test_a_zip_bomb_fails_the_harvest_with_its_reason(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/bomb.xlsx", zip_bomb(), XLSX)
        source = harbor.source("/bomb.xlsx", kind="dataset", entry_kind="information.dataset")

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, "zip_bomb")
        assert not Entry.objects.exists()

    def test_harvesting_again_changes_nothing_and_a_changed_file_updates_the_entry(
        self, harbor: Harbor
    ) -> None:
        data = fixture("exchange-rates.csv")
        harbor.server.serve_file("/rates.csv", data, "text/csv")
        source = harbor.source("/rates.csv", kind="dataset", entry_kind="information.dataset")
        harvest.harvest([source])
        before = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())

        [again] = harvest.harvest([source])
        # A server without validators, sending the same bytes.
        harbor.server.routes["/rates.csv"] = Reply(200, data, {"Content-Type": "text/csv"})
        [same] = harvest.harvest([source])

        assert again.outcome == same.outcome == Outcome.NOT_MODIFIED
        after = (Entry.objects.count(), AuditEvent.objects.count(), IngestedItem.objects.count())
        assert after == before

        harbor.server.serve_file("/rates.csv", data + b"2025-11-05,USD,33.70,34.00,\n", "text/csv")
        [changed] = harvest.harvest([source])

        assert (changed.items_new, changed.items_updated) == (0, 1)
        [entry] = dataset_entries(source.pk)
        assert entry.dataset.row_count == 6

    def test_a_web_page_instead_of_the_file_is_a_recorded_failure(self, harbor: Harbor) -> None:
        harbor.server.serve_file("/moved.csv", b"<html><body>Moved</body></html>", "text/html")
        source = harbor.source("/moved.csv", kind="dataset", entry_kind="information.dataset")

        [attempt] = harvest.harvest([source])

        assert (attempt.outcome, attempt.error_code) == (Outcome.FAILED, "not_a_data_file")
        assert SourceState.objects.get(source=source).etag == ""


def test_fixtures_are_described_in_their_readme() -> None:
    readme = (DATA / "README.md").read_text()
    for path in Path(DATA).iterdir():
        if path.name != "README.md" and path.is_file():
            assert path.name in readme, path.name
