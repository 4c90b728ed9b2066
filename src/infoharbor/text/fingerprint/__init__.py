"""Near-duplicate detection: fingerprints of texts and story clusters.

The same story published by several outlets, a press release republished with another header,
a few words edited or its paragraphs reordered: these become one *story cluster*. A text is
reduced to its character shingles (:mod:`.shingles`), the shingles to a MinHash signature
(:mod:`.minhash`), and signatures are looked up in an LSH index (:mod:`.lsh`) whose candidates
are verified by their estimated Jaccard similarity before an item joins a cluster
(:mod:`.clusters`). :mod:`.trending` says which clusters grow fast.

MinHash compares the characters of texts, so a story and its translation share nothing it can
see: clusters are per language (Traditional and Simplified Chinese are folded together,
Vietnamese with and without accents too). :mod:`.anchors` proposes links across languages from
the numbers, addresses and Latin-script names a translation keeps. See
docs/development/fingerprints.md.

Everything here is plain functions and plain data (ints, bytes, numpy arrays): no Django.
"""

from infoharbor.text.fingerprint.anchors import Anchors, anchors, cross_language_link
from infoharbor.text.fingerprint.clusters import (
    THRESHOLD,
    Assignment,
    StoryClusterer,
    cluster_items,
)
from infoharbor.text.fingerprint.lsh import LSHIndex, Match
from infoharbor.text.fingerprint.minhash import (
    MIN_SHINGLES,
    NUM_PERM,
    Fingerprint,
    fingerprint,
    similarity,
)
from infoharbor.text.fingerprint.shingles import learn_boilerplate, shingles
from infoharbor.text.fingerprint.trending import Trend, trend, trending_clusters

__all__ = [
    "MIN_SHINGLES",
    "NUM_PERM",
    "THRESHOLD",
    "Anchors",
    "Assignment",
    "Fingerprint",
    "LSHIndex",
    "Match",
    "StoryClusterer",
    "Trend",
    "anchors",
    "cluster_items",
    "cross_language_link",
    "fingerprint",
    "learn_boilerplate",
    "shingles",
    "similarity",
    "trend",
    "trending_clusters",
]
