"""DCAT catalogues: every dataset they describe becomes a dataset entry.

Four serializations are read, into one shape (nodes with their properties by local name,
``dct:title``, ``http://purl.org/dc/terms/title`` and ``title`` alike), and one mapping
turns DCAT-AP, schema.org and DCAT-US terms into the dataset kind's details:

- **JSON-LD** (DCAT-AP, schema.org ``DataCatalog``/``Dataset``) and **DCAT-US**
  ``data.json`` are read as JSON, with compact IRIs, full IRIs and plain terms taken by
  their local name. No ``@context`` is expanded, so none is ever fetched: the terms
  catalogues use are DCAT's, Dublin Core's and schema.org's, whose local names do not
  collide in what the mapping reads. (rdflib's JSON-LD reader would fetch a remote
  ``@context`` from the network; measured in ``bench/dcat.py``, the JSON reading gives the
  same datasets as rdflib reading the same catalogue as Turtle.)
- **RDF/XML** and **Turtle** are parsed by rdflib, XML only after
  :func:`infoharbor.ingest.xmlcheck.check_xml` has refused entity declarations; rdflib's
  parsers of these two dereference nothing (``owl:imports`` and every IRI stay text).

Paged catalogues (Hydra ``PartialCollectionView``/``next``, as ckanext-dcat pages them)
are followed on the same site, at most ``INGEST_CATALOGUE_MAX_PAGES`` pages a harvest, the
next page kept as the harvest's place. When one harvest read the whole catalogue, the
entries of datasets it no longer lists are withdrawn. Everything but :func:`harvest_dcat`
is plain Python.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from infoharbor.core.richtext import render
from infoharbor.ingest import catalogues
from infoharbor.ingest.feeds import FeedItem
from infoharbor.ingest.sitemaps import same_site
from infoharbor.ingest.xmlcheck import UnsafeXml, check_xml

if TYPE_CHECKING:
    from infoharbor.ingest.runs import Run

DCAT_TYPES = (
    "application/ld+json, application/json;q=0.9, text/turtle;q=0.9, "
    "application/rdf+xml;q=0.9, */*;q=0.5"
)
MAX_DATASETS = 10_000  # per document
MAX_CATEGORIES = 8
GONE = "The dataset is no longer in the catalogue."

# EU language authority codes (.../authority/language/THA) of the harbor's languages.
_EU_LANGUAGES = {
    "ENG": "en",
    "THA": "th",
    "VIE": "vi",
    "IND": "id",
    "MSA": "ms",
    "ZHO": "zh",
    "KHM": "km",
    "LAO": "lo",
    "MYA": "my",
    "FIL": "fil",
    "TET": "tet",
    "POR": "pt",
}

Node = dict[str, Any]


class DcatRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def local_name(key: str) -> str:
    """``dct:title``, ``http://purl.org/dc/terms/title``, ``title`` -> ``title``."""
    if key.startswith("@"):
        return key
    if "://" in key:
        return key.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
    return key.rsplit(":", 1)[-1]


# --- Reading the serializations into nodes -------------------------------------------------


class Graph:
    """Nodes by id (blank or not) with their properties by local name, each a list."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.order: list[str] = []
        self._blank = 0

    def node(self, identifier: str | None) -> Node:
        if not identifier:
            self._blank += 1
            identifier = f"_:n{self._blank}"
        if identifier not in self.nodes:
            self.nodes[identifier] = {"@id": identifier, "@type": []}
            self.order.append(identifier)
        return self.nodes[identifier]

    def typed(self, *types: str) -> list[Node]:
        wanted = set(types)
        return [self.nodes[i] for i in self.order if wanted & set(self.nodes[i]["@type"])]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.nodes.get(value["@id"], value)
        return value


def _json_value(graph: Graph, value: Any) -> Any:
    if isinstance(value, dict):
        if "@value" in value:
            return {"@value": value["@value"], "@language": value.get("@language", "")}
        if set(value) == {"@id"}:
            return {"@id": str(value["@id"])}
        return {"@id": _json_node(graph, value)["@id"]}
    return value


def _json_node(graph: Graph, raw: Mapping[str, Any]) -> Node:
    node = graph.node(str(raw["@id"]) if isinstance(raw.get("@id"), str) else None)
    types = raw.get("@type", [])
    node["@type"] += [local_name(str(t)) for t in (types if isinstance(types, list) else [types])]
    for key, value in raw.items():
        if key.startswith("@"):
            continue
        name = local_name(key)
        values = value if isinstance(value, list) else [value]
        node.setdefault(name, []).extend(_json_value(graph, v) for v in values)
    return node


def read_json(document: Any) -> Graph:
    """JSON-LD (a node, a list of nodes, ``@graph``) or DCAT-US ``data.json``."""
    graph = Graph()
    roots: list[Any]
    if isinstance(document, dict) and isinstance(document.get("@graph"), list):
        roots = document["@graph"]
    elif isinstance(document, list):
        roots = document
    else:
        roots = [document]
    for root in roots:
        if isinstance(root, dict):
            _json_node(graph, root)
    # data.json has no types: the members of "dataset" (and "distribution") are datasets.
    for node in list(graph.nodes.values()):
        for member in node.get("dataset", []):
            target = graph.resolve(member)
            if isinstance(target, dict) and "@type" in target and not target["@type"]:
                target["@type"].append("Dataset")
    for node in list(graph.nodes.values()):
        if "Dataset" in node["@type"]:
            for member in node.get("distribution", []):
                target = graph.resolve(member)
                if isinstance(target, dict) and "@type" in target and not target["@type"]:
                    target["@type"].append("Distribution")
    return graph


def read_rdf(data: bytes, rdf_format: str, base: str) -> Graph:
    """RDF/XML (``xml``) or Turtle (``turtle``) through rdflib, into the same nodes."""
    import rdflib  # only RDF catalogues need it (and it takes a moment to import)
    from rdflib.term import BNode, Literal, URIRef

    parsed = rdflib.Graph()
    try:
        parsed.parse(data=data, format=rdf_format, publicID=base)
    except Exception as error:  # rdflib raises many kinds on a broken document
        name = "RDF/XML" if rdf_format == "xml" else "Turtle"
        raise DcatRejected("not_a_catalogue", f"This is not readable {name}: {error}.") from None
    graph = Graph()
    for subject, predicate, obj in parsed:
        node = graph.node(str(subject) if not isinstance(subject, BNode) else f"_:{subject}")
        name = local_name(str(predicate))
        if name == "type" and isinstance(obj, URIRef):
            node["@type"].append(local_name(str(obj)))
            continue
        value: Any
        if isinstance(obj, Literal):
            # The lexical form, as JSON-LD gives it ("2025-09-30", "51234").
            value = {"@value": str(obj), "@language": obj.language or ""}
        elif isinstance(obj, BNode):
            value = {"@id": f"_:{obj}"}
            graph.node(f"_:{obj}")
        else:
            value = {"@id": str(obj)}
        node.setdefault(name, []).append(value)
    return graph


# --- Nodes into dataset items --------------------------------------------------------------


class _Reader:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def values(self, node: Node, *names: str) -> Iterator[Any]:
        for name in names:
            for value in node.get(name, []):
                yield self.graph.resolve(value)

    def text(self, value: Any) -> str:
        if isinstance(value, dict):
            if "@value" in value:
                return self.text(value["@value"])
            for label in ("name", "title", "prefLabel", "label"):
                for inner in self.values(value, label):
                    found = self.text(inner)
                    if found:
                        return found
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return " ".join(str(value).split())
        return ""

    def first(self, node: Node, *names: str) -> str:
        for value in self.values(node, *names):
            found = self.text(value)
            if found:
                return found
        return ""

    def iri(self, node: Node, *names: str) -> str:
        for value in self.values(node, *names):
            if isinstance(value, dict):
                found = catalogues.http_url(value.get("@id") or value.get("@value"))
            else:
                found = catalogues.http_url(value)
            if found:
                return found
        return ""

    def texts(self, node: Node, *names: str) -> list[str]:
        found: list[str] = []
        for value in self.values(node, *names):
            text = self.text(value)
            if not text and isinstance(value, dict) and "@id" in value:
                text = local_name(str(value["@id"]))  # a theme's IRI: its last word
            if text:
                found.extend(part.strip() for part in text.split(",") if part.strip())
        return found


def _language(reader: _Reader, node: Node) -> str:
    for value in reader.values(node, "language", "inLanguage"):
        raw = value.get("@id") or value.get("@value") if isinstance(value, dict) else value
        if not isinstance(raw, str) or not raw.strip():
            continue
        code = raw.strip().rstrip("/").rsplit("/", 1)[-1]
        return _EU_LANGUAGES.get(code.upper(), code) if len(code) == 3 else code[:16]
    return ""


def _period(reader: _Reader, node: Node) -> tuple[str, str]:
    for value in reader.values(node, "temporal", "temporalCoverage"):
        if isinstance(value, dict) and "@type" in value:
            start = catalogues.date_text(reader.first(value, "startDate", "start"))
            end = catalogues.date_text(reader.first(value, "endDate", "end"))
            if start or end:
                return start, end
        else:
            start, end = catalogues.period(reader.text(value))
            if start or end:
                return start, end
    return "", ""


def _spatial(reader: _Reader, node: Node) -> str:
    for value in reader.values(node, "spatial", "spatialCoverage"):
        text = reader.text(value)
        if text and not catalogues.http_url(text) and not text.lstrip().startswith("{"):
            return catalogues.short(text, 300)
    return ""


def _distribution(reader: _Reader, node: Node) -> dict[str, Any] | None:
    url = reader.iri(node, "downloadURL", "contentUrl", "accessURL", "url")
    if not url:
        return None
    format_ = reader.first(node, "format", "fileFormat")
    if not format_:
        for value in reader.values(node, "format"):
            if isinstance(value, dict) and "@id" in value:
                format_ = local_name(str(value["@id"]))  # .../file-type/CSV
    media = reader.first(node, "mediaType", "encodingFormat")
    if "/" in media and "://" in media:
        media = media.split("media-types/", 1)[-1]  # an IANA IRI
    return {
        "url": url,
        "title": catalogues.short(reader.first(node, "title", "name"), 300),
        "format": catalogues.short(format_, 40).upper(),
        "media_type": catalogues.short(media, 120),
        "size": catalogues.size(reader.first(node, "byteSize", "contentSize")),
    }


def dataset_item(reader: _Reader, node: Node) -> FeedItem | None:
    title = reader.first(node, "title", "name")
    if not title:
        return None
    identifier = reader.first(node, "identifier") or (
        node["@id"] if not node["@id"].startswith("_:") else ""
    )
    landing = reader.iri(node, "landingPage", "url") or catalogues.http_url(node["@id"])
    distributions = [
        d
        for d in (
            _distribution(reader, v)
            for v in reader.values(node, "distribution")
            if isinstance(v, dict) and "@type" in v
        )
        if d is not None
    ][:100]
    licence_iri = reader.iri(node, "license", "rights")
    start, end = _period(reader, node)
    description = reader.first(node, "description")
    details = {
        "identifier": catalogues.short(identifier, 300),
        "landing_page": landing,
        "publisher": catalogues.short(reader.first(node, "publisher", "creator"), 300),
        "license_name": catalogues.short(
            reader.first(node, "license", "rights") if not licence_iri else "", 300
        ),
        "license_url": licence_iri,
        "update_frequency": catalogues.frequency(
            reader.first(node, "accrualPeriodicity") or reader.iri(node, "accrualPeriodicity")
        ),
        "temporal_start": start,
        "temporal_end": end,
        "spatial": _spatial(reader, node),
        "formats": list(dict.fromkeys(d["format"] for d in distributions if d["format"]))[:20],
        "distributions": distributions,
    }
    keywords = reader.texts(node, "keyword", "keywords", "theme")
    return FeedItem(
        guid=identifier or landing,
        link=landing,
        title=catalogues.short(title, 300),
        summary=render(description, "markdown") if description else "",
        content="",
        language=_language(reader, node),
        published=catalogues.timestamp(reader.first(node, "issued", "datePublished")),
        updated=catalogues.timestamp(reader.first(node, "modified", "dateModified")),
        categories=tuple(dict.fromkeys(keywords))[:MAX_CATEGORIES],
        details=details,
        license=catalogues.license_value(licence_iri, reader.first(node, "license")),
    )


@dataclass(frozen=True)
class Catalogue:
    format: str  # json-ld, data.json, rdf-xml, turtle
    title: str
    items: tuple[FeedItem, ...]
    next_page: str  # absolute, or ""
    notes: tuple[str, ...] = ()


def _format_of(data: bytes, content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head[:1] in {b"{", b"["} or "json" in media:
        return "json"
    if head[:1] == b"<" or media in {"application/rdf+xml", "application/xml", "text/xml"}:
        return "xml"
    return "turtle"


def parse_catalogue(data: bytes, *, url: str, content_type: str = "") -> Catalogue:
    kind = _format_of(data, content_type)
    if kind == "json":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise DcatRejected("not_a_catalogue", f"This is not valid JSON: {error}.") from None
        graph = read_json(document)
        format_ = "json-ld" if _has_context(document) else "data.json"
    else:
        if kind == "xml":
            try:
                check = check_xml(data)
            except UnsafeXml as error:
                raise DcatRejected("unsafe_xml", error.message) from None
            if not check.well_formed:
                raise DcatRejected("not_a_catalogue", f"The catalogue is {check.problem}.")
        graph = read_rdf(data, kind, url)
        format_ = "rdf-xml" if kind == "xml" else "turtle"
    reader = _Reader(graph)
    datasets = graph.typed("Dataset")
    if not datasets:
        raise DcatRejected(
            "not_a_catalogue",
            "The document describes no dataset (no dcat:Dataset, schema:Dataset or data.json "
            "'dataset' list).",
        )
    notes = []
    if len(datasets) > MAX_DATASETS:
        notes.append(f"More than {MAX_DATASETS:,} datasets in one document; the rest left out.")
    items = [item for node in datasets[:MAX_DATASETS] if (item := dataset_item(reader, node))]
    untitled = min(len(datasets), MAX_DATASETS) - len(items)
    if untitled:
        notes.append(f"{untitled} datasets without a title were left out.")
    title = ""
    for node in graph.typed("Catalog", "DataCatalog"):
        title = reader.first(node, "title", "name")
        break
    next_page = ""
    for node in graph.typed("PartialCollectionView", "PagedCollection"):
        found = reader.iri(node, "next", "nextPage") or reader.first(node, "next", "nextPage")
        if found:
            next_page = urljoin(url, found)
            break
    return Catalogue(format_, title, tuple(items), next_page, tuple(notes))


def _has_context(document: Any) -> bool:
    return isinstance(document, dict) and ("@context" in document or "@graph" in document)


def guids(items: Iterable[FeedItem]) -> set[str]:
    return {item.guid for item in items if item.guid}


# --- The harvest -----------------------------------------------------------------------------


def harvest_dcat(run: Run) -> None:
    from infoharbor.ingest.runs import HarvestFailed

    source, state = run.source, run.state
    cursor = state.cursor if state.cursor.get("kind") == "dcat" else {}
    url = str(cursor.get("next") or "") or source.url
    from_start = url == source.url
    seen_pages: set[str] = set()
    present: set[str] = set()
    pages = 0
    while url:
        if pages >= run.max_pages or (pages and run.out_of_time()):
            run.more = True
            break
        first = from_start and pages == 0
        seen_pages.add(url)
        result = run.fetch_or_fail(
            url,
            etag=state.etag if first else "",
            last_modified=state.last_modified if first else "",
            accept=DCAT_TYPES,
        )
        if first:
            run.etag, run.last_modified = result.etag, result.last_modified
            if result.not_modified:
                run.not_modified = True
                return
        digest = hashlib.sha256(result.body).hexdigest()
        if first and digest == state.document_hash:
            run.not_modified = True
            run.note("The same catalogue as at the last harvest.")
            return
        try:
            catalogue = parse_catalogue(
                result.body, url=result.url, content_type=result.content_type
            )
        except DcatRejected as error:
            raise HarvestFailed(error.code, error.message, status=result.status) from None
        pages += 1
        if first:
            run.format, run.title = catalogue.format, catalogue.title or source.name
            run.document_hash = digest
        for note in catalogue.notes:
            run.note(note)
        run.ingest(catalogue.items)
        present |= guids(catalogue.items)
        url = catalogue.next_page
        if url and (url in seen_pages or not same_site(url, source.url)):
            run.note(f"{url}: a next page that was read already or is on another site; ignored.")
            url = ""
        run.keep_place({"kind": "dcat", "next": url})
    if run.more:
        # Validators and the document's hash only once the whole catalogue was read.
        run.etag = run.last_modified = run.document_hash = ""
        return
    if from_start and present:
        run.withdraw_absent(present, GONE)
