"""Build src/infoharbor/cap/boundaries/countries.geojson from Natural Earth (run by hand).

    .venv/bin/python scripts/cap_boundaries.py ../shared/data/geo-natural-earth

Takes the 1:50m admin-0 countries of China and ASEAN (ne_50m_admin_0_countries_china_asean),
keeps only the names and codes the harbor uses, simplifies each outline (topology kept) and
rounds coordinates, so the shipped file is small and a country lookup is fast. Tolerance and
rounding are at most a few hundred metres: enough to say which countries an alert's area
touches, not to draw a border.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape

SOURCE = "ne_50m_admin_0_countries_china_asean.geojson"
TARGET = Path(__file__).resolve().parents[1] / "src/infoharbor/cap/boundaries/countries.geojson"
TOLERANCE = 0.005  # degrees, about 550 m at the equator
DIGITS = 4  # about 11 m
KEEP = ("ISO_A2", "ISO_A3", "ADM0_A3", "NAME", "NAME_LONG")


def _round(value: object) -> object:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def main(folder: str) -> None:
    data = json.loads((Path(folder) / SOURCE).read_text(encoding="utf-8"))
    features = []
    for feature in sorted(data["features"], key=lambda f: f["properties"]["ADM0_A3"]):
        geometry = shape(feature["geometry"]).simplify(TOLERANCE, preserve_topology=True)
        if not geometry.is_valid:
            raise SystemExit(f"{feature['properties']['ADM0_A3']}: simplified outline invalid")
        shape_json = mapping(geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {key: feature["properties"][key] for key in KEEP},
                "geometry": {
                    "type": shape_json["type"],
                    "coordinates": _round(shape_json["coordinates"]),
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    TARGET.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(features)} countries, {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/geo-natural-earth")
