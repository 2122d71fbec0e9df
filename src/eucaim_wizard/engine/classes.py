"""Frequency tables and equivalence classes.

The frequency table holds the distinct rows of quasi-identifier codes and how many records
have each.  It is built in the one pass over all records; every transformation is then
evaluated on it, or on the (smaller) class table of an already evaluated, more specific
transformation ("roll-up").
"""

from __future__ import annotations

import numpy as np

from .encoding import EncodedAttribute

# Grouping by a dense bincount beats sorting while the key space is at most this many times
# the number of rows (and small enough to allocate without thought).
_DENSE_FACTOR = 8
_DENSE_LIMIT = 1 << 24


class ClassTable:
    """The equivalence classes of one transformation.

    Attributes
    ----------
    levels
        The generalization level of each quasi-identifier.
    codes
        One int32 array per quasi-identifier: the class's code at its level (decoded from
        the mixed-radix keys on first use: most tables are only counted, never rolled up).
    sizes
        Number of records in each class (int64).
    """

    __slots__ = ("levels", "sizes", "_codes", "_keys", "_radices")

    def __init__(self, levels: tuple[int, ...], codes: list[np.ndarray] | None, sizes: np.ndarray,
                 keys: np.ndarray | None = None, radices: list[int] | None = None):
        self.levels = levels
        self.sizes = sizes
        self._codes = codes
        self._keys = keys
        self._radices = radices

    @property
    def codes(self) -> list[np.ndarray]:
        if self._codes is None:
            self._codes = _split(self._keys, self._radices)
            self._keys = None
        return self._codes

    @property
    def n_classes(self) -> int:
        return len(self.sizes)


def group(codes: list[np.ndarray], radices: list[int], weights: np.ndarray | None):
    """Group rows by their code vectors.

    Parameters
    ----------
    codes
        One integer array per column, all of the same length.
    radices
        Number of possible codes of each column.
    weights
        Records per row (``None``: one each).

    Returns
    -------
    grouped
        A pair ``(keys, codes)``: the mixed-radix key of each group (``None`` if the key
        space overflows int64) and, only when there are no keys, one int32 array per column
        with the codes of each group.
    sizes
        Records per group (int64).
    inverse
        For every row, the index of its group.
    """
    n = len(codes[0]) if codes else 0
    space = 1
    for radix in radices:
        space *= max(int(radix), 1)
    if space < 2**62:
        key = _combine(codes, radices)
        if space <= _DENSE_LIMIT and space <= _DENSE_FACTOR * max(n, 1):
            dense = np.bincount(key, weights=weights, minlength=space)
            present = np.flatnonzero(dense)
            slot = np.zeros(space, dtype=np.int64)
            slot[present] = np.arange(len(present))
            inverse = slot[key]
            sizes = dense[present].astype(np.int64)
            return (present, None), sizes, inverse
        distinct_keys, inverse, sizes = np.unique(key, return_inverse=True, return_counts=True)
        if weights is not None:
            sizes = np.bincount(inverse, weights=weights, minlength=len(distinct_keys)).astype(np.int64)
        return (distinct_keys, None), sizes, inverse
    # the key would overflow: group column by column
    inverse = np.zeros(n, dtype=np.int64)
    for column in codes:
        pair = inverse * (int(column.max()) + 1 if n else 1) + column
        _, inverse = np.unique(pair, return_inverse=True)
    distinct_ids, first = np.unique(inverse, return_index=True)
    distinct = [c[first].astype(np.int32) for c in codes]
    sizes = np.bincount(inverse, weights=weights, minlength=len(distinct_ids)).astype(np.int64)
    return (None, distinct), sizes, inverse


def _table(levels: tuple[int, ...], grouped, sizes: np.ndarray, radices: list[int]) -> ClassTable:
    keys, codes = grouped
    return ClassTable(levels, codes, sizes, keys=keys, radices=radices)


def _combine(codes: list[np.ndarray], radices: list[int]) -> np.ndarray:
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for column, radix in zip(codes, radices):
        key *= int(radix)
        key += column
    return key


def _split(keys: np.ndarray, radices: list[int]) -> list[np.ndarray]:
    columns = []
    rest = keys.astype(np.int64, copy=True)
    for radix in reversed(radices):
        rest, column = np.divmod(rest, int(radix))
        columns.append(column.astype(np.int32))
    return columns[::-1]


class FrequencyTable:
    """Distinct quasi-identifier rows of the data and their record counts.

    ``record_row`` maps each record to its distinct row, so that the chosen transformation
    can later be applied to every record without grouping again.
    """

    def __init__(self, attributes: list[EncodedAttribute]):
        self.attributes = attributes
        n_records = len(attributes[0].codes) if attributes else 0
        self.n_records = n_records
        levels = tuple(0 for _ in attributes)
        if attributes:
            radices = [a.domain_size(0) for a in attributes]
            grouped, sizes, inverse = group([a.codes for a in attributes], radices, None)
            self.base = _table(levels, grouped, sizes, radices)
        else:
            inverse = np.zeros(n_records, dtype=np.int64)
            self.base = ClassTable(levels, [], np.array([n_records], dtype=np.int64))
        self.record_row = inverse
        # the base table's codes generalized to each level, made on first use: most checks
        # start from the base table, and then grouping needs no lookups at all
        self._base_at: dict[tuple[int, int], np.ndarray] = {}

    def base_codes(self, a: int, level: int) -> np.ndarray:
        """The base table's codes of attribute ``a`` generalized to ``level``."""
        codes = self._base_at.get((a, level))
        if codes is None:
            column = self.base.codes[a]
            codes = column if level == 0 else np.take(self.attributes[a].up(0, level), column)
            self._base_at[(a, level)] = codes
        return codes

    def roll_up(self, source: ClassTable, levels: tuple[int, ...]) -> ClassTable:
        """The classes of ``levels``, computed from the classes of a more specific ``source``."""
        if source is self.base:
            mapped = [self.base_codes(a, want) for a, want in enumerate(levels)]
        else:
            mapped = [
                np.take(attribute.up(have, want), column) if have != want else column
                for attribute, column, have, want in zip(self.attributes, source.codes, source.levels, levels)
            ]
        radices = [attribute.domain_size(level) for attribute, level in zip(self.attributes, levels)]
        if not self.attributes:
            return ClassTable(levels, [], source.sizes.copy())
        grouped, sizes, _ = group(mapped, radices, source.sizes)
        return _table(levels, grouped, sizes, radices)

    def classes(self, levels: tuple[int, ...]) -> ClassTable:
        """The classes of ``levels`` computed from the base table."""
        return self.roll_up(self.base, levels)
