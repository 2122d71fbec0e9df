"""Grouping rows by their code vectors: mixed-radix keys, dense counts, sorting.

The array machinery under :mod:`.classes` (and under the risk and utility analyses, which
group records too): each row's codes combined into one mixed-radix key, then grouped by a
dense bincount while the key space is small, else by sorting the keys (or the rows packed
into int64, :mod:`..tables._packing`), else by renumbering column by column.  Apart from
:mod:`.classes` because it knows nothing of class tables, sensitive values or levels: it
turns arrays of codes into groups, their sizes and the group of every row.
"""

from __future__ import annotations

import numpy as np

from ..tables._packing import code_bits, sort_rows, unpack

# Grouping by a dense bincount beats sorting while the key space is at most this many times
# the number of rows (and small enough to allocate without thought).
_DENSE_FACTOR = 8
_DENSE_LIMIT = 1 << 24
# (On the engine's arrays numpy's ``take`` is faster than indexing with an int32 array, and
# ``compress`` faster than indexing with a boolean mask whose pattern is irregular: see
# benchmarks/README.md.)


def group(codes, radices: list[int], weights: np.ndarray | None, *, key: np.ndarray | None = None,
          inverse: bool = True):
    """Group rows by their code vectors.

    Parameters
    ----------
    codes
        One integer array per column, all of the same length (a 2-D array, one row per
        column, or a list).
    radices
        Number of possible codes of each column.
    weights
        Records per row (``None``: one each); float64 (e.g. :attr:`ClassTable.weights`)
        spares numpy a conversion per call.
    key
        The rows' mixed-radix keys when the caller has them (see :func:`_combine`).
    inverse
        False: the caller does not need ``inverse``, which may then be None.

    Returns
    -------
    grouped
        A pair ``(keys, codes)``: either the mixed-radix key of each group (dense grouping;
        codes ``None``, split from the keys when needed) or, with keys ``None``, the codes of
        each group (int32, one row per column).
    sizes
        Records per group (int64).
    inverse
        For every row, the index of its group.
    """
    n = len(codes[0]) if len(codes) else 0
    space = _space(radices)
    affordable = min(_DENSE_LIMIT, max(_DENSE_FACTOR * max(n, 1), 256))
    if space <= affordable:
        key = _combine(codes, radices, space) if key is None else key
        present, sizes = _present(np.bincount(key, weights=weights, minlength=space))
        if not inverse:  # (numbering the rows' groups costs as much as counting them)
            return (present, None), sizes, None
        slot = np.empty(space, dtype=np.int64)  # only the slots of present keys are read
        slot[present] = np.arange(len(present))
        return (present, None), sizes, np.take(slot, key)
    if space < 2**62:
        # sort the keys: faster than renumbering column by column; numpy's unstable argsort
        # (vectorised on AVX-512) beats a radix sort on 16-bit digits: no need for stability,
        # every row of a group has its codes
        key = _combine(codes, radices, space) if key is None else key
        order = np.argsort(key)
        ordered = np.take(key, order)
        starts = np.empty(n, dtype=bool)
        starts[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.cumsum(starts) - 1
        sizes = np.bincount(inverse, weights=weights).astype(np.int64) if weights is not None else \
            np.bincount(inverse).astype(np.int64)
        # each group's codes, taken from one of its rows: cheaper than splitting its key later
        return (None, _columns_at(codes, np.compress(starts, order))), sizes, inverse
    # Combine column by column, renumbering the partial key densely (order-preserving)
    # whenever the next column would take its space past what a bincount can afford: linear
    # in the rows, where sorting the full keys would not be.
    key = np.asarray(codes[0], dtype=np.int64)
    key_space = max(int(radices[0]), 1)
    for column, radix in zip(codes[1:], radices[1:]):
        radix = max(int(radix), 1)
        if key_space * radix > affordable:
            key, key_space = _renumber(key, key_space)
        key = key * radix + column
        key_space *= radix
    inverse, n_groups = _renumber(key, key_space)
    sizes = np.bincount(inverse, weights=weights, minlength=n_groups).astype(np.int64)
    first = np.empty(n_groups, dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each group
    return (None, _columns_at(codes, first)), sizes, inverse


def _sorted_rows(codes: list[np.ndarray], radices: list[int]):
    """The distinct rows of the records' codes, as :func:`group` finds them (in the order
    of their mixed-radix keys), by sorting the records packed into int64
    (:mod:`..tables._packing`): the rows' codes are then shifts and masks of the packed values (no
    gather from the columns), and the records' rows need not be numbered until asked for
    (:attr:`FrequencyTable.record_row`).

    Returns ``(codes, sizes, sorted)`` -- codes int32 one row per column, sizes int64,
    ``sorted`` what :func:`..tables._packing.sort_rows` returns -- or None where :func:`group` does
    better (a key space it counts densely) or the bits do not fit in 63.
    """
    n = len(codes[0])
    bits = code_bits(radices)
    if _space(radices) <= min(_DENSE_LIMIT, max(_DENSE_FACTOR * n, 256)):
        return None
    rows = sort_rows(codes, bits)
    if rows is None:
        return None
    packed, starts, index_bits = rows
    sizes = np.diff(starts, append=n)
    columns = unpack(np.take(packed, starts) >> index_bits, bits)
    return columns, sizes.astype(np.int64, copy=False), rows


def _present(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The keys with records in a dense count by key, and their records (int64)."""
    present = np.flatnonzero(dense > 0)  # (numpy's nonzero is far slower on numbers than on booleans)
    return present, np.take(dense, present).astype(np.int64)


def _columns_at(codes, rows: np.ndarray) -> np.ndarray:
    """The codes of the given rows, one row per column (int32)."""
    if isinstance(codes, np.ndarray):
        return np.take(codes, rows, axis=1).astype(np.int32, copy=False)  # (faster than codes[:, rows])
    return np.array([np.take(column, rows) for column in codes], dtype=np.int32).reshape(len(codes), len(rows))


def _renumber(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """Number the distinct values of ``key`` 0, 1, … in increasing order."""
    if space <= _DENSE_LIMIT:
        present = np.flatnonzero(np.bincount(key, minlength=space) > 0)
        slot = np.empty(space, dtype=np.int64)  # only the slots of present keys are read
        slot[present] = np.arange(len(present))
        return np.take(slot, key), len(present)
    distinct, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1), len(distinct)


def _splitting(radices: list[int], first: int = 0) -> tuple[int, ...]:
    """The indices (from ``first``) of the attributes with more than one value at their level."""
    return tuple(first + a for a, radix in enumerate(radices) if radix > 1)


def _space(radices: list[int]) -> int:
    """The number of possible mixed-radix keys."""
    space = 1
    for radix in radices:
        space *= max(int(radix), 1)
    return space


def _combine(codes, radices: list[int], space: int) -> np.ndarray:
    """The mixed-radix key of every row (int32 when the key space allows: the codes are
    int32, and int64 arithmetic on them is slower)."""
    dtype = np.int32 if space < 2**31 else np.int64
    if isinstance(codes, np.ndarray) and len(codes) > 1:
        # one row per column: every column times its place value, summed (two numpy calls
        # instead of two per column; no partial sum exceeds the key, so int32 cannot overflow)
        places = np.empty(len(radices), dtype=dtype)
        place = 1
        for i in range(len(radices) - 1, -1, -1):
            places[i] = place
            place *= int(radices[i])
        return np.multiply(codes, places[:, None], dtype=dtype).sum(axis=0, dtype=dtype)
    key = np.asarray(codes[0]).astype(dtype)  # a copy
    for column, radix in zip(codes[1:], radices[1:]):
        key *= int(radix)
        key += column
    return key


def _split(keys: np.ndarray, radices: list[int]) -> np.ndarray:
    columns = np.empty((len(radices), len(keys)), dtype=np.int32)
    rest = keys.astype(np.int64, copy=True)
    for a in range(len(radices) - 1, -1, -1):
        rest, columns[a] = np.divmod(rest, int(radices[a]))
    return columns
