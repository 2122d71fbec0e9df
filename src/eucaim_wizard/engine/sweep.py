"""Every transformation of a lattice evaluated in compiled code.

Listing every transformation ("explore") evaluates the whole lattice — 12,960 nodes on
Adult — and a search with a model that is not monotonic (t-closeness) checks nearly as many.
In numpy each node costs a dozen calls and their fixed costs; here one compiled call
evaluates one height of the lattice: every node is rolled up from the smallest of its direct
predecessors (one level lower in one attribute) by hashing its classes' codes, with their
sensitive-value counts, then its classes are judged, and the Loss metric's per-attribute
sums taken.  The figures are those of node-by-node evaluation; the classes are in another
order, so the Loss sums may differ in the last place.

The kernels (:mod:`._sweep_kernels`) need numba, imported on first use only.  A sweep
applies when every privacy model is k-anonymity, distinct l-diversity or equal-distance
t-closeness (:func:`sweep_models`), the mixed-radix key of the level-0 codes fits in 62 bits,
the sensitive attributes have at most :data:`MAX_COUNTS` values together and the classes of
two heights fit in :data:`MAX_BYTES`; otherwise the caller evaluates node by node in numpy.
Callers: :meth:`eucaim_wizard.anonymizer.Result.evaluate_table` (explore), and the search's
evaluator once a search has checked much of its lattice (:class:`eucaim_wizard.engine.evaluator.Evaluator`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._sweep_kinds import DISTINCT_L, EQUAL_T
from .classes import FrequencyTable, _space
from .lattice import Lattice
from .parallel import halves

if TYPE_CHECKING:
    from ..privacy import PrivacyModel

Progress = Callable[[int, int], None]

#: most sensitive values (all sensitive attributes together) counted per class
MAX_COUNTS = 256
#: most memory the class arrays of two heights may take (bytes, in each process); a sweep
#: that needs more gives up (the caller evaluates node by node, holding fewer classes)
MAX_BYTES = 2 << 30
# model kinds of :attr:`SweepModels.kinds` (k-anonymity is :attr:`SweepModels.k`): DISTINCT_L, EQUAL_T


@dataclass(frozen=True)
class SweepModels:
    """The privacy models as the kernels read them (see :func:`sweep_models`)."""

    k: int
    #: per model: kind (:data:`DISTINCT_L` / :data:`EQUAL_T`), first count column,
    #: number of count columns, and its limit (l, or t with the models' slack)
    kinds: np.ndarray
    offsets: np.ndarray
    widths: np.ndarray
    limits: np.ndarray
    #: each count column's share of the whole table (t-closeness's ``q``)
    overall: np.ndarray
    #: the first ``monotonic`` models are monotonic with suppression
    monotonic: int
    #: the sensitive attributes whose counts are kept, and their first column
    columns: dict[str, int]


def sweep_models(models: list[PrivacyModel], domains: dict) -> SweepModels | None:
    """The models in the kernels' form, or None when one of them has no compiled verdict
    (its :attr:`~eucaim_wizard.privacy.base.PrivacyModel.sweep_rule` is None: dataset-level
    models, the other l-diversities and t-closeness distances, ...)."""
    rules = [m.sweep_rule for m in models]
    if not models or any(rule is None for rule in rules):
        return None
    columns: dict[str, int] = {}
    shares = []
    for m in models:
        name = m.sensitive_attribute
        if name is not None and name not in columns:
            columns[name] = sum(len(s) for s in shares)
            shares.append(np.asarray(domains[name].overall, dtype=np.float64))
    if sum(len(s) for s in shares) > MAX_COUNTS:
        return None
    # the monotonic models first (their failures also tell which nodes fail below)
    sensitive = sorted((m for m in models if m.sweep_rule[0] != "min-size"),
                       key=lambda m: not m.monotonic_with_suppression)
    kind_of = {"distinct-values": DISTINCT_L, "equal-distance": EQUAL_T}
    return SweepModels(
        k=int(max([rule[1] for rule in rules if rule[0] == "min-size"], default=0)),
        kinds=np.array([kind_of[m.sweep_rule[0]] for m in sensitive], dtype=np.int64),
        offsets=np.array([columns[m.sensitive_attribute] for m in sensitive], dtype=np.int64),
        widths=np.array([len(domains[m.sensitive_attribute].overall) for m in sensitive], dtype=np.int64),
        limits=np.array([m.sweep_rule[1] for m in sensitive], dtype=np.float64),
        overall=np.concatenate(shares) if shares else np.zeros(1),
        monotonic=sum(m.monotonic_with_suppression for m in sensitive),
        columns=columns,
    )


def _counts(models: SweepModels) -> int:
    """Sensitive-value counts kept per class."""
    return len(models.overall) if models.columns else 0


def _row_bytes(n_attributes: int, code_bytes: int, counts: int) -> int:
    """Bytes of one class: its key, codes, int32 counts and size."""
    return 8 + n_attributes * code_bytes + 4 * counts + 8


@dataclass(frozen=True)
class SweepFigures:
    """Per lattice node (indexed by node id; only the swept nodes are filled in).

    classes
        Equivalence classes, kept or not.
    suppressed
        Records in classes that fail a model.
    kept
        Classes that pass every model.
    smallest
        Records in the smallest kept class (0 when none is kept).
    use_kept
        Whether ``parts`` sums over the kept classes (else over the suppressed ones): the
        fewer of the two.
    failing
        Records in classes that fail the models that are monotonic with suppression.
    squares
        Σ size² over the kept classes (Discernibility).
    parts
        Per attribute, Σ size·share over those classes (Loss metric; see
        :meth:`Loss.losses_from_parts`); zeros without it.
    """

    classes: np.ndarray
    suppressed: np.ndarray
    kept: np.ndarray
    smallest: np.ndarray
    use_kept: np.ndarray
    failing: np.ndarray
    squares: np.ndarray
    parts: np.ndarray


class Sweep:
    """The arrays the kernels read, prepared once for a frequency table and a lattice.

    Parameters
    ----------
    frequency, lattice
        The data and the transformations.
    models
        The privacy models (:func:`sweep_models`).
    shares
        The Loss metric's flat share table and the offset of each (attribute, level) in it
        (:meth:`Loss.flat_shares`), to sum it; None: no sums.
    """

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, models: SweepModels,
                 shares: tuple[np.ndarray, np.ndarray] | None = None):
        from . import _sweep_kernels  # numba: imported here, not at start-up

        self._kernels = _sweep_kernels
        self.frequency, self.lattice, self.models = frequency, lattice, models
        attributes = frequency.attributes
        n_attributes = len(attributes)
        radices = [max(a.domain_size(0), 1) for a in attributes]
        places = np.ones(n_attributes, dtype=np.int64)
        for a in range(n_attributes - 2, -1, -1):
            places[a] = places[a + 1] * radices[a + 1]
        # every attribute's up-maps in one array: from level 0 to each level, and from each
        # level to the next (−1: no map)
        n_levels = max(a.n_levels for a in attributes)
        up_from_zero = np.full((n_attributes, n_levels), -1, dtype=np.int64)
        up_step = np.full((n_attributes, n_levels), -1, dtype=np.int64)
        parts, at = [], 0
        for a, attribute in enumerate(attributes):
            for level in range(1, attribute.n_levels):
                for table, source in ((up_from_zero, 0), (up_step, level - 1)):
                    up = attribute.up(source, level)
                    table[a, level] = at
                    parts.append(up)
                    at += len(up)
        # the narrowest integers that hold every code (less memory to stream through)
        widest = max(radices)
        self._code_type = np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32
        up_flat = np.concatenate(parts).astype(self._code_type) if parts else np.zeros(1, self._code_type)
        self._maps = (up_flat, up_from_zero, up_step)
        base = frequency.base
        self._n_counts = _counts(models)
        self._row_bytes = _row_bytes(n_attributes, np.dtype(self._code_type).itemsize, self._n_counts)
        counts = np.zeros((base.n_classes, self._n_counts), dtype=np.int32)
        for name, first in models.columns.items():
            d = base.distributions[name]
            counts[d.cls, first + d.value] = d.count
        self._base = (np.ascontiguousarray(base.codes.T, dtype=self._code_type), counts,
                      np.ascontiguousarray(base.sizes, dtype=np.int64))
        self._lattice = (np.asarray(lattice.stride, dtype=np.int64), np.asarray(lattice.low, dtype=np.int64),
                         np.asarray(lattice.span, dtype=np.int64), places)
        self._models = (np.int64(models.k), models.kinds, models.offsets, models.widths, models.limits,
                        models.overall, np.int64(models.monotonic))
        if shares is None:
            self._shares = (np.zeros(1), np.zeros((0, 1), dtype=np.int64))
        else:
            self._shares = (np.ascontiguousarray(shares[0], dtype=np.float64),
                            np.ascontiguousarray(shares[1], dtype=np.int64))
        # load the kernels now (from numba's cache, or compiled once: a few seconds), not in
        # each process that a caller forks afterwards: one call on no nodes
        nothing = np.zeros(0, dtype=np.int64)
        self._kernels.sweep_height(nothing, nothing, (nothing, nothing, *self._buffers(0)), self._base, self._lattice,
                                   self._maps, self._models, self._shares, self._buffers(0), self._out(self._figures(1)))

    @staticmethod
    def applies(frequency: FrequencyTable) -> bool:
        """Whether the level-0 codes of every quasi-identifier fit one 62-bit key."""
        return bool(frequency.attributes) and _space([a.domain_size(0) for a in frequency.attributes]) < 2**62

    @staticmethod
    def fits(frequency: FrequencyTable, models: SweepModels) -> bool:
        """Whether the base table with its sensitive-value counts takes at most a quarter of
        :data:`MAX_BYTES` (the heights' classes are rolled up from it)."""
        return frequency.base.n_classes * _row_bytes(len(frequency.attributes), 4, _counts(models)) <= MAX_BYTES // 4

    def _figures(self, size: int) -> SweepFigures:
        """Zeroed figures for ``size`` nodes."""
        return SweepFigures(*(np.zeros(size, dtype=np.int64) for _ in range(4)), np.zeros(size, dtype=bool),
                            *(np.zeros(size, dtype=np.int64) for _ in range(2)),
                            np.zeros((size, len(self.frequency.attributes))))

    @staticmethod
    def _out(figures: SweepFigures) -> tuple[np.ndarray, ...]:
        """The figures as the kernels write them (the fields in their order)."""
        return tuple(getattr(figures, name) for name in SweepFigures.__dataclass_fields__)

    def _buffers(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Room for ``rows`` classes: keys, codes, counts (one row per class), sizes."""
        return (np.empty(rows, dtype=np.int64), np.empty((rows, len(self._lattice[3])), dtype=self._code_type),
                np.empty((rows, self._n_counts), dtype=np.int32), np.empty(rows, dtype=np.int64))

    def run_all(self, progress: Progress | None = None, workers: int | None = None,
                nodes: np.ndarray | None = None) -> SweepFigures | None:
        """Every node of the lattice, or only ``nodes`` (ids; the others' figures stay zero;
        a node none of whose direct predecessors is among them starts from the base table);
        on two or more cores, the upper half in a second thread at the same time (the
        kernels release the GIL; :func:`~.parallel.halves`; ``workers=1``: one thread).
        None when the classes would take more than :data:`MAX_BYTES`."""
        size = self.lattice.size
        wanted = np.arange(size) if nodes is None else np.asarray(nodes, dtype=np.int64)
        parts = halves(self.lattice, workers, fork=False)
        if parts is None:
            return self.run(wanted, progress, len(wanted))
        lower, upper = parts
        if nodes is not None:
            inside = np.zeros(size, dtype=bool)
            inside[wanted] = True
            lower, upper = lower[inside[lower]], upper[inside[upper]]
        figures = self._figures(size)  # (each half writes its own nodes' entries)
        with ThreadPoolExecutor(1) as pool:
            theirs = pool.submit(self.run, upper, figures=figures)
            mine = self.run(lower, progress, len(wanted), figures=figures)
            if mine is None or theirs.result() is None:
                return None
        if progress is not None:
            progress(len(wanted), len(wanted))
        return figures

    def run(self, nodes: np.ndarray, progress: Progress | None = None, total: int | None = None,
            figures: SweepFigures | None = None) -> SweepFigures | None:
        """Evaluate ``nodes`` (a sub-lattice: every node's direct predecessors inside it or
        none), by height, into ``figures`` (new ones when None); ``progress(done, total)``
        after each height.  None when the classes of two heights would take more than
        :data:`MAX_BYTES`."""
        lattice = self.lattice
        size = lattice.size
        figures = self._figures(size) if figures is None else figures
        out = self._out(figures)
        nodes = np.asarray(nodes, dtype=np.int64)
        heights = lattice.height[nodes]
        order = np.lexsort((nodes, heights))
        nodes, heights = nodes[order], heights[order]
        bounds = np.flatnonzero(np.diff(heights)) + 1
        position = np.full(size, -1, dtype=np.int64)
        # two sets of buffers, used in turn by the heights (grown when one falls short)
        spare, held = self._buffers(0), self._buffers(0)
        prev_start = prev_count = np.zeros(0, dtype=np.int64)
        done = 0
        for chunk in np.split(nodes, bounds):
            while True:
                start, count, needed = self._kernels.sweep_height(
                    chunk, position, (prev_start, prev_count, *held), self._base, self._lattice, self._maps,
                    self._models, self._shares, spare, out)
                if needed <= len(spare[3]):
                    break
                rows = max(needed, len(spare[3]) * 3 // 2)
                if (rows + len(held[3])) * self._row_bytes > MAX_BYTES:
                    return None
                spare = self._buffers(rows)
            held, spare = spare, held
            prev_start, prev_count = start, count
            done += len(chunk)
            if progress is not None:
                progress(done, total or len(nodes))
        return figures
