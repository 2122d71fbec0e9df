"""Best-effort search of a lattice too large for the optimal search's per-node arrays.

:func:`best_first` is an *anytime* branch and bound that needs no array over the lattice (any
lattice numbered in 64 bits: 20 quasi-identifiers of 4–6 levels are 10¹²–10¹⁵ nodes):

1. **A first anonymous node, fast.**  From the bottom, climb one level at a time to the
   successor with the smallest lower bound of its loss, until a node is anonymous (at most the
   lattice's height in checks) — the greedy bottom-up walk of ARX's "Lightning" (Prasser, Kohlmayer,
   Kuhn, "Lightning: Utility-Driven Anonymization of High-Dimensional Data", Transactions on
   Data Privacy 9(2), 2016).  Then a local search: move to a neighbour (one level down in one
   attribute, or down in one and up in another) while one is anonymous and better.
2. **Best first by bound.**  Nodes are taken from the bottom up in order of their lower bound
   (the metric's :meth:`~eucaim_wizard.metrics.base.Metric.bound_of`, monotone under
   generalization), each checked and its successors queued, as long as it could still beat the
   best anonymous node found (loss, then height, then id: the optimal search's rule).  When no
   queued node can, the best is **proven optimal**: every node not checked has a bound no
   better than it.
3. **Limits.**  At the time limit or after the given number of checks the search stops and
   returns the best anonymous node found so far, with the **gap**: its loss minus the smallest
   bound still queued, the most a better node could gain.

Nothing here assumes monotonic privacy models: anonymity is checked, never inferred, so the
result holds for every model the evaluator judges.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .lattice import Lattice
from .search import ANONYMOUS, NOT_ANONYMOUS, TOLERANCE, Evaluation, SearchOutcome, _better

STRATEGIES = ("optimal", "best-first", "auto")


class SparseNodes:
    """A per-node value for the few nodes a best-effort search knew, ``default`` elsewhere:
    read like the optimal search's arrays (``values[node]``); an array of the whole lattice
    only on request (:meth:`__array__`, for a lattice small enough)."""

    def __init__(self, size: int, default, dtype):
        self.size, self.default, self.dtype = size, default, dtype
        self.values: dict[int, object] = {}

    def __getitem__(self, node: int):
        return self.values.get(int(node), self.default)

    def __setitem__(self, node: int, value) -> None:
        self.values[int(node)] = value

    def __len__(self) -> int:
        return self.size

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = np.full(self.size, self.default, dtype=dtype or self.dtype)
        if self.values:
            nodes = np.fromiter(self.values.keys(), dtype=np.int64, count=len(self.values))
            out[nodes] = np.fromiter(self.values.values(), dtype=out.dtype, count=len(self.values))
        return out

    def known(self) -> Iterator[int]:
        """The nodes with a value, in id order."""
        return iter(sorted(self.values))


@dataclass
class Limits:
    """When a best-effort search stops: after ``seconds`` or ``steps`` checks (None: no limit)."""

    seconds: float | None = 30.0
    steps: int | None = None


class _BestFirst:
    def __init__(self, lattice: Lattice, bound_of: Callable[[int], float], evaluate: Callable[[int], Evaluation],
                 limits: Limits, progress: Callable[[int, int], None] | None,
                 on_best: Callable[[float], None] | None):
        self.lattice, self.bound_of, self.evaluate, self.limits = lattice, bound_of, evaluate, limits
        self.progress, self.on_best = progress, on_best
        self.evaluations: dict[int, Evaluation] = {}
        self.status = SparseNodes(lattice.size, 0, np.int8)
        self.loss = SparseNodes(lattice.size, math.nan, float)
        self.best: tuple[float, int, int] | None = None  # (loss, height, node)
        self.started = time.perf_counter()
        self.stopped: str | None = None
        self._bounds: dict[int, float] = {}

    # -- the budget ----------------------------------------------------------------------
    def out_of_budget(self) -> bool:
        if self.limits.steps is not None and len(self.evaluations) >= self.limits.steps:
            self.stopped = f"the step limit ({self.limits.steps:,} checks)"
        elif self.limits.seconds is not None and time.perf_counter() - self.started >= self.limits.seconds:
            self.stopped = f"the time limit ({self.limits.seconds:g} s)"
        return self.stopped is not None

    def _report(self) -> None:
        if self.progress is None:
            return
        if self.limits.steps is not None:
            self.progress(min(len(self.evaluations), self.limits.steps), self.limits.steps)
        elif self.limits.seconds is not None:
            spent = time.perf_counter() - self.started
            self.progress(int(min(spent, self.limits.seconds) * 1000), int(self.limits.seconds * 1000))

    # -- nodes -----------------------------------------------------------------------------
    def bound(self, node: int) -> float:
        value = self._bounds.get(node)
        if value is None:
            value = self._bounds[node] = self.bound_of(node)
        return value

    def height(self, node: int) -> int:
        return int(sum(self.lattice.row(node)))

    def check(self, node: int) -> Evaluation:
        evaluation = self.evaluations.get(node)
        if evaluation is not None:
            return evaluation
        evaluation = self.evaluations[node] = self.evaluate(node)
        self.status[node] = ANONYMOUS if evaluation.anonymous else NOT_ANONYMOUS
        if evaluation.anonymous and evaluation.information_loss is not None:
            loss = float(evaluation.information_loss)
            self.loss[node] = loss
            height = self.height(node)
            if self.best is None or _better(loss, height, node, *self.best):
                self.best = (loss, height, node)
                if self.on_best is not None:
                    self.on_best(loss)
        self._report()
        return evaluation

    def could_beat(self, bound: float, height: int, node: int) -> bool:
        """Could a node with this bound (or one above it) be preferred to the best found?"""
        if self.best is None:
            return True
        loss, best_height, best_node = self.best
        if math.isinf(bound) and math.isinf(loss):
            return (height, node) < (best_height, best_node)
        scale = TOLERANCE * max(1.0, abs(loss), abs(bound)) if math.isfinite(loss) and math.isfinite(bound) else 0.0
        if bound < loss - scale:
            return True
        if bound > loss + scale:
            return False
        return (height, node) < (best_height, best_node)

    # -- the three phases -------------------------------------------------------------------
    def climb(self) -> None:
        """Up from the bottom along the cheapest successors until a node is anonymous."""
        node = self.lattice.bottom
        while not self.out_of_budget():
            if self.check(node).anonymous:
                self.descend(node)
                return
            successors = self.lattice.successors(node)
            if not successors:
                return
            node = min(successors, key=lambda m: (self.bound(m), m))

    def descend(self, node: int) -> None:
        """From an anonymous node, move while a neighbour is anonymous and preferable: one level
        down in one attribute, or down in one and up in another (a local search in the
        anonymous region, first improvement, neighbours in order of their bound)."""
        while not self.out_of_budget():
            better = None
            for m in sorted(self.neighbours(node), key=lambda m: (self.bound(m), m)):
                if self.out_of_budget():
                    return
                if not self.could_beat(self.bound(m), self.height(m), m):
                    continue
                if self.check(m).anonymous and self.best is not None and self.best[2] == m:
                    better = m
                    break
            if better is None:
                return
            node = better

    def neighbours(self, node: int) -> list[int]:
        """One level down in one attribute; or down in one and up in another."""
        row = self.lattice.row(node)
        lows, highs, strides = self.lattice._lows, self.lattice._highs, self.lattice._strides
        down = [i for i, level in enumerate(row) if level > lows[i]]
        up = [j for j, level in enumerate(row) if level < highs[j]]
        out = [node - strides[i] for i in down]
        out += [node - strides[i] + strides[j] for i in down for j in up if i != j]
        return out

    def branch_and_bound(self) -> float | None:
        """Best first by bound from the bottom; returns the smallest bound left unexplored
        (None: none is left, the best is proven optimal)."""
        bottom = self.lattice.bottom
        heap = [(self.bound(bottom), self.height(bottom), bottom)]
        queued = {bottom}
        while heap:
            bound, height, node = heap[0]
            if not self.could_beat(bound, height, node):
                return None  # (nothing queued can: the rest is no better either)
            if self.out_of_budget():
                return bound
            heapq.heappop(heap)
            self.check(node)
            for m in self.lattice.successors(node):
                if m not in queued:
                    queued.add(m)
                    heapq.heappush(heap, (self.bound(m), height + 1, m))
        return None


def best_first(lattice: Lattice, bound_of: Callable[[int], float], evaluate: Callable[[int], Evaluation], *,
               limits: Limits | None = None, progress: Callable[[int, int], None] | None = None,
               on_best: Callable[[float], None] | None = None) -> SearchOutcome:
    """The best-effort search (see the module's docstring).

    Parameters
    ----------
    lattice, evaluate
        As for :func:`~eucaim_wizard.engine.search.search`.
    bound_of
        A lower bound of a node's information loss, monotone under generalization.
    limits
        When to stop (default: 30 s).
    progress
        Called with (checks done, step limit), or with milliseconds spent and allowed.
    on_best
        Called with the loss of each better anonymous node found.

    Returns
    -------
    SearchOutcome
        With ``strategy="best-first"``, ``proven_optimal``, ``gap`` (the best loss minus the
        smallest bound left; 0 when proven; None when nothing anonymous was found) and
        ``stopped`` (the limit reached, or None); ``status`` and ``loss`` are
        :class:`SparseNodes`.
    """
    state = _BestFirst(lattice, bound_of, evaluate, limits or Limits(), progress, on_best)
    state.climb()
    left = state.branch_and_bound() if state.stopped is None else state.bound(lattice.bottom)
    proven = state.stopped is None and left is None
    optimum = None if state.best is None else state.best[2]
    gap: float | None
    if proven:
        gap = 0.0
    elif state.best is None:
        gap = None
    else:
        gap = max(0.0, state.best[0] - float(left)) if left is not None and math.isfinite(state.best[0]) else None
    return SearchOutcome(optimum=optimum, evaluations=state.evaluations, status=state.status, loss=state.loss,
                         seconds=time.perf_counter() - state.started, strategy="best-first",
                         proven_optimal=proven, gap=gap, stopped=state.stopped)


__all__ = ["Limits", "STRATEGIES", "SparseNodes", "best_first"]
