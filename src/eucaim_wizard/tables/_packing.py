"""Rows of small integer codes grouped by sorting them packed into int64 (private).

Each row's codes, and its index below them, are packed into one int64 and the lot sorted with
``np.sort`` (vectorised for int64, and no gather of every column as after an argsort of
mixed-radix keys): equal rows end up adjacent, in the order of their codes
(the first column most significant), each group's rows by increasing index.  Used by the
frequency table (its distinct rows) and by the CSV writer (each distinct line joined once).
"""

from __future__ import annotations

import numpy as np


def code_bits(radices: list[int]) -> list[int]:
    """Bits that hold each column's codes (0 … radix − 1)."""
    return [max(int(radix) - 1, 0).bit_length() for radix in radices]


def pack(codes: list[np.ndarray], bits: list[int], rows: slice = slice(None)) -> np.ndarray:
    """The given rows' codes packed into one int64 each, the first column highest."""
    packed = np.asarray(codes[0][rows]).astype(np.int64)  # (a copy, built in place)
    for column, width in zip(codes[1:], bits[1:]):
        packed <<= width
        packed |= column[rows]
    return packed


def sort_rows(codes: list[np.ndarray], bits: list[int]) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``(packed, starts, index_bits)``: the rows packed above their index and sorted, and the
    position in ``packed`` of each group's first row; None when the bits exceed 63."""
    n = len(codes[0])
    index_bits = max(n - 1, 1).bit_length()
    if sum(bits) + index_bits > 63:
        return None
    packed = pack(codes, bits)
    packed <<= index_bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    key = packed >> index_bits
    new_group = np.empty(n, dtype=bool)
    new_group[:1] = True
    np.not_equal(key[1:], key[:-1], out=new_group[1:])
    return packed, np.flatnonzero(new_group), index_bits


def unpack(keys: np.ndarray, bits: list[int]) -> np.ndarray:
    """The codes of packed rows (without index bits): int32, one row per column."""
    columns = np.empty((len(bits), len(keys)), dtype=np.int32)
    shift = 0
    for a in range(len(bits) - 1, -1, -1):
        np.bitwise_and(keys >> shift, (1 << bits[a]) - 1, out=columns[a], casting="unsafe")
        shift += bits[a]
    return columns


def indices(packed: np.ndarray, index_bits: int) -> np.ndarray:
    """The original index of each sorted row."""
    return packed & ((1 << index_bits) - 1)


def group_of_rows(packed: np.ndarray, starts: np.ndarray, index_bits: int) -> np.ndarray:
    """For every row, in its original order, the number of its group (int64)."""
    group = np.zeros(len(packed), dtype=np.int64)
    group[starts[1:]] = 1
    np.cumsum(group, out=group)
    result = np.empty(len(packed), dtype=np.int64)
    result[indices(packed, index_bits)] = group
    return result
