"""An incremental MinHash LSH index over numpy arrays, compact enough for millions of items.

The algorithm is datasketch's ``MinHashLSH`` (banding: two signatures are candidates when they
agree on all ``ROWS`` values of at least one of ``BANDS`` bands), with the candidates then
verified by their estimated Jaccard similarity. datasketch keeps a Python ``set`` per bucket
and a ``bytes`` key per band and item: its index grew by 0.93 GB for 100,000 items with 32
bands in ``bench/clustering.py``, about 9 GB for a million. Here the band keys of all items are one
sorted ``uint64`` array with the row of each key beside it (12 bytes per band and item), the
signatures one ``uint32`` matrix, and the few thousand latest items wait in a small dictionary
until they are merged into the sorted arrays in one vectorized step.

Items are identified by integers (the ingest app's primary keys) and carry an integer label
(the story cluster they belong to). Removed items stay in the arrays, marked dead, until
:meth:`LSHIndex.compact`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from infoharbor.text.fingerprint.minhash import (
    BANDS,
    FORMAT_VERSION,
    NUM_PERM,
    ROWS,
    Fingerprint,
    Signature,
    band_keys,
)
from infoharbor.text.fingerprint.shingles import distinct

__all__ = ["LSHIndex", "Match"]

# Items kept in the dictionary before a merge into the sorted arrays: a merge copies the whole
# table (O(n)), so the larger this is the fewer merges, at 32 dictionary entries per item.
_PENDING_LIMIT = 8192
_KEY_CHUNK = 65_536  # signatures whose band keys are computed at once when (re)building


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed item similar to a query."""

    item: int
    label: int
    similarity: float  # estimated Jaccard similarity with the query


class LSHIndex:
    """Fingerprints of items, searchable for the ones similar to a new fingerprint.

    Not thread-safe: one writer (the ingest worker) owns it.
    """

    def __init__(self, *, bands: int = BANDS, rows: int = ROWS) -> None:
        if bands < 1 or rows < 1 or bands * rows > NUM_PERM:
            raise ValueError(f"{bands} bands of {rows} rows do not fit {NUM_PERM} values")
        self.bands = bands
        self.rows = rows
        self._reset()

    def _reset(self) -> None:
        self._ids = np.empty(0, dtype=np.int64)
        self._labels = np.empty(0, dtype=np.int64)
        self._signatures = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._sizes = np.empty(0, dtype=np.uint32)
        self._alive = np.empty(0, dtype=bool)
        self._rows = 0  # rows used in the arrays above (their length is the capacity)
        self._row_of: dict[int, int] = {}
        # Band key -> rows, for rows merged into the sorted table ...
        self._keys = np.empty(0, dtype=np.uint64)
        self._key_rows = np.empty(0, dtype=np.int32)
        # ... and for the latest rows: key -> row, or -> list of rows when several share it.
        self._pending: dict[int, int | list[int]] = {}
        self._pending_rows = 0

    # --- Size and membership -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, item: object) -> bool:
        return item in self._row_of

    def label_of(self, item: int) -> int:
        """The label of an indexed item; KeyError if it is not in the index."""
        return int(self._labels[self._row_of[item]])

    def fingerprint_of(self, item: int) -> Fingerprint:
        """The fingerprint an item was indexed with; KeyError if it is not in the index."""
        row = self._row_of[item]
        return Fingerprint(self._signatures[row].copy(), int(self._sizes[row]))

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (not counting the dictionaries of ids and latest keys)."""
        arrays = (self._ids, self._labels, self._signatures, self._sizes, self._alive)
        return sum(a.nbytes for a in arrays) + self._keys.nbytes + self._key_rows.nbytes

    # --- Writing -------------------------------------------------------------------------

    def add(
        self, item: int, fingerprint: Fingerprint, label: int, keys: list[int] | None = None
    ) -> None:
        """Index ``item``. ValueError if it is already indexed or too short to compare.

        ``keys`` are the fingerprint's :meth:`keys_of`, when the caller has them already.
        """
        if item in self._row_of:
            raise ValueError(f"item {item} is already indexed")
        if not fingerprint.comparable:
            raise ValueError(f"item {item} has {fingerprint.size} shingles: too short to index")
        row = self._append(item, fingerprint, label)
        pending = self._pending
        for key in self.keys_of(fingerprint) if keys is None else keys:
            slot = pending.get(key)
            if slot is None:
                pending[key] = row
            elif isinstance(slot, list):
                slot.append(row)
            else:
                pending[key] = [slot, row]
        self._pending_rows += 1
        if self._pending_rows >= _PENDING_LIMIT:
            self._merge_pending()

    def keys_of(self, fingerprint: Fingerprint) -> list[int]:
        """The band keys of a fingerprint: what similar() and add() look up and store.

        Computing them is a good part of a lookup; a caller that queries and then inserts the
        same fingerprint (the clusterer) computes them once and passes them to both.
        """
        return band_keys(fingerprint.signature, self.bands, self.rows)[0].tolist()  # type: ignore[no-any-return]

    def remove(self, item: int) -> None:
        """Forget ``item`` (KeyError if it is not indexed); its space is reclaimed by compact()."""
        row = self._row_of.pop(item)
        self._alive[row] = False

    def compact(self) -> None:
        """Drop removed items from the arrays (a rebuild: a few seconds per million items)."""
        rows = np.flatnonzero(self._alive[: self._rows])
        ids, labels = self._ids[rows], self._labels[rows]
        signatures, sizes = self._signatures[rows], self._sizes[rows]
        self._reset()
        self._load(ids, labels, signatures, sizes)

    def _append(self, item: int, fingerprint: Fingerprint, label: int) -> int:
        row = self._rows
        if row == len(self._ids):
            self._grow(max(1024, 2 * row))
        self._ids[row] = item
        self._labels[row] = label
        self._signatures[row] = fingerprint.signature
        self._sizes[row] = fingerprint.size
        self._alive[row] = True
        self._row_of[item] = row
        self._rows = row + 1
        return row

    def _grow(self, capacity: int) -> None:
        def grown(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
            bigger = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
            bigger[: self._rows] = array[: self._rows]
            return bigger

        self._ids = grown(self._ids)
        self._labels = grown(self._labels)
        self._signatures = grown(self._signatures)
        self._sizes = grown(self._sizes)
        self._alive = grown(self._alive)

    def _merge_pending(self) -> None:
        if not self._pending:
            return
        keys: list[int] = []
        rows: list[int] = []
        for key, slot in self._pending.items():
            if isinstance(slot, list):
                keys.extend([key] * len(slot))
                rows.extend(slot)
            else:
                keys.append(key)
                rows.append(slot)
        new_keys = np.array(keys, dtype=np.uint64)
        new_rows = np.array(rows, dtype=np.int32)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_rows = new_keys[order], new_rows[order]
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._key_rows = np.insert(self._key_rows, at, new_rows)
        self._pending = {}
        self._pending_rows = 0

    # --- Reading -------------------------------------------------------------------------

    def similar(
        self, fingerprint: Fingerprint, threshold: float, keys: list[int] | None = None
    ) -> list[Match]:
        """Indexed items whose estimated Jaccard similarity with ``fingerprint`` is at least
        ``threshold``, the most similar first (ties: the earliest indexed first).

        Candidates come from the bands; each is then checked on its whole signature, and
        dropped when the two shingle counts alone rule the threshold out (J <= min/max).
        ``keys`` are the fingerprint's :meth:`keys_of`, when the caller has them already.
        """
        if not fingerprint.comparable:
            return []
        rows = self._candidate_rows(self.keys_of(fingerprint) if keys is None else keys)
        if rows.size == 0:
            return []
        rows = rows[self._alive[rows]]
        sizes = self._sizes[rows].astype(np.float64)
        size = float(fingerprint.size)
        possible = np.minimum(sizes, size) >= threshold * np.maximum(sizes, size)
        rows = rows[possible]
        agree = np.count_nonzero(self._signatures[rows] == fingerprint.signature, axis=1)
        scores = agree / NUM_PERM
        keep = scores >= threshold
        rows, scores = rows[keep], scores[keep]
        order = np.lexsort((rows, -scores))
        return [
            Match(int(self._ids[row]), int(self._labels[row]), float(score))
            for row, score in zip(rows[order], scores[order], strict=True)
        ]

    def _candidate_rows(self, keys: list[int]) -> npt.NDArray[np.int32]:
        found: list[npt.NDArray[np.int32]] = []
        table = self._keys
        if table.size:
            wanted = np.array(keys, dtype=np.uint64)
            low = np.searchsorted(table, wanted)
            hit = table[np.minimum(low, table.size - 1)] == wanted
            if hit.any():  # most lookups find nothing: only then look for where the runs end
                high = np.searchsorted(table, wanted[hit], side="right")
                for start, stop in zip(low[hit].tolist(), high.tolist(), strict=True):
                    found.append(self._key_rows[start:stop])
        pending = self._pending
        extra: list[int] = []
        for key in keys:
            slot = pending.get(key)
            if slot is None:
                continue
            if isinstance(slot, list):
                extra.extend(slot)
            else:
                extra.append(slot)
        if extra:
            found.append(np.array(extra, dtype=np.int32))
        if not found:
            return np.empty(0, dtype=np.int32)
        return distinct(np.concatenate(found))

    # --- Persistence ---------------------------------------------------------------------

    def save(self, file: str | IO[bytes]) -> None:
        """Write the live items to ``file`` (a path or a binary file) as a numpy ``.npz``."""
        rows = np.flatnonzero(self._alive[: self._rows])
        np.savez(
            file,
            format_version=np.array([FORMAT_VERSION]),
            banding=np.array([self.bands, self.rows]),
            ids=self._ids[rows],
            labels=self._labels[rows],
            signatures=self._signatures[rows],
            sizes=self._sizes[rows],
        )

    @classmethod
    def load(cls, file: str | IO[bytes]) -> LSHIndex:
        """An index read back from :meth:`save`'s file; ValueError if it is not one."""
        try:
            with np.load(file, allow_pickle=False) as data:
                version = int(data["format_version"][0])
                bands, rows = (int(x) for x in data["banding"])
                arrays = data["ids"], data["labels"], data["signatures"], data["sizes"]
        except (KeyError, OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a saved LSH index: {error}") from error
        if version != FORMAT_VERSION:
            raise ValueError(f"index format {version}, this version reads {FORMAT_VERSION}")
        index = cls(bands=bands, rows=rows)
        index._load(*arrays)
        return index

    @classmethod
    def build(
        cls, items: Iterable[tuple[int, Fingerprint, int]], *, bands: int = BANDS, rows: int = ROWS
    ) -> LSHIndex:
        """An index of ``(item, fingerprint, label)`` rows, e.g. read back from the database.

        One vectorized build (a few seconds per million items), not one add() per row.
        Fingerprints too short to compare are skipped, as add() would refuse them.
        """
        ids: list[int] = []
        labels: list[int] = []
        signatures: list[Signature] = []
        sizes: list[int] = []
        for item, fingerprint, label in items:
            if fingerprint.comparable:
                ids.append(item)
                labels.append(label)
                signatures.append(fingerprint.signature)
                sizes.append(fingerprint.size)
        index = cls(bands=bands, rows=rows)
        index._load(
            np.array(ids, dtype=np.int64),
            np.array(labels, dtype=np.int64),
            np.array(signatures, dtype=np.uint32).reshape(-1, NUM_PERM),
            np.array(sizes, dtype=np.uint32),
        )
        return index

    def _load(
        self,
        ids: npt.NDArray[np.int64],
        labels: npt.NDArray[np.int64],
        signatures: npt.NDArray[np.uint32],
        sizes: npt.NDArray[np.uint32],
    ) -> None:
        count = len(ids)
        if not (len(labels) == len(sizes) == len(signatures) == count):
            raise ValueError("ids, labels, signatures and sizes differ in length")
        if signatures.shape[1:] != (NUM_PERM,):
            raise ValueError(f"signatures must have {NUM_PERM} values each")
        row_of = dict(zip(ids.tolist(), range(count), strict=True))
        if len(row_of) != count:
            raise ValueError("an item appears twice")
        self._grow(max(1024, count))
        self._ids[:count] = ids
        self._labels[:count] = labels
        self._signatures[:count] = signatures
        self._sizes[:count] = sizes
        self._alive[:count] = True
        self._rows = count
        self._row_of = row_of
        keys = np.empty((count, self.bands), dtype=np.uint64)
        for start in range(0, count, _KEY_CHUNK):
            chunk = signatures[start : start + _KEY_CHUNK]
            keys[start : start + _KEY_CHUNK] = band_keys(chunk, self.bands, self.rows)
        flat = keys.reshape(-1)
        order = np.argsort(flat, kind="stable")
        self._keys = flat[order]
        self._key_rows = (order // self.bands).astype(np.int32)
