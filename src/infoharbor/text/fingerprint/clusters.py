"""Story clusters: each new item joins the cluster of its most similar earlier item, or starts one.

Items arrive one at a time (query, then insert). The LSH bands propose candidates; a candidate
counts only when its estimated Jaccard similarity (the share of equal signature values) is at
least the threshold, so an LSH hit alone never links two items. Among those, the most similar
wins, and the earliest indexed on a tie, so the result depends on the items and their order
alone. A cluster is named by its first item's id.

This is greedy, single-pass clustering: an item is compared with the items before it, never
re-assigned later, and two clusters are never merged. For news that is what a reader sees: the
story that appeared first stays the story, later copies join it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from infoharbor.text.fingerprint.lsh import LSHIndex, Match
from infoharbor.text.fingerprint.minhash import Fingerprint

__all__ = ["THRESHOLD", "Assignment", "StoryClusterer", "cluster_items"]

# Estimated Jaccard similarity of character 5-shingles at or above which two texts are one
# story. Chosen on the benchmark's corpus (bench/clustering.py): republished copies with a new
# header and footer, edited words or reordered paragraphs score 0.55-0.95; different stories
# in the same language and template score below 0.3 once the template is learned.
THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an item went."""

    item: int
    cluster: int  # the id of the cluster's first item (the item itself when it starts one)
    match: int | None  # the most similar earlier item, None when the item starts a cluster
    similarity: float  # estimated Jaccard similarity with ``match`` (0.0 without one)
    indexed: bool  # False when the text was too short to compare (it stays alone)

    @property
    def new_cluster(self) -> bool:
        return self.match is None


class StoryClusterer:
    """Assigns items to story clusters as they arrive; owns the LSH index of the items."""

    def __init__(self, index: LSHIndex | None = None, *, threshold: float = THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.index = index if index is not None else LSHIndex()
        self.threshold = threshold

    def __len__(self) -> int:
        return len(self.index)

    def similar(self, fingerprint: Fingerprint) -> list[Match]:
        """Indexed items of the same story as ``fingerprint``, most similar first."""
        return self.index.similar(fingerprint, self.threshold)

    def add(self, item: int, fingerprint: Fingerprint) -> Assignment:
        """Assign ``item`` to a cluster and index it. ValueError if it was added before."""
        if item in self.index:
            raise ValueError(f"item {item} is already clustered")
        if not fingerprint.comparable:
            return Assignment(item, item, None, 0.0, indexed=False)
        keys = self.index.keys_of(fingerprint)
        matches = self.index.similar(fingerprint, self.threshold, keys)
        if matches:
            best = matches[0]
            self.index.add(item, fingerprint, best.label, keys)
            return Assignment(item, best.label, best.item, best.similarity, indexed=True)
        self.index.add(item, fingerprint, item, keys)
        return Assignment(item, item, None, 0.0, indexed=True)

    def cluster_of(self, item: int) -> int:
        """The cluster of an indexed item; KeyError if it is not indexed."""
        return self.index.label_of(item)

    def remove(self, item: int) -> None:
        """Forget an item (out of the retention window, or deleted); its cluster stays."""
        self.index.remove(item)

    def save(self, file: str | IO[bytes]) -> None:
        self.index.save(file)

    @classmethod
    def load(cls, file: str | IO[bytes], *, threshold: float = THRESHOLD) -> StoryClusterer:
        return cls(LSHIndex.load(file), threshold=threshold)

    @classmethod
    def build(
        cls, items: Iterable[tuple[int, Fingerprint, int]], *, threshold: float = THRESHOLD
    ) -> StoryClusterer:
        """A clusterer resumed from stored ``(item, fingerprint, cluster)`` rows."""
        return cls(LSHIndex.build(items), threshold=threshold)


def cluster_items(
    items: Iterable[tuple[int, Fingerprint]], *, threshold: float = THRESHOLD
) -> list[Assignment]:
    """Cluster ``(item, fingerprint)`` pairs in the order given, from an empty index."""
    clusterer = StoryClusterer(threshold=threshold)
    return [clusterer.add(item, fingerprint) for item, fingerprint in items]
