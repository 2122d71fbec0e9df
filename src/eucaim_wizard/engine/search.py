"""Optimal search for the best anonymous transformation.

The search is exact: it returns the transformation an exhaustive evaluation of the whole
lattice would return (least information loss among the anonymous ones; ties broken by the
smaller sum of levels, then the smaller level vector), and the tests prove it on random
lattices.  It prunes with two facts:

* **Lower bounds.**  Every metric gives, for every node, a lower bound of its information
  loss that ignores suppression and is monotone under generalization (for Loss, Precision,
  Height and non-uniform entropy it is the exact loss when no record is suppressed).  Nodes
  are visited best-first by this bound; a node whose bound exceeds the best loss found cannot
  be the optimum and is never evaluated.
* **Predictive tagging** (Kohlmayer et al., "Flash: efficient, stable and optimal
  k-anonymity", PASSAT 2012).  When every privacy model is monotonic, a node more general
  than an anonymous node is anonymous, and a node more specific than a non-anonymous node is
  not.  From the most promising unresolved node the search walks up a path of unresolved
  nodes and binary-searches it for the lowest anonymous one, so that one evaluation of a
  non-anonymous node settles its whole down-set.  Anonymous nodes above a node that
  suppresses nothing suppress nothing either, so their loss is their bound, for free.

* **Ties.**  A metric may also bound the loss of a node *if it suppresses a record*
  (Loss: suppressing always costs something).  With per-class models monotonic with
  suppression, nodes below an anonymous node that suppresses records suppress records too,
  and are settled by that bound; where the plain bound is the same everywhere (Loss with
  ``gs_factor`` 1: every node that suppresses nothing scores 0), paths are binary-searched
  for the lowest node that suppresses nothing, so the tie rule is decided without evaluating
  the thousands of tied nodes.

With non-monotonic models every node within the bound is evaluated, or settled by a
monotonic part of the models (a node where, say, k-anonymity alone suppresses too much, and
every node below it, is not anonymous whatever the other models say): the path search then
finds, on each path, the lowest node where that part holds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .lattice import Lattice

UNKNOWN, ANONYMOUS, NOT_ANONYMOUS = 0, 1, 2

#: relative tolerance under which two information-loss values count as equal
TOLERANCE = 1e-9
#: candidates screened at once (vectorised) before they are taken one by one
_CHUNK = 512


@dataclass
class Evaluation:
    """What evaluating one node told us."""

    anonymous: bool
    information_loss: float | None  #: known for anonymous nodes; None: not computed
    #: the figures of the classes; None when a non-anonymous node was settled by screening
    suppressed: int | None
    classes: int | None
    min_class_size: int | None
    suppresses_nothing: bool  #: no class fails a per-class model (nothing to suppress)
    #: not anonymous, and neither is any node below it (a monotonic part of the models fails)
    fails_below: bool = False
    #: suppresses nothing, and neither does any node above it, which are all anonymous
    passes_above: bool = False

    @classmethod
    def settled(cls, *, fails_below: bool) -> Evaluation:
        """A node found not anonymous without its figures (settled by a screen)."""
        return cls(anonymous=False, information_loss=None, suppressed=None, classes=None,
                   min_class_size=None, suppresses_nothing=False, fails_below=fails_below)


@dataclass
class SearchOutcome:
    optimum: int | None
    evaluations: dict[int, Evaluation]
    status: np.ndarray  #: UNKNOWN / ANONYMOUS / NOT_ANONYMOUS per node
    loss: np.ndarray  #: known information loss per node (nan where unknown)
    seconds: float
    #: which search ran ("optimal", "best-first"), whether its answer is proven optimal, the
    #: most a better node could gain (0 when proven; None: unknown), and the limit that
    #: stopped a best-effort search (None: it finished)
    strategy: str = "optimal"
    proven_optimal: bool = True
    gap: float | None = 0.0
    stopped: str | None = None


def _better(loss_a: float, height_a: int, node_a: int, loss_b: float, height_b: int, node_b: int) -> bool:
    """Is candidate a strictly preferable to candidate b? (loss, then height, then id)."""
    if loss_a == loss_b:  # also two infinite losses
        return (height_a, node_a) < (height_b, node_b)
    if np.isinf(loss_a) or np.isinf(loss_b):
        return loss_a < loss_b
    scale = TOLERANCE * max(1.0, abs(loss_a), abs(loss_b))
    if loss_a < loss_b - scale:
        return True
    if loss_a > loss_b + scale:
        return False
    return (height_a, node_a) < (height_b, node_b)


def choose_optimum(lattice: Lattice, loss: np.ndarray, anonymous: np.ndarray) -> int | None:
    """The preferred anonymous node among those with known loss (the tie-breaking rule)."""
    ids = np.flatnonzero(anonymous & ~np.isnan(loss))
    if len(ids) == 0:
        return None
    best = int(ids[0])
    for node in ids[1:]:
        node = int(node)
        if _better(loss[node], lattice.height[node], node, loss[best], lattice.height[best], best):
            best = node
    return best


def search(
    lattice: Lattice,
    bound: np.ndarray,
    evaluate: Callable[[int], Evaluation],
    *,
    not_anonymous: np.ndarray | None = None,
    monotonic: bool,
    exact_bound: bool,
    monotonic_metric: bool = False,
    monotonic_part: bool = False,
    suppressing_bound: np.ndarray | None = None,
    suppression_propagates: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SearchOutcome:
    """Find the optimal anonymous node.

    Parameters
    ----------
    lattice
        The generalization lattice.
    bound
        A lower bound of every node's information loss, monotone under generalization.
    evaluate
        Computes a node's classes, verdict and information loss.  If it has an ``open_nodes``
        attribute, the search sets it to a function giving the nodes it may still have to
        evaluate (a mask; the evaluator weighs a compiled sweep of them against their number).
    monotonic
        Anonymity is monotone under generalization (all privacy models are monotonic).
    not_anonymous
        Nodes known beforehand not to be anonymous (e.g. from a suppression bound).
    exact_bound
        The bound equals the information loss of a node that suppresses nothing.
    monotonic_metric
        Among anonymous nodes, loss never decreases under generalization: nothing above an
        anonymous node can be preferred to it (it is also higher, so it loses ties too).
    monotonic_part
        When anonymity is not monotonic: some of the models are (e.g. k-anonymity beside
        t-closeness), and an evaluation says so (``fails_below``) when they alone fail.  Then,
        as Flash does for a monotonic search, the search binary-searches a path upwards for
        the lowest node where that part holds: one evaluation high up settles a whole
        down-set, and every node it evaluates is within the current bound (one the search
        would evaluate anyway, unless a better anonymous node lowers the bound first).
    suppressing_bound
        A lower bound of the loss of every node that suppresses at least one record (the
        metric's :attr:`~eucaim_wizard.metrics.Metric.suppressing_bound`), or None.
    suppression_propagates
        A node below one that suppresses records suppresses records too (every model is
        decided per class and monotonic with suppression).  With a suppressing bound, every
        node below an anonymous node that suppresses is settled once the best loss is below
        that bound.  Where the bound is the same for every node (Loss with ``gs_factor`` 1:
        generalizing costs nothing, every node that suppresses nothing scores 0 and the tie
        rule decides among thousands), each path is also binary-searched for the lowest node
        that suppresses nothing, so that those ties are settled as a search without
        suppression settles them.
    progress
        Called with (evaluated nodes, lattice size) after each evaluation.
    """
    return _Search(lattice, bound, evaluate, not_anonymous=not_anonymous, monotonic=monotonic,
                   exact_bound=exact_bound, monotonic_metric=monotonic_metric, monotonic_part=monotonic_part,
                   suppressing_bound=suppressing_bound, suppression_propagates=suppression_propagates,
                   progress=progress).run()


class _Search:
    """The state of one search (see :func:`search` for the parameters): what is known of every
    node, and the best anonymous node so far."""

    def __init__(self, lattice: Lattice, bound: np.ndarray, evaluate: Callable[[int], Evaluation], *,
                 not_anonymous: np.ndarray | None, monotonic: bool, exact_bound: bool, monotonic_metric: bool,
                 monotonic_part: bool, suppressing_bound: np.ndarray | None, suppression_propagates: bool,
                 progress: Callable[[int, int], None] | None):
        self.start_time = time.perf_counter()
        self.lattice, self.evaluate, self.progress = lattice, evaluate, progress
        self.monotonic, self.exact_bound = monotonic, exact_bound
        self.monotonic_metric, self.monotonic_part = monotonic_metric, monotonic_part
        size = self.size = lattice.size
        self.status = np.zeros(size, dtype=np.int8)
        if not_anonymous is not None:
            self.status[not_anonymous] = NOT_ANONYMOUS
        self.loss = np.full(size, np.nan)
        self.suppresses_nothing_at = np.zeros(size, dtype=bool)
        self.dominated = np.zeros(size, dtype=bool)  # above an anonymous node, with a monotonic metric
        self.status_box, self.nothing_box, self.dominated_box = (
            a.reshape(lattice.shape) for a in (self.status, self.suppresses_nothing_at, self.dominated))
        self.bound = np.ascontiguousarray(bound, dtype=np.float64)
        # single nodes are read through memoryviews: Python numbers at half the cost of numpy
        # scalars (the search reads a few per successor of every node on its paths), and they
        # see every update of the arrays
        self.status_at, self.loss_at, self.bound_at, self.dominated_at, self.nothing_at = (
            memoryview(a) for a in (self.status, self.loss, self.bound, self.dominated, self.suppresses_nothing_at))
        self.evaluations: dict[int, Evaluation] = {}
        self.best: int | None = None
        self.best_limit = math.inf  # the loss a candidate must not exceed (the best loss, with tolerance)
        # nodes known to suppress records (below an anonymous node that does), and their bound
        self.propagate = suppressing_bound is not None and suppression_propagates
        self.suppressing = np.zeros(size if self.propagate else 0, dtype=bool)
        if self.propagate:
            self.suppressing_box = self.suppressing.reshape(lattice.shape)
            self.suppressing_bound = np.ascontiguousarray(suppressing_bound, dtype=np.float64)
            self.suppressing_at = memoryview(self.suppressing)
            self.settled_bound_at = memoryview(self.suppressing_bound)
        if hasattr(evaluate, "open_nodes"):  # (the evaluator weighs a compiled sweep against them)
            evaluate.open_nodes = self.open_nodes
        self.ties_everywhere = self.propagate and exact_bound and monotonic and size > 0 and bool(
            self.bound.max() - self.bound.min() <= TOLERANCE * max(1.0, abs(float(self.bound.max()))))
        # with ties everywhere: 1 where it is known whether the node is anonymous and suppresses
        # nothing (a monotonic property), 0 where that is still open
        self.settled_zero = np.zeros(size if self.ties_everywhere else 0, dtype=np.int8)
        if self.ties_everywhere:
            self.zero_box, self.zero_at = self.settled_zero.reshape(lattice.shape), memoryview(self.settled_zero)

    def open_nodes(self) -> np.ndarray:
        """The nodes the search may still have to evaluate (a mask): not known to fail, loss
        unknown, not dominated, within the best loss's bound (one pass over the lattice)."""
        open_ = (self.status != NOT_ANONYMOUS) & np.isnan(self.loss) & ~self.dominated & (self.bound <= self.best_limit)
        if self.propagate:
            open_ &= ~(self.suppressing & (self.suppressing_bound > self.best_limit))
        return open_

    def outcome(self) -> SearchOutcome:
        return SearchOutcome(self.best, self.evaluations, self.status, self.loss, time.perf_counter() - self.start_time)

    def offer(self, node: int) -> None:
        """Make ``node`` (anonymous, its loss known) the best if the tie rule prefers it."""
        best, loss, height = self.best, self.loss, self.lattice.height
        if best is None or _better(loss[node], height[node], node, loss[best], height[best], best):
            self.best = node
            value = self.loss_at[node]
            self.best_limit = math.inf if math.isinf(value) else value + TOLERANCE * max(1.0, abs(value))

    def check(self, node: int) -> bool:
        return self.evaluated(node).anonymous

    def suppresses_nothing(self, node: int) -> bool:
        result = self.evaluations.get(node) or self.evaluated(node)
        return result.anonymous and result.suppresses_nothing

    def part_holds(self, node: int) -> bool:
        return not self.evaluated(node).fails_below

    def evaluated(self, node: int) -> Evaluation:
        """Evaluate ``node`` and tag what its verdict tells of the nodes above and below."""
        result = self.evaluate(node)
        self.evaluations[node] = result
        if result.information_loss is not None:
            self.loss[node] = result.information_loss
        if self.progress is not None:
            self.progress(len(self.evaluations), self.size)
        if result.anonymous:
            self._tag_anonymous(node, result)
        else:
            self.status[node] = NOT_ANONYMOUS
            if self.monotonic or result.fails_below:
                self.status_box[self.lattice.box_below(node)] = NOT_ANONYMOUS
        if self.propagate and result.anonymous and not result.suppresses_nothing:
            self.suppressing_box[self.lattice.box_below(node)] = True
        if self.ties_everywhere:
            self.settled_zero[node] = 1
            if result.anonymous and result.suppresses_nothing:
                if self.monotonic or result.passes_above:
                    self.zero_box[self.lattice.box_above(node)] = 1
            else:  # not anonymous, or suppressing: so is every node below
                self.zero_box[self.lattice.box_below(node)] = 1
        return result

    def _tag_anonymous(self, node: int, result: Evaluation) -> None:
        self.status[node] = ANONYMOUS
        self.offer(node)
        if self.monotonic or result.passes_above:
            up = self.lattice.box_above(node)  # (slices of the lattice-shaped views: no masks)
            self.status_box[up] = ANONYMOUS
            if result.suppresses_nothing:
                self.nothing_box[up] = True
            # above a node that suppresses nothing, the loss is the bound, which is at least
            # this node's (exact) loss: nothing there can be preferred to it
            if self.monotonic_metric or (result.passes_above and self.exact_bound):
                itself = self.dominated[node]
                self.dominated_box[up] = True
                self.dominated[node] = itself

    def resolved(self, node: int) -> bool:
        return (self.status_at[node] == NOT_ANONYMOUS or not math.isnan(self.loss_at[node])
                or self.dominated_at[node] or (self.propagate and self.suppressing_at[node]
                                               and self.settled_bound_at[node] > self.best_limit))

    def run(self) -> SearchOutcome:
        """Best-first by bound, ties as in the final choice; the candidates are screened in
        chunks (vectorised), then one by one, as evaluations resolve nodes further on (only the
        nodes not known beforehand to fail: at low suppression limits most are)."""
        status, loss, bound, lattice = self.status, self.loss, self.bound, self.lattice
        candidates = np.flatnonzero(status != NOT_ANONYMOUS)
        order = candidates[np.lexsort((candidates, lattice.height[candidates], bound[candidates]))]
        for start in range(0, len(order), _CHUNK):
            chunk = order[start:start + _CHUNK]
            chunk = chunk[bound[chunk] <= self.best_limit]
            if len(chunk) == 0:
                break  # sorted by bound: every later candidate is beyond it too
            open_ = (status[chunk] != NOT_ANONYMOUS) & np.isnan(loss[chunk]) & ~self.dominated[chunk]
            if self.propagate:
                open_ &= ~(self.suppressing[chunk] & (self.suppressing_bound[chunk] > self.best_limit))
            for node in chunk[open_].tolist():
                if not self._settle(node):
                    return self.outcome()
        return self.outcome()

    def _settle(self, node: int) -> bool:
        """Resolve ``node`` (evaluating it, or a path above it); False when its bound is beyond
        the best loss (so is every later candidate's: the search is done)."""
        status_at, bound_at, nothing_at = self.status_at, self.bound_at, self.nothing_at
        while not self.resolved(node):
            if bound_at[node] > self.best_limit:
                return False
            if status_at[node] == ANONYMOUS and nothing_at[node] and self.exact_bound:
                self.loss[node] = bound_at[node]  # nothing suppressed: the loss is the bound
                self.offer(node)
            elif self.ties_everywhere and self.zero_at[node] == 0:
                # the lowest node that suppresses nothing on a path of nodes where that is open
                _binary_search(_path_up(self.lattice, node, self.zero_at, bound_at, self.best_limit),
                               self.suppresses_nothing)
            elif status_at[node] == ANONYMOUS or not (self.monotonic or self.monotonic_part):
                self.check(node)
            else:
                path = _path_up(self.lattice, node, status_at, bound_at, self.best_limit)
                _binary_search(path, self.check if self.monotonic else self.part_holds)
        return True


def _path_up(lattice: Lattice, node: int, status, bound, limit: float) -> list[int]:
    """A path of unresolved nodes from ``node`` upwards, as long as it stays within the bound.

    Each step goes to the unresolved successor with the smallest bound (the smaller id among
    equal bounds), so that the path covers the nodes most likely to be visited next.
    ``status`` and ``bound`` are indexed by node (memoryviews of the search's arrays).
    """
    path = [node]
    row = lattice.row(node)  # kept up to date along the path: one level up per step
    steps = lattice.steps
    while True:
        chosen, chosen_bound, chosen_attribute = -1, 0.0, -1
        for a, (stride, high) in enumerate(steps):
            if row[a] < high:
                successor = node + stride
                if status[successor] == UNKNOWN:
                    value = bound[successor]
                    if value <= limit and (chosen < 0 or value < chosen_bound
                                           or (value == chosen_bound and successor < chosen)):
                        chosen, chosen_bound, chosen_attribute = successor, value, a
        if chosen < 0:
            return path
        path.append(chosen)
        node = chosen
        row[chosen_attribute] += 1


def _binary_search(path: list[int], check: Callable[[int], bool]) -> int | None:
    """Find the lowest node on a path of unresolved nodes where ``check`` holds (it holds
    above wherever it holds: anonymity, or the monotonic part of the models); its index on
    the path, or None where it holds nowhere."""
    if not path:
        return None
    low, high = 0, len(path) - 1
    if not check(path[high]):
        return None  # the whole path is below a non-anonymous node
    while low < high:
        middle = (low + high) // 2
        if check(path[middle]):
            high = middle
        else:
            low = middle + 1
    return low
