"""A data file (CSV, JSON or XLSX) described as one open dataset entry.

The file is read within bounds and never whole beyond them: the fetcher hands over at most
``INGEST_MAX_BYTES`` of it (a larger file is cut there, and marked so), and from those
bytes this module takes the columns, the number of rows (all of them, or "at least" so many
when the file was cut) and the first rows as a preview. Plain Python, apart from
:func:`harvest_file` at the end, which runs it for a source.

- **CSV**: the encoding is the byte order mark's, else UTF-8 when the bytes are valid
  UTF-8, else the charset the server declared when the bytes decode with it, else the one
  charset-normalizer detects (Thai TIS-620, GB18030, Big5, Windows-1258 files are common);
  the delimiter is sniffed (comma, semicolon, tab, bar); the first row is the header.
  Ragged rows (more or fewer fields than the header) are counted and noted, not refused.
- **JSON**: a list of records, or an object holding one (``{"data": [...]}``), or GeoJSON
  (the features' properties); a file cut at the limit cannot be parsed and is described by
  its size and format alone.
- **XLSX**: openpyxl in read-only mode, first checked as a zip archive: a workbook that
  would unpack to more than :data:`MAX_UNZIPPED_BYTES`, or whose parts are compressed more
  than :data:`MAX_RATIO` times (a zip bomb), is refused before openpyxl opens it; rows are
  counted up to :data:`MAX_ROWS`. openpyxl reads its XML through defusedxml.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import email.utils
import hashlib
import html
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import charset_normalizer

from infoharbor.ingest.feeds import FeedItem

if TYPE_CHECKING:
    from infoharbor.ingest.runs import Run

PREVIEW_ROWS = 10
PREVIEW_COLUMNS = 50
MAX_COLUMNS = 500
MAX_CELL = 200
TYPE_SAMPLE = 1000  # rows looked at to tell a column's type
MAX_ROWS = 1_000_000  # rows of a workbook counted; beyond, "at least"
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed size of one part of a workbook
MAX_ZIP_MEMBERS = 5_000
MAX_SECONDS = 60.0  # reading one workbook
SNIFF_BYTES = 64 * 1024
DETECT_BYTES = 256 * 1024

DATA_TYPES = (
    "text/csv, application/json, "
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
    "text/plain;q=0.8, */*;q=0.5"
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | bool | None


class DatasetRejected(Exception):
    """Not a data file the harbor can describe; ``code`` is stable, ``message`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    name: str
    type: str = ""  # integer, number, date, boolean, text; "" when every value is empty


@dataclass(frozen=True)
class Table:
    format: str  # CSV, TSV, JSON, GeoJSON, XLSX
    media_type: str
    columns: tuple[Column, ...]
    row_count: int | None
    complete: bool  # every row counted (False: at least row_count)
    preview: tuple[tuple[Cell, ...], ...]
    encoding: str = ""
    notes: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()


# --- Telling the format ----------------------------------------------------------------------


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else ""


def sniff_format(data: bytes, url: str, content_type: str) -> str:
    """CSV, TSV, JSON or XLSX; a :class:`DatasetRejected` for what is none of them."""
    media = _media_type(content_type)
    path = urlsplit(url).path.lower()
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04"):
        return "XLSX"
    if (
        data.startswith(b"\xd0\xcf\x11\xe0")
        or path.endswith(".xls")
        or media == "application/vnd.ms-excel"
    ):
        raise DatasetRejected(
            "unsupported_format",
            "This is a workbook in the old binary Excel format (.xls), which the harbor does "
            "not read; ask the publisher for XLSX or CSV.",
        )
    lowered = head[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or media in {
        "text/html",
        "application/xhtml+xml",
    }:
        raise DatasetRejected(
            "not_a_data_file", "This address gives a web page, not a CSV, JSON or XLSX file."
        )
    if head[:1] in {b"{", b"["} or "json" in media or path.endswith((".json", ".geojson")):
        return "JSON"
    if head[:1] == b"<" or media.endswith("xml"):
        raise DatasetRejected(
            "unsupported_format",
            "This is an XML document; a DCAT catalogue is added as a DCAT source, and other "
            "XML data is not read as a table.",
        )
    if path.endswith((".tsv", ".tab")) or media == "text/tab-separated-values":
        return "TSV"
    return "CSV"


# --- Text ------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decodes(data: bytes, encoding: str, *, cut: bool) -> str | None:
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        # A file cut at the limit may end inside a character: that tail is not an error.
        return decoder.decode(data, final=not cut)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes, content_type: str = "", *, cut: bool = False) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read in (see the module's docstring)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decodes(data, encoding, cut=cut)
            if text is not None:
                return text, encoding.removesuffix("-sig")
    text = _decodes(data, "utf-8", cut=cut)
    if text is not None:
        return text, "utf-8"
    declared = _charset(content_type)
    if declared:
        text = _decodes(data, declared, cut=cut)
        if text is not None:
            return text, codecs.lookup(declared).name
    best = charset_normalizer.from_bytes(data[:DETECT_BYTES]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding, errors="replace"), codecs.lookup(encoding).name
    except LookupError:  # pragma: no cover - charset-normalizer names Python codecs
        return data.decode("latin-1"), "latin-1"


# --- Columns and cells -----------------------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?.*)?$")
_BOOLEAN = frozenset({"true", "false", "yes", "no"})


def _kind_of(value: Cell) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    text = str(value).strip()
    if _INTEGER.match(text):
        return "integer"
    if _NUMBER.match(text):
        return "number"
    if _DATE.match(text):
        return "date"
    if text.lower() in _BOOLEAN:
        return "boolean"
    return "text"


def _merge(a: str, b: str) -> str:
    if not a or a == b:
        return b or a
    if not b:
        return a
    if {a, b} == {"integer", "number"}:
        return "number"
    return "text"


class _Types:
    def __init__(self, width: int) -> None:
        self.kinds = [""] * width
        self.seen = 0

    def add(self, row: Sequence[Cell]) -> None:
        if self.seen >= TYPE_SAMPLE:
            return
        self.seen += 1
        for at, value in enumerate(row[: len(self.kinds)]):
            self.kinds[at] = _merge(self.kinds[at], _kind_of(value))


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in {float("inf"), float("-inf")} else str(value)
        )
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _names(header: Sequence[Any]) -> list[str]:
    names = []
    for at, value in enumerate(header[:MAX_COLUMNS], start=1):
        name = _cell(value)
        names.append(str(name) if name not in (None, "") else f"column {at}")
    return names


def _columns(names: list[str], types: _Types) -> tuple[Column, ...]:
    return tuple(Column(name, kind) for name, kind in zip(names, types.kinds, strict=True))


def _preview_row(row: Sequence[Any], width: int) -> tuple[Cell, ...]:
    cells = [_cell(value) for value in row[: min(width, PREVIEW_COLUMNS)]]
    return tuple(cells + [None] * (min(width, PREVIEW_COLUMNS) - len(cells)))


# --- CSV -------------------------------------------------------------------------------------


def _dialect(sample: str, tabs: bool) -> type[csv.Dialect] | csv.Dialect:
    if tabs:
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def describe_csv(
    data: bytes, *, content_type: str = "", cut: bool = False, tabs: bool = False
) -> Table:
    text, encoding = decode_text(data, content_type, cut=cut)
    notes = []
    if cut:
        # The last line of a cut file is a piece of a row.
        end = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: end + 1] if end >= 0 else ""
        notes.append("The file is larger than the harbor reads: rows counted up to the cut.")
    if "\x00" in text[:SNIFF_BYTES]:
        raise DatasetRejected(
            "not_a_data_file", "This file holds binary data, not comma-separated text."
        )
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:SNIFF_BYTES], tabs))
    names: list[str] | None = None
    types: _Types | None = None
    preview: list[tuple[Cell, ...]] = []
    rows = ragged = 0
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                continue
            if names is None:
                names = _names(row)
                types = _Types(len(names))
                continue
            rows += 1
            if len(row) != len(names):
                ragged += 1
            assert types is not None  # noqa: S101 - set with the header
            types.add(row)
            if len(preview) < PREVIEW_ROWS:
                preview.append(_preview_row(row, len(names)))
    except csv.Error as error:
        cut = True
        notes.append(f"Reading stopped at line {reader.line_num}: {error}.")
    if names is None or types is None:
        raise DatasetRejected("empty", "The file has no rows.")
    if ragged:
        notes.append(f"{ragged} rows have more or fewer fields than the header's {len(names)}.")
    return Table(
        format="TSV" if tabs else "CSV",
        media_type="text/tab-separated-values" if tabs else "text/csv",
        columns=_columns(names, types),
        row_count=rows,
        complete=not cut,
        preview=tuple(preview),
        encoding=encoding,
        notes=tuple(notes),
    )


# --- JSON ------------------------------------------------------------------------------------


def _records(document: Any) -> tuple[list[Any], str]:
    """The list of records in ``document``, and the format (JSON or GeoJSON)."""
    if isinstance(document, dict):
        if document.get("type") == "FeatureCollection" and isinstance(
            document.get("features"), list
        ):
            features = document["features"]
            return [f.get("properties") or {} for f in features if isinstance(f, dict)], "GeoJSON"
        for value in document.values():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:50]):
                return value, "JSON"
        return [document], "JSON"
    if isinstance(document, list):
        return document, "JSON"
    return [document], "JSON"


def describe_json(data: bytes, *, content_type: str = "", cut: bool = False) -> Table:
    if cut:
        return Table(
            format="JSON",
            media_type="application/json",
            columns=(),
            row_count=None,
            complete=False,
            preview=(),
            notes=(
                "The JSON file is larger than the harbor reads; it is described by its "
                "address, size and format only.",
            ),
        )
    text, encoding = decode_text(data, content_type)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise DatasetRejected("not_a_data_file", f"This is not valid JSON: {error}.") from None
    records, format_ = _records(document)
    names: list[str] = []
    if (
        records
        and all(isinstance(r, list) for r in records[:50])
        and all(isinstance(v, str) for v in records[0])
    ):
        names = _names(records[0])  # a list of rows under a header row
        rows: list[Sequence[Any]] = [r for r in records[1:] if isinstance(r, list)]
    else:
        keys: dict[str, None] = {}
        for record in records[:TYPE_SAMPLE]:
            if isinstance(record, dict):
                for key in record:
                    if len(keys) < MAX_COLUMNS:
                        keys.setdefault(str(key)[:MAX_CELL], None)
        names = list(keys) or ["value"]
        rows = [
            [record.get(name) for name in names] if isinstance(record, dict) else [record]
            for record in records
        ]
    types = _Types(len(names))
    for row in rows[:TYPE_SAMPLE]:
        types.add([v if not isinstance(v, dict | list) else "{}" for v in row])
    return Table(
        format=format_,
        media_type="application/geo+json" if format_ == "GeoJSON" else "application/json",
        columns=_columns(names, types),
        row_count=len(rows),
        complete=True,
        preview=tuple(_preview_row(row, len(names)) for row in rows[:PREVIEW_ROWS]),
        encoding=encoding,
    )


# --- XLSX ------------------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DatasetRejected(
            "not_a_data_file", f"This is not a readable XLSX workbook: {error}."
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise DatasetRejected("zip_bomb", f"The workbook has {len(members):,} parts; refused.")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1024 * 1024 and ratio > MAX_RATIO:
                raise DatasetRejected(
                    "zip_bomb",
                    f"A part of the workbook ({member.filename}) would unpack {ratio:,.0f} "
                    "times larger than it is stored; refused as a zip bomb.",
                )
        if total > MAX_UNZIPPED_BYTES:
            raise DatasetRejected(
                "zip_bomb",
                f"The workbook would unpack to {total:,} bytes, more than the harbor's "
                f"{MAX_UNZIPPED_BYTES:,}; refused.",
            )


def _trimmed(row: Sequence[Any]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] in (None, ""):
        end -= 1
    return list(row[:end])


def describe_xlsx(
    data: bytes, *, cut: bool = False, clock: Callable[[], float] = time.monotonic
) -> Table:
    if cut:
        return Table(
            format="XLSX",
            media_type=XLSX_TYPE,
            columns=(),
            row_count=None,
            complete=False,
            preview=(),
            notes=(
                "The workbook is larger than the harbor reads (a workbook is read whole); it "
                "is described by its address, size and format only.",
            ),
        )
    _check_zip(data)
    import openpyxl  # only workbooks need it, and it takes a moment to import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken workbook
        raise DatasetRejected(
            "not_a_data_file", f"This is not a readable XLSX workbook: {error}."
        ) from None
    try:
        sheets = tuple(workbook.sheetnames)
        sheet = workbook.active or workbook.worksheets[0]
        started = clock()
        names: list[str] | None = None
        types: _Types | None = None
        preview: list[tuple[Cell, ...]] = []
        rows = 0
        complete = True
        notes = []
        for raw in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            row = _trimmed(raw)
            if not row:
                continue
            if names is None:
                names = _names(row)
                types = _Types(len(names))
                continue
            rows += 1
            assert types is not None  # noqa: S101 - set with the header
            types.add(row)
            if len(preview) < PREVIEW_ROWS:
                preview.append(_preview_row(row, len(names)))
            if rows >= MAX_ROWS or (rows % 1000 == 0 and clock() - started > MAX_SECONDS):
                complete = False
                notes.append(f"Rows counted up to {rows:,}; the sheet has more.")
                break
    except DatasetRejected:
        raise
    except Exception as error:  # a sheet that breaks half-way (bad XML, a lying zip)
        raise DatasetRejected(
            "not_a_data_file", f"The workbook could not be read: {error}."
        ) from None
    finally:
        workbook.close()
    if names is None or types is None:
        raise DatasetRejected("empty", "The workbook's first sheet is empty.")
    if len(sheets) > 1:
        notes.append(f"Described from its sheet {sheet.title!r}; it has {len(sheets)} sheets.")
    return Table(
        format="XLSX",
        media_type=XLSX_TYPE,
        columns=_columns(names, types),
        row_count=rows,
        complete=complete,
        preview=tuple(preview),
        notes=tuple(notes),
        sheets=sheets,
    )


def describe(data: bytes, *, url: str, content_type: str = "", cut: bool = False) -> Table:
    """The table in ``data`` (CSV, TSV, JSON or XLSX), fetched from ``url``."""
    format_ = sniff_format(data, url, content_type)
    if format_ == "XLSX":
        return describe_xlsx(data, cut=cut)
    if format_ == "JSON":
        return describe_json(data, content_type=content_type, cut=cut)
    return describe_csv(data, content_type=content_type, cut=cut, tabs=format_ == "TSV")


# --- The dataset entry -----------------------------------------------------------------------


def _http_date(value: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC) if when is not None else None


@dataclass(frozen=True)
class FileFacts:
    """What the fetch said about the file."""

    url: str  # the source's address
    fetched_from: str  # after redirects
    size: int | None  # bytes, when known
    last_modified: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def file_item(table: Table, facts: FileFacts, *, title: str) -> FeedItem:
    """One dataset entry for the file: titled after its source, its columns as summary."""
    names = [column.name for column in table.columns]
    summary = ", ".join(names)
    if len(summary) > 500:
        summary = summary[:499] + "…"
    details: dict[str, Any] = {
        "identifier": facts.url,
        "formats": [table.format],
        "distributions": [
            {
                "url": facts.fetched_from,
                "format": table.format,
                "media_type": table.media_type,
                "size": facts.size,
            }
        ],
        "columns": [{"name": c.name, "type": c.type} for c in table.columns],
        "row_count": table.row_count,
        "row_count_complete": table.complete,
        "preview": [list(row) for row in table.preview],
    }
    return FeedItem(
        guid=facts.url,
        link=facts.url,
        title=title,
        summary=f"<p>{html.escape(summary)}</p>" if summary else "",
        content="",
        language="",
        published=_http_date(facts.last_modified),
        updated=None,
        details=details,
    )


def harvest_file(run: Run) -> None:
    """A dataset file source: fetch it (conditionally, cut at the byte limit), describe it,
    and keep its one entry up to date."""
    source, state = run.source, run.state
    result = run.fetch_or_fail(
        source.url,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=DATA_TYPES,
        truncate=True,
    )
    run.etag, run.last_modified = result.etag, result.last_modified
    if result.not_modified:
        run.not_modified = True
        return
    digest = hashlib.sha256(result.body).hexdigest()
    if digest == state.document_hash:
        run.not_modified = True
        run.note("The same file as at the last harvest.")
        return
    # Not at the top: this module stays free of Django (runs is not).
    from infoharbor.ingest.runs import HarvestFailed

    try:
        table = describe(
            result.body, url=result.url, content_type=result.content_type, cut=result.truncated
        )
    except DatasetRejected as error:
        raise HarvestFailed(error.code, error.message, status=result.status) from None
    for note in table.notes:
        run.note(note)
    if table.encoding and table.encoding != "utf-8":
        run.note(f"Read as {table.encoding}.")
    size = result.declared_size if result.truncated else len(result.body)
    facts = FileFacts(
        url=source.url,
        fetched_from=result.url,
        size=size,
        last_modified=result.last_modified,
    )
    run.ingest([file_item(table, facts, title=source.name)])
    run.format = table.format
    run.title = source.name
    run.document_hash = digest
