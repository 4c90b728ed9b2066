"""The weights of a CRFsuite model file, read once, for scoring it in Python.

pycrfsuite's ``Tagger`` looks every attribute string up in the model's own hash database on
each call, which costs as much as building the features; a segmenter that scores the model
itself can look up whole groups of features at once and cache them per unit of text. It
needs the weights: ``Tagger.info()`` gives them, but from a text dump printed to six decimals
(an exact tie between two tag sequences then flips on rounding) and slowly (1.1 s and 140 MB
for khmercut's model). So the file is read directly. Its layout is CRFsuite's first-order
model (``crf1d_model.c``): a header of offsets, the feature table (type, source, destination,
weight as a double), and two CQDB string tables (``cqdb.c``) for labels and attributes. The
tests check the result against ``Tagger.info()`` and the tags against ``Tagger.tag()``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_HEADER = struct.Struct("<4sI4s9I")
_CHUNK = struct.Struct("<4sII")
_FEATURE = struct.Struct("<IIId")
_CQDB = struct.Struct("<4s5I")
_CQDB_BYTEORDER = 0x62445371
_STATE, _TRANSITION = 0, 1


class ModelFormatError(ValueError):
    """The file is not a CRFsuite first-order model as this reader knows it."""


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]  # by label id
    attributes: tuple[str, ...]  # by attribute id
    transitions: tuple[tuple[float, ...], ...]  # [from label id][to label id]
    features: bytes  # the feature table as stored; state_features() reads it

    def state_features(self) -> Iterator[tuple[str, int, float]]:
        """(attribute, label id, weight) of every state feature, in the file's order.

        A generator over the stored table: a model has hundreds of thousands of features,
        and a dict per attribute would cost more memory than the tables built from them.
        """
        attributes = self.attributes
        for kind, source, target, weight in _FEATURE.iter_unpack(self.features):
            if kind == _STATE:
                yield attributes[source], target, weight


def _strings(data: bytes, offset: int) -> list[str]:
    """The strings of a CQDB chunk, by id (through its backward array: id -> record)."""
    try:
        chunk, _size, _flag, byteorder, count, backward = _CQDB.unpack_from(data, offset)
        records = struct.unpack_from(f"<{count}I", data, offset + backward)
    except struct.error as error:
        raise ModelFormatError(f"no string table at {offset}") from error
    if chunk != b"CQDB" or byteorder != _CQDB_BYTEORDER:
        raise ModelFormatError(f"no string table at {offset}")
    out = []
    try:
        for ident, record in enumerate(records):
            found, size = struct.unpack_from("<II", data, offset + record)
            start = offset + record + 8
            if found != ident or size < 1 or data[start + size - 1] != 0:
                raise ModelFormatError(f"string {ident} of the table at {offset} is damaged")
            out.append(data[start : start + size - 1].decode("utf-8"))
    except (struct.error, IndexError, UnicodeDecodeError) as error:
        raise ModelFormatError(f"the string table at {offset} is cut short") from error
    return out


def read_model(path: Path | str) -> Model:
    """The labels, attributes and weights of the model at ``path``; the file is checked whole."""
    data = Path(path).read_bytes()
    try:
        header = _HEADER.unpack_from(data)
        magic, kind, num_labels, num_attrs, off_features, off_labels, off_attrs = (
            header[0],
            header[2],
            *header[5:10],
        )
        chunk, _chunk_size, count = _CHUNK.unpack_from(data, off_features)
    except struct.error as error:
        raise ModelFormatError(f"{path}: too short for a CRFsuite model") from error
    if magic != b"lCRF" or kind != b"FOMC" or chunk != b"FEAT":
        raise ModelFormatError(f"{path}: not a CRFsuite first-order model")
    labels = _strings(data, off_labels)
    attributes = _strings(data, off_attrs)
    if len(labels) != num_labels or len(attributes) != num_attrs:
        raise ModelFormatError(f"{path}: label or attribute count differs from the header")
    start = off_features + _CHUNK.size
    table = data[start : start + count * _FEATURE.size]
    if len(table) != count * _FEATURE.size:
        raise ModelFormatError(f"{path}: feature table cut short")
    transitions = [[0.0] * num_labels for _ in range(num_labels)]
    for kind_id, source, target, weight in _FEATURE.iter_unpack(table):
        if target >= num_labels or source >= (num_attrs if kind_id == _STATE else num_labels):
            raise ModelFormatError(f"{path}: feature from {source} to {target} out of range")
        if kind_id == _TRANSITION:
            transitions[source][target] = weight
        elif kind_id != _STATE:
            raise ModelFormatError(f"{path}: feature of unknown type {kind_id}")
    return Model(tuple(labels), tuple(attributes), tuple(tuple(row) for row in transitions), table)
