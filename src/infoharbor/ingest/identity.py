"""What makes two items the same item: canonical address, GUID and content (plain Python).

Exact duplicates are found by three keys, each a SHA-256 hex digest so that long GUIDs and
addresses fit an index:

- the **GUID** (RSS ``guid``, Atom ``id``, JSON Feed ``id``), meaningful within one source;
- the **canonical URL**: the item's link without tracking parameters (``utm_*``, ``fbclid``
  ...) and fragment, with the scheme and host in lower case and no default port; the same
  page is the same item whichever source links to it;
- the **content hash** of the title and text as readers see them (markup aside), which
  also tells whether an item has changed since it was last seen.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that say who sent the reader, never which page it is.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_")
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "cmpid",
        "ncid",
        "sr_share",
        "__twitter_impression",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


@lru_cache(maxsize=1024)
def canonical_url(url: str) -> str:
    """``url`` in the form used to compare items; empty when it is not an http(s) address.

    Kept for the last addresses: an item's link is asked for its key, its entry's source
    address and its row, one after the other."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port in {None, _DEFAULT_PORTS[scheme]} else f"{host}:{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith(TRACKING_PREFIXES)
        and name.lower() not in TRACKING_PARAMETERS
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def url_key(url: str) -> str:
    canonical = canonical_url(url)
    return _digest(canonical) if canonical else ""


def guid_key(guid: str) -> str:
    guid = guid.strip()
    return _digest(guid) if guid else ""


def content_hash(title: str, text: str) -> str:
    """The same for the same visible title and text, whatever the markup and spacing."""

    def normal(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).split())

    return _digest(normal(title) + "\n" + normal(text))
