"""What CKAN and DCAT catalogues share: their words for update frequency, licences and
dates, read into the harbor's values (plain Python, no Django)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

# Catalogues' words for how often a dataset changes -> the dataset kind's values. Keys are
# lower-case, without spaces, dashes or underscores; the EU vocabulary's IRIs end in the
# upper-case word (.../frequency/ANNUAL), ISO 8601 repeating durations are DCAT-US's.
_FREQUENCIES = {
    "continuous": "continuous",
    "realtime": "continuous",
    "cont": "continuous",
    "updatecont": "continuous",
    "r/pt1s": "continuous",
    "hourly": "hourly",
    "r/pt1h": "hourly",
    "daily": "daily",
    "r/p1d": "daily",
    "weekly": "weekly",
    "r/p1w": "weekly",
    "monthly": "monthly",
    "r/p1m": "monthly",
    "quarterly": "quarterly",
    "r/p3m": "quarterly",
    "biannual": "biannual",
    "semiannual": "biannual",
    "annualsemi": "biannual",
    "r/p6m": "biannual",
    "annual": "annual",
    "annually": "annual",
    "yearly": "annual",
    "r/p1y": "annual",
    "irregular": "irregular",
    "irreg": "irregular",
    "asneeded": "irregular",
    "other": "irregular",
    "never": "never",
    "notplanned": "never",
    "none": "never",
}


def frequency(value: Any) -> str:
    """A catalogue's update frequency as a dataset's (``""`` when it says nothing known)."""
    if not isinstance(value, str) or not value.strip():
        return ""
    word = value.strip().rstrip("/").rsplit("/", 1)[-1] if "://" in value else value.strip()
    key = re.sub(r"[\s_\-]", "", word).lower()
    return _FREQUENCIES.get(key, "")


# Licences that are exactly one of the harbor's (core License values). Anything else keeps
# the source's licence for the entry, and the catalogue's own words in the details.
_LICENSES = {
    "cc-by-4.0": "CC-BY-4.0",
    "ccby4.0": "CC-BY-4.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC-BY-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC-BY-SA-4.0",
    "cc0-1.0": "CC0-1.0",
    "cc-zero": "CC0-1.0",
    "cc0": "CC0-1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0-1.0",
}


def license_value(*candidates: Any) -> str:
    """The core License value one of ``candidates`` (an id or an address) names exactly."""
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        key = candidate.strip().lower().replace("http://", "https://")
        if key.startswith("https://") and not key.endswith("/"):
            key += "/"
        if key.removesuffix("/") in _LICENSES:
            return _LICENSES[key.removesuffix("/")]
        if key in _LICENSES:
            return _LICENSES[key]
    return ""


def timestamp(value: Any) -> dt.datetime | None:
    """An ISO 8601 date or time as UTC (a time without a zone is taken as UTC, as CKAN
    writes them)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            when = dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def date_text(value: Any) -> str:
    """A date (``YYYY-MM-DD``) from an ISO date or time, or ``""``."""
    when = timestamp(value)
    return when.date().isoformat() if when is not None else ""


def period(value: Any) -> tuple[str, str]:
    """``(start, end)`` dates of an ISO 8601 interval (``2020-01-01/2024-12-31``)."""
    if not isinstance(value, str) or "/" not in value:
        return "", ""
    start, _, end = value.partition("/")
    return date_text(start), date_text(end)


def http_url(value: Any) -> str:
    if isinstance(value, str) and re.match(r"^https?://[^\s/$.?#][^\s]*$", value.strip(), re.I):
        url = value.strip()
        return url if len(url) <= 1000 else ""
    return ""


def size(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value >= 0 and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def short(value: Any, limit: int) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
