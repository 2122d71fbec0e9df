"""Every transformation of a lattice evaluated in compiled code (k-anonymity, Loss metric).

Listing every transformation ("explore") evaluates the whole lattice — 12,960 nodes on
Adult — where the search checks a few hundred.  In numpy each node costs a dozen calls and
their fixed costs; here one compiled call evaluates one height of the lattice: every node is
rolled up from the smallest of its direct predecessors (one level lower in one attribute) by
hashing its classes' mapped codes, then judged (classes below ``k`` records are suppressed)
and the Loss metric's per-attribute sums are taken.  The figures are those of
:meth:`eucaim_wizard.anonymizer.Result.evaluate`; the classes are in a different order, so the
Loss sums may differ in the last place (see :meth:`eucaim_wizard.metrics.Loss.loss_from_totals`).

The kernels (:mod:`._sweep_kernels`) need numba, imported on first use only.  A sweep applies
when every privacy model is k-anonymity, the metric is Loss, and the mixed-radix key of the
level-0 codes fits in 62 bits; otherwise the caller evaluates node by node in numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .classes import FrequencyTable
from .lattice import Lattice

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepFigures:
    """Per lattice node (indexed by node id; only the swept nodes are filled in).

    classes
        Equivalence classes, kept or not.
    suppressed
        Records in classes below ``k``.
    kept
        Classes of at least ``k`` records.
    smallest
        Records in the smallest kept class (0 when none is kept).
    use_kept
        Whether ``parts`` sums over the kept classes (else over the suppressed ones): the
        fewer of the two.
    parts
        Per attribute, Σ size·share over those classes (see :meth:`Loss.losses_from_parts`).
    """

    classes: np.ndarray
    suppressed: np.ndarray
    kept: np.ndarray
    smallest: np.ndarray
    use_kept: np.ndarray
    parts: np.ndarray


class Sweep:
    """The arrays the kernels read, prepared once for a frequency table and a lattice.

    Parameters
    ----------
    frequency, lattice
        The data and the transformations.
    k
        Classes with fewer records are suppressed.
    shares
        The Loss metric's flat share table and the offset of each (attribute, level) in it
        (:meth:`Loss.flat_shares`).
    """

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, k: int, shares: tuple[np.ndarray, np.ndarray]):
        from . import _sweep_kernels  # numba: imported here, not at start-up

        self._kernels = _sweep_kernels
        self.frequency, self.lattice, self.k = frequency, lattice, int(k)
        attributes = frequency.attributes
        n_attributes = len(attributes)
        radices = [max(a.domain_size(0), 1) for a in attributes]
        places = np.ones(n_attributes, dtype=np.int64)
        for a in range(n_attributes - 2, -1, -1):
            places[a] = places[a + 1] * radices[a + 1]
        self._places = places
        # every attribute's up-maps in one array: from level 0 to each level, and from each
        # level to the next (−1: no map)
        n_levels = max(a.n_levels for a in attributes)
        self._up_from_zero = np.full((n_attributes, n_levels), -1, dtype=np.int64)
        self._up_step = np.full((n_attributes, n_levels), -1, dtype=np.int64)
        parts, at = [], 0
        for a, attribute in enumerate(attributes):
            for level in range(1, attribute.n_levels):
                for table, source in ((self._up_from_zero, 0), (self._up_step, level - 1)):
                    up = attribute.up(source, level)
                    table[a, level] = at
                    parts.append(up)
                    at += len(up)
        # the narrowest integers that hold every code (less memory to stream through)
        widest = max(radices)
        self._code_type = np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32
        self._up_flat = np.concatenate(parts).astype(self._code_type) if parts else np.zeros(1, self._code_type)
        base = frequency.base
        self._base_codes = np.ascontiguousarray(base.codes.T, dtype=self._code_type)
        self._base_sizes = np.ascontiguousarray(base.sizes, dtype=np.int64)
        self._shares_flat = np.ascontiguousarray(shares[0], dtype=np.float64)
        self._share_offsets = np.ascontiguousarray(shares[1], dtype=np.int64)
        self._lattice = (np.asarray(lattice.stride, dtype=np.int64), np.asarray(lattice.low, dtype=np.int64),
                         np.asarray(lattice.span, dtype=np.int64))
        # load the kernels now (from numba's cache, or compiled once: a few seconds), not in
        # each process that a caller forks afterwards
        self.run(np.zeros(0, dtype=np.int64))

    def _arrays(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Room for ``rows`` classes: keys, codes (one row per class), sizes."""
        return (np.empty(rows, dtype=np.int64), np.empty((rows, len(self._places)), dtype=self._code_type),
                np.empty(rows, dtype=np.int64))

    @staticmethod
    def applies(frequency: FrequencyTable) -> bool:
        """Whether the level-0 codes of every quasi-identifier fit one 62-bit key."""
        if not frequency.attributes:
            return False
        space = 1
        for attribute in frequency.attributes:
            space *= max(attribute.domain_size(0), 1)
        return space < 2**62

    def run(self, nodes: np.ndarray, progress: Progress | None = None, total: int | None = None) -> SweepFigures:
        """Evaluate ``nodes`` (a sub-lattice: every node's direct predecessors inside it or
        none), by height; ``progress(done, total)`` after each height."""
        lattice = self.lattice
        size, n_attributes = lattice.size, len(self.frequency.attributes)
        figures = SweepFigures(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64),
                               np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64),
                               np.zeros(size, dtype=bool), np.zeros((size, n_attributes)))
        nodes = np.asarray(nodes, dtype=np.int64)
        heights = lattice.height[nodes]
        order = np.lexsort((nodes, heights))
        nodes, heights = nodes[order], heights[order]
        bounds = np.flatnonzero(np.diff(heights)) + 1
        position = np.full(size, -1, dtype=np.int64)
        # two sets of class arrays (keys, codes, sizes), used in turn by the heights (grown
        # when one falls short)
        spare = self._arrays(0)
        prev_start = prev_count = np.zeros(0, dtype=np.int64)
        prev = self._arrays(0)
        strides, lows, spans = self._lattice
        done = 0
        for chunk in np.split(nodes, bounds):
            while True:
                start, count, needed = self._kernels.sweep_height(
                    chunk, position, prev_start, prev_count, *prev, self._base_codes,
                    self._base_sizes, strides, lows, spans, self._places, self._up_flat, self._up_from_zero,
                    self._up_step, self.k, self._shares_flat, self._share_offsets, *spare,
                    figures.classes, figures.suppressed, figures.kept, figures.smallest, figures.use_kept,
                    figures.parts)
                if needed <= len(spare[2]):
                    break
                spare = self._arrays(max(needed, len(spare[2]) * 3 // 2))
            prev, spare = spare, prev
            prev_start, prev_count = start, count
            done += len(chunk)
            if progress is not None:
                progress(done, total or len(nodes))
        return figures
