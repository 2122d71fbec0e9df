"""The generalization lattice: every vector of per-QI levels within each QI's range.

Nodes are numbered in mixed radix (the last quasi-identifier varies fastest), so a node's
id, its levels and its neighbours are computed, never searched for.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

#: the largest lattice whose level table (:attr:`Lattice.levels`) :meth:`Lattice.row` makes;
#: the rows of a larger one (searched best-effort) are always computed from their ids
TABLE_UP_TO = 5_000_000


class Lattice:
    """The product of the level ranges ``[low_i, high_i]`` of the quasi-identifiers.

    Parameters
    ----------
    low, high
        Lowest and highest allowed level of each quasi-identifier.
    """

    def __init__(self, low: list[int], high: list[int]):
        self.low = np.asarray(low, dtype=np.int64)
        self.high = np.asarray(high, dtype=np.int64)
        if (self.low > self.high).any():
            raise ValueError("each low level must be at most its high level")
        self.span = self.high - self.low + 1
        # the size in Python integers: numpy's int64 product would wrap around silently
        size = 1
        for span in self.span.tolist():
            size *= span
        if size >= 2**63:
            raise ValueError(f"a lattice of {size:,} transformations cannot be numbered in 64 bits "
                             f"(levels per attribute: {self.span.tolist()})")
        self.size = size
        # stride[i]: how far apart two nodes that differ by one level in QI i are
        stride = np.ones(len(self.span), dtype=np.int64)
        for i in range(len(self.span) - 2, -1, -1):
            stride[i] = stride[i + 1] * self.span[i + 1]
        self.stride = stride
        self._strides, self._lows, self._highs = stride.tolist(), self.low.tolist(), self.high.tolist()
        #: the lattice as an array: ``array.reshape(lattice.shape)[levels - low]`` is a node
        self.shape = tuple(int(s) for s in self.span)
        self._digits = list(zip(self._strides, self.shape, self._lows))
        #: per quasi-identifier, (id distance to the node one level more general, highest level)
        self.steps: list[tuple[int, int]] = list(zip(self._strides, self._highs))
        self._rows_computed = 0

    @cached_property
    def levels(self) -> np.ndarray:
        """The levels of every node (int16, one row per node; made on first use: the search
        itself works on :meth:`row` and on lattice-shaped arrays)."""
        # mixed radix, the last QI fastest: the row-major order of the index grid
        grid = np.indices(self.shape, dtype=np.int16).reshape(len(self.span), self.size)
        levels = np.ascontiguousarray(grid.T)
        levels += self.low.astype(np.int16)
        return levels

    @cached_property
    def height(self) -> np.ndarray:
        """The sum of the levels of every node (int64)."""
        return self.combine([np.arange(high + 1, dtype=np.int64) for high in self._highs], np.add,
                            np.int64)

    def combine(self, per_level: list[np.ndarray], ufunc: np.ufunc, dtype=float) -> np.ndarray:
        """``ufunc`` (e.g. ``np.add``, ``np.maximum``) over every attribute of its per-level
        values, for every node at once (flat, by node id): one broadcast operation per
        attribute instead of gathering a value for every node and attribute.

        The attributes are combined in their order (``((v0 ∘ v1) ∘ v2) …``, as for one node),
        each new attribute on the outer axis, so that every operation runs along the long
        axis (the last attributes often have few levels); one transposing copy then puts the nodes
        in id order (the last attribute fastest)."""
        if not per_level:
            return np.zeros(self.size, dtype=dtype)
        result = None
        for a, values in enumerate(per_level):
            values = np.asarray(values)[self._lows[a]:self._highs[a] + 1].astype(dtype, copy=False)
            result = values.copy() if result is None else ufunc(result[None, :], values[:, None]).reshape(-1)
        return np.ascontiguousarray(result.reshape(self.shape[::-1]).T).reshape(self.size)

    def row(self, node: int) -> list[int]:
        """The levels of ``node`` as a list of ints: computed from its id for the first few
        hundred calls (a search that checks a few nodes needs no level table), then read
        from :attr:`levels` (which costs about as much as 250 computed rows to make)."""
        table = self.__dict__.get("levels")
        if table is not None:
            return table[node].tolist()
        self._rows_computed += 1
        if self._rows_computed > 256 and self.size <= TABLE_UP_TO:
            return self.levels[node].tolist()
        return [node // stride % span + low for stride, span, low in self._digits]

    @property
    def bottom(self) -> int:
        return 0

    @property
    def top(self) -> int:
        return self.size - 1

    def node(self, levels) -> int:
        """The id of the node with these levels."""
        offsets = np.asarray(levels, dtype=np.int64) - self.low
        if (offsets < 0).any() or (offsets >= self.span).any():
            raise ValueError(f"levels {tuple(int(v) for v in levels)} are outside the lattice")
        return int(offsets @ self.stride)

    def levels_of(self, node: int) -> tuple[int, ...]:
        return tuple(self.row(node))

    def predecessors(self, node: int) -> list[int]:
        """Nodes one level more specific in exactly one quasi-identifier."""
        row = self.row(node)
        return [node - s for s, level, low in zip(self._strides, row, self._lows) if level > low]

    def successors(self, node: int) -> list[int]:
        """Nodes one level more general in exactly one quasi-identifier."""
        row = self.row(node)
        return [node + s for s, level, high in zip(self._strides, row, self._highs) if level < high]

    def box_above(self, node: int) -> tuple[slice, ...]:
        """The nodes at least as general as ``node``, as slices of an array of :attr:`shape`."""
        return tuple(slice(level - low, None) for level, low in zip(self.row(node), self._lows))

    def box_below(self, node: int) -> tuple[slice, ...]:
        """The nodes at most as general as ``node``, as slices of an array of :attr:`shape`."""
        return tuple(slice(0, level - low + 1) for level, low in zip(self.row(node), self._lows))
