"""CKAN catalogues through the Action API: every public dataset becomes a dataset entry.

A harvest pages through ``package_search`` oldest change first
(``sort=metadata_modified asc, id asc``), :data:`ROWS` datasets a page, and keeps its place
after each page: the ``metadata_modified`` of the last dataset read (the *watermark*) and
how many datasets of that same time it has read. The next page, and the next harvest, ask
for ``fq=metadata_modified:[watermark TO *]`` and skip those. So:

- a harvest reads at most ``INGEST_CATALOGUE_MAX_PAGES`` pages within its time budget and
  stops; the next run goes on from its place, however large the catalogue;
- a dataset changed meanwhile moves to the end of the order and is read again there, so
  none is skipped while the catalogue changes under the harvest (offsets alone would skip
  one for every dataset changed before them);
- once a pass has read everything, each harvest reads only what changed since;
- a harvest killed half-way loses nothing: each dataset commits on its own, and the place
  is kept only after its page.

A dataset that comes back deleted (``state: deleted``) or private has its entry withdrawn.
Datasets deleted outright vanish from the search; at the end of a pass, at most once a
day, ``package_list`` tells which datasets are still there, and the entries of the others
are withdrawn. Everything but :func:`harvest_ckan` is plain Python.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from infoharbor.core.richtext import render
from infoharbor.ingest import catalogues
from infoharbor.ingest.feeds import FeedItem

if TYPE_CHECKING:
    from infoharbor.ingest.runs import Run

ROWS = 100
LIST_EVERY = dt.timedelta(days=1)
MAX_CATEGORIES = 8
JSON_TYPES = "application/json"
DELETED = "The dataset was deleted from the catalogue."
PRIVATE = "The dataset was made private in the catalogue."
GONE = "The dataset is no longer in the catalogue."


class CkanRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def api_base(url: str) -> str:
    """The site's address from the catalogue's or any of its API addresses."""
    parts = urlsplit(url.strip())
    path = parts.path
    at = path.find("/api/")
    path = path[:at] if at >= 0 else path
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def search_url(base: str, *, since: str, skip: int, rows: int = ROWS) -> str:
    params: dict[str, str | int] = {
        "q": "*:*",
        "sort": "metadata_modified asc, id asc",
        "rows": rows,
        "start": skip,
    }
    if since:
        params["fq"] = f"metadata_modified:[{since} TO *]"
    return f"{base}/api/3/action/package_search?{urlencode(params)}"


def list_url(base: str) -> str:
    return f"{base}/api/3/action/package_list"


def dataset_page(base: str, name: str) -> str:
    return f"{base}/dataset/{quote(name, safe='')}"


def watermark(modified: Any) -> str:
    """``metadata_modified`` as the search's range wants it: UTC, milliseconds, ``Z``."""
    when = catalogues.timestamp(modified)
    if when is None:
        return ""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _answer(body: bytes, action: str) -> Any:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CkanRejected(
            "not_a_catalogue",
            f"The catalogue's {action} did not answer in JSON: this address does not look "
            "like a CKAN site (give the site's address, e.g. https://data.example.go.th/).",
        ) from None
    if not isinstance(document, dict) or "success" not in document:
        raise CkanRejected("not_a_catalogue", f"The {action} answer is not a CKAN API answer.")
    if document.get("success") is not True:
        error = document.get("error") or {}
        message = error.get("message") if isinstance(error, dict) else error
        raise CkanRejected("catalogue_error", f"CKAN's {action} refused: {message or error}.")
    return document.get("result")


@dataclass(frozen=True)
class Page:
    count: int | None
    packages: tuple[Mapping[str, Any], ...]


def parse_search(body: bytes) -> Page:
    result = _answer(body, "package_search")
    if not isinstance(result, dict) or not isinstance(result.get("results"), list):
        raise CkanRejected("not_a_catalogue", "The package_search answer has no results.")
    count = result.get("count")
    packages = tuple(p for p in result["results"] if isinstance(p, dict))
    return Page(count if isinstance(count, int) else None, packages)


def parse_list(body: bytes) -> list[str]:
    result = _answer(body, "package_list")
    if not isinstance(result, list):
        raise CkanRejected("not_a_catalogue", "The package_list answer is not a list.")
    return [name for name in result if isinstance(name, str)]


def _fields(package: Mapping[str, Any]) -> dict[str, Any]:
    """The package's fields with its extras (``[{"key", "value"}]``) laid in."""
    fields = dict(package)
    for extra in package.get("extras") or []:
        if isinstance(extra, dict) and isinstance(extra.get("key"), str):
            fields.setdefault(extra["key"], extra.get("value"))
    return fields


def _first(fields: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = fields.get(name)
        if value not in (None, "", []):
            return value
    return None


def _language(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = []
        value = parsed[0] if isinstance(parsed, list) and parsed else ""
    if not isinstance(value, str):
        return ""
    code = value.strip().rsplit("/", 1)[-1]  # an EU language IRI ends in its code
    return code if 2 <= len(code) <= 16 else ""


def _spatial(fields: Mapping[str, Any]) -> str:
    text = _first(fields, "spatial_text", "spatial_coverage", "geographic_coverage")
    if text is None:
        spatial = fields.get("spatial")
        # ckanext-spatial stores GeoJSON there: a shape, not a place name.
        text = spatial if isinstance(spatial, str) and not spatial.lstrip().startswith("{") else ""
    return catalogues.short(text, 300)


def _distributions(resources: Any) -> list[dict[str, Any]]:
    found = []
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict):
            continue
        url = catalogues.http_url(resource.get("url"))
        if not url or resource.get("state", "active") == "deleted":
            continue
        found.append(
            {
                "url": url,
                "title": catalogues.short(resource.get("name") or resource.get("description"), 300),
                "format": catalogues.short(resource.get("format"), 40).upper(),
                "media_type": catalogues.short(resource.get("mimetype"), 120),
                "size": catalogues.size(resource.get("size")),
            }
        )
    return found[:100]


@dataclass(frozen=True)
class Package:
    guid: str
    name: str
    modified: str  # the watermark form of metadata_modified
    state: str  # active, draft, deleted
    private: bool
    item: FeedItem


def read_package(package: Mapping[str, Any], base: str) -> Package:
    fields = _fields(package)
    name = str(package.get("name") or package.get("id") or "")
    guid = str(package.get("id") or name)
    organization = (
        package.get("organization") if isinstance(package.get("organization"), dict) else {}
    )
    assert isinstance(organization, dict)  # noqa: S101 - made so above
    tags = [
        str(tag.get("display_name") or tag.get("name") or "").strip()
        for tag in package.get("tags") or []
        if isinstance(tag, dict)
    ]
    groups = [
        str(group.get("title") or group.get("name") or "").strip()
        for group in package.get("groups") or []
        if isinstance(group, dict)
    ]
    start = catalogues.date_text(_first(fields, "temporal_start", "temporal_coverage_from"))
    end = catalogues.date_text(_first(fields, "temporal_end", "temporal_coverage_to"))
    if not start and not end:
        start, end = catalogues.period(_first(fields, "temporal", "temporal_coverage"))
    page = dataset_page(base, name)
    distributions = _distributions(package.get("resources"))
    notes = str(package.get("notes") or "")
    details = {
        "identifier": catalogues.short(_first(fields, "identifier", "guid") or guid, 300),
        "landing_page": catalogues.http_url(package.get("url")) or page,
        "publisher": catalogues.short(
            organization.get("title") or _first(fields, "publisher_name", "author", "maintainer"),
            300,
        ),
        "license_name": catalogues.short(
            package.get("license_title") or package.get("license_id"), 300
        ),
        "license_url": catalogues.http_url(package.get("license_url")),
        "update_frequency": catalogues.frequency(
            _first(fields, "frequency", "accrual_periodicity", "update_frequency")
        ),
        "temporal_start": start,
        "temporal_end": end,
        "spatial": _spatial(fields),
        "formats": list(dict.fromkeys(d["format"] for d in distributions if d["format"]))[:20],
        "distributions": distributions,
    }
    item = FeedItem(
        guid=guid,
        link=page,
        title=catalogues.short(package.get("title") or name, 300),
        # CKAN's descriptions are Markdown; a long one becomes the body, as a feed's does.
        summary=render(notes, "markdown") if notes.strip() else "",
        content="",
        language=_language(_first(fields, "language", "dct_language")),
        published=catalogues.timestamp(package.get("metadata_created")),
        updated=catalogues.timestamp(package.get("metadata_modified")),
        categories=tuple(dict.fromkeys(t for t in [*tags, *groups] if t))[:MAX_CATEGORIES],
        author=catalogues.short(organization.get("title"), 200),
        details=details,
        license=catalogues.license_value(package.get("license_id"), package.get("license_url")),
    )
    return Package(
        guid=guid,
        name=name,
        modified=watermark(package.get("metadata_modified")),
        state=str(package.get("state") or "active"),
        private=package.get("private") is True,
        item=item,
    )


# --- The harvest -----------------------------------------------------------------------------


def _advance(cursor: dict[str, Any], packages: list[Package]) -> None:
    for package in packages:
        if not package.modified:
            continue
        if package.modified == cursor.get("since"):
            cursor["skip"] = int(cursor.get("skip", 0)) + 1
        else:
            cursor["since"], cursor["skip"] = package.modified, 1


def harvest_ckan(run: Run) -> None:
    from infoharbor.ingest.fetch import FetchError
    from infoharbor.ingest.runs import HarvestFailed

    base = api_base(run.source.url)
    stored = run.state.cursor
    cursor: dict[str, Any] = dict(stored) if stored.get("kind") == "ckan" else {"kind": "ckan"}
    cursor.setdefault("since", "")
    cursor.setdefault("skip", 0)
    pages = 0
    run.format = "ckan"
    while True:
        if pages >= run.max_pages or (pages and run.out_of_time()):
            run.more = True
            break
        result = run.fetch_or_fail(
            search_url(base, since=cursor["since"], skip=int(cursor["skip"])), accept=JSON_TYPES
        )
        try:
            page = parse_search(result.body)
        except CkanRejected as error:
            raise HarvestFailed(error.code, error.message, status=result.status) from None
        pages += 1
        packages = [read_package(raw, base) for raw in page.packages]
        live = [p for p in packages if p.state == "active" and not p.private]
        run.ingest([p.item for p in live])
        run.withdraw_guids([p.guid for p in packages if p.state == "deleted"], DELETED)
        run.withdraw_guids([p.guid for p in packages if p.private], PRIVATE)
        _advance(cursor, packages)
        run.keep_place(cursor)
        if len(page.packages) < ROWS:
            break
    if run.more:
        return
    listed = catalogues.timestamp(cursor.get("listed_at"))
    if listed is not None and run.now - listed < LIST_EVERY:
        return
    try:
        names = parse_list(run.fetch(list_url(base), accept=JSON_TYPES).body)
    except (FetchError, CkanRejected) as error:
        run.note(f"Deleted datasets not looked for: package_list failed ({error}).")
        return
    if names:
        run.withdraw_missing([dataset_page(base, name) for name in names], GONE)
    else:
        run.note("package_list gave no dataset at all; no entry was withdrawn for it.")
    cursor["listed_at"] = run.now.isoformat()
    run.keep_place(cursor)
