"""DCAT catalogues: is rdflib needed, and what does each serialization cost?

One synthetic DCAT-AP catalogue of N datasets (built from the shape of the test fixture
``tests/ingest/fixtures/datasets/dcat/catalog.jsonld``: title, description, publisher,
licence, frequency, period, place, keywords, one distribution each) is written as
compact JSON-LD, then read by rdflib (with its context inline, so nothing is fetched) and
written again as Turtle and RDF/XML. Each serialization is then read by the harbor's
``dcat.parse_catalogue`` (JSON-LD as plain JSON; Turtle and RDF/XML through rdflib), and
the datasets compared field by field. For reference, rdflib's own JSON-LD parser reads the
JSON-LD too (the harbor does not use it: it fetches remote ``@context`` documents).

Also measured: the time to import rdflib in a fresh interpreter, and its size installed.

    .venv/bin/python bench/dcat.py                # 2,000 datasets
    .venv/bin/python bench/dcat.py --datasets 500

Writes ``bench/results/dcat.json``. CPU seconds are this process's (time.process_time).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

RESULTS = ROOT / "bench" / "results"
LANGUAGES = ["en", "th", "vi", "id", "zh-Hans", "km", "lo", "my", "ms", "fil"]


def catalogue(count: int) -> dict[str, Any]:
    graph: list[dict[str, Any]] = [
        {
            "@id": "https://data.example.org/catalog",
            "@type": "dcat:Catalog",
            "dct:title": "Benchmark catalogue",
        }
    ]
    for n in range(count):
        lang = LANGUAGES[n % len(LANGUAGES)]
        graph.append(
            {
                "@id": f"https://data.example.org/dataset/d{n}",
                "@type": "dcat:Dataset",
                "dct:title": {"@value": f"Dataset number {n} of border trade", "@language": lang},
                "dct:description": {"@value": f"Monthly figures, series {n}.", "@language": lang},
                "dct:identifier": f"d{n}",
                "dcat:landingPage": {"@id": f"https://data.example.org/dataset/d{n}"},
                "dct:publisher": {"@type": "foaf:Agent", "foaf:name": f"Agency {n % 40}"},
                "dct:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
                },
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {"@value": "2019-01-01", "@type": "xsd:date"},
                    "dcat:endDate": {"@value": "2025-09-30", "@type": "xsd:date"},
                },
                "dct:spatial": {"@type": "dct:Location", "foaf:name": "Mekong region"},
                "dct:modified": {"@value": "2025-10-15T03:00:00Z", "@type": "xsd:dateTime"},
                "dcat:keyword": [{"@value": "trade", "@language": "en"}, {"@value": f"k{n % 7}"}],
                "dcat:distribution": {
                    "@type": "dcat:Distribution",
                    "dct:title": "CSV",
                    "dcat:downloadURL": {"@id": f"https://data.example.org/files/d{n}.csv"},
                    "dcat:mediaType": "text/csv",
                    "dcat:byteSize": {"@value": str(1000 + n), "@type": "xsd:nonNegativeInteger"},
                },
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@graph": graph,
    }


def timed(function: Any, repeat: int) -> tuple[Any, float, float]:
    """The result, and the best CPU and wall seconds of ``repeat`` runs."""
    best_cpu = best_wall = float("inf")
    result = None
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return result, best_cpu, best_wall


def fingerprint(parsed: Any) -> list[str]:
    return sorted(
        json.dumps(
            [item.guid, item.title, item.language, item.license, sorted(item.categories),
             item.details, str(item.updated)],
            sort_keys=True,
        )
        for item in parsed.items
    )  # fmt: skip


def installed_size(*packages: str) -> int:
    import importlib.util

    total = 0
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for path in Path(folder).rglob("*"):
                if path.is_file():
                    total += path.stat().st_size
    return total


def import_seconds(module: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    baseline_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    baseline_after = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(a: Any, b: Any) -> float:
        return float((b.ru_utime - a.ru_utime) + (b.ru_stime - a.ru_stime))

    return cpu(before, after) - cpu(baseline_before, baseline_after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import rdflib

    from infoharbor.ingest.dcat import parse_catalogue

    document = catalogue(args.datasets)
    jsonld = json.dumps(document).encode()
    graph = rdflib.Graph()
    graph.parse(data=jsonld, format="json-ld")
    turtle = graph.serialize(format="turtle").encode()
    rdfxml = graph.serialize(format="xml").encode()
    url = "https://data.example.org/catalog"
    rows = []
    prints: dict[str, list[str]] = {}
    for name, data in [("JSON-LD (as JSON)", jsonld), ("Turtle (rdflib)", turtle),
                       ("RDF/XML (rdflib)", rdfxml)]:  # fmt: skip
        parsed, cpu, wall = timed(lambda data=data: parse_catalogue(data, url=url), args.repeat)
        prints[name] = fingerprint(parsed)
        rows.append({"reader": name, "bytes": len(data), "datasets": len(parsed.items),
                     "cpu_s": cpu, "wall_s": wall})  # fmt: skip
    _, cpu, wall = timed(lambda: rdflib.Graph().parse(data=jsonld, format="json-ld"), args.repeat)
    rows.append({"reader": "JSON-LD (rdflib parse only)", "bytes": len(jsonld),
                 "datasets": None, "cpu_s": cpu, "wall_s": wall})  # fmt: skip
    reference = prints["JSON-LD (as JSON)"]
    same = {name: sum(a == b for a, b in zip(reference, found, strict=False))
            for name, found in prints.items()}  # fmt: skip
    baseline = rows[0]["cpu_s"]
    print(f"DCAT catalogue of {args.datasets:,} datasets; load average {os.getloadavg()[0]:.2f}")
    header = ("reader", "bytes", "datasets", "CPU s", "wall s", "x JSON", "same")
    print(
        f"{header[0]:30} "
        + " ".join(f"{h:>{w}}" for h, w in zip(header[1:], (10, 9, 8, 8, 7, 6), strict=True))
    )
    for row in rows:
        ratio = row["cpu_s"] / baseline if baseline else float("nan")
        datasets = "" if row["datasets"] is None else f"{row['datasets']:,}"
        agree = same.get(row["reader"], "")
        print(f"{row['reader']:30} {row['bytes']:>10,} {datasets:>9} {row['cpu_s']:>8.3f} "
              f"{row['wall_s']:>8.3f} {ratio:>7.1f} {agree!s:>6}")  # fmt: skip
    extras = {
        "rdflib_import_cpu_s": import_seconds("rdflib"),
        "rdflib_installed_bytes": installed_size("rdflib", "pyparsing"),
    }
    print(f"rdflib: import {extras['rdflib_import_cpu_s']:.2f} CPU s in a fresh interpreter; "
          f"{extras['rdflib_installed_bytes'] / 1e6:.1f} MB installed with pyparsing")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = {
        "datasets": args.datasets,
        "rows": rows,
        "same_as_json": same,
        **extras,
        "load_average": os.getloadavg(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rdflib": rdflib.__version__,
    }
    (RESULTS / "dcat.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
