"""The evaluator: judges lattice nodes on the frequency table for the search.

A node's classes are rolled up from the smallest cached class table at most as general (far
smaller than the base table), judged by every privacy model (per class, then the dataset-level
ones), and scored by the metric.  Cheap screens settle most non-anonymous nodes before their
classes are grouped: groups of one or two quasi-identifiers that certainly fail, dense counts
for k-anonymity alone, and the largest classes.  Once a search has checked much of its
lattice, the compiled sweep (:mod:`.sweep`) evaluates the rest at once.

The engine asks the privacy models what they declare (``per_class``, ``monotonic``,
``min_class_size``, ``size_alone``, ``sweep_rule``, ``fails_within``…) and the metric for its
bounds; it imports neither package's classes at run time.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .classes import ClassTable, FrequencyTable, max_suppressed, records_where
from .distribution import ClassStatistics
from .lattice import TABLE_UP_TO, Lattice
from .search import Evaluation

if TYPE_CHECKING:
    from ..metrics import Metric
    from ..privacy import PrivacyModel
    from .encoding import SensitiveDomain
    from .sweep import Sweep, SweepFigures


class _Sources:
    """The level vectors of the cached class tables and their cost: which is the cheapest at
    most as general as a node in every quasi-identifier?

    Where the levels fit, each vector is packed into one int64 with a guard bit above each
    level's field; ``(node | guards) − source`` then keeps a field's guard bit exactly when
    the source's level is at most the node's (no borrow crosses a field), so one subtraction
    compares every quasi-identifier (instead of comparing a 2-D array of levels).
    """

    def __init__(self, lattice: Lattice):
        n_attributes = len(lattice.low)
        self._width = max([int(h).bit_length() for h in lattice.high] + [1]) + 1
        self._packed = self._width * n_attributes <= 62
        self._guards = sum(1 << (self._width * (i + 1) - 1) for i in range(n_attributes))
        # packed keys, or (when they do not fit) the level vectors themselves
        self._keys = np.zeros(64, dtype=np.int64) if self._packed else np.zeros((64, n_attributes), dtype=np.int16)
        self._cost = np.zeros(64, dtype=np.int64)
        self._n = 0

    def _pack(self, levels) -> int:
        key = 0
        for i, level in enumerate(levels):
            key |= int(level) << (self._width * i)
        return key

    def add(self, levels: tuple[int, ...], cost: int) -> None:
        n = self._n
        if n == len(self._cost):
            self._keys = np.concatenate([self._keys, np.zeros_like(self._keys)])
            self._cost = np.concatenate([self._cost, np.zeros_like(self._cost)])
        self._keys[n] = self._pack(levels) if self._packed else levels
        self._cost[n] = cost
        self._n += 1

    def cheapest_below(self, levels: list[int]) -> int:
        """The index (in order of addition) of the cheapest source at most ``levels``."""
        n = self._n
        if self._packed:
            kept = ((self._pack(levels) | self._guards) - self._keys[:n]) & self._guards
            usable = np.flatnonzero(kept == self._guards)
        else:
            usable = np.flatnonzero(np.all(self._keys[:n] <= levels, axis=1))
        return int(usable[np.argmin(self._cost[usable])])


class Evaluator:
    """Evaluates lattice nodes on the frequency table, rolling up from cached class tables.

    A node's classes are computed from the smallest already evaluated node that is at most
    as general in every quasi-identifier (its classes are a refinement of the node's), which is
    usually far smaller than the base frequency table.

    In the search (``screen=True``) a node may be settled as not anonymous before its classes
    are grouped: by the groups of a pair of quasi-identifiers (:meth:`_pairs_rule_out`), or
    by its largest classes alone (:meth:`_screened_out`).
    """

    _CACHE_ROWS = 4_000_000  # total class rows kept for roll-ups
    _PAIRS_FROM = 4096  # base rows from which pairs are tried first (see _pairs_rule_out)
    # pairs grouped anew for one node, at most (see _pairs_rule_out; benchmarks/README.md)
    _PAIRS_PER_NODE = 1
    #: the search evaluates the whole lattice in compiled code (:meth:`make_sweep`) once it
    #: has checked this share of it, and at least this many nodes; with models that are not
    #: monotonic (and records to suppress), after a quarter of that while no transformation
    #: checked was anonymous
    _SWEEP_SHARE = 1 / 16
    _SWEEP_AFTER = 256
    #: ... and when the search may still have to evaluate at least a quarter of the lattice
    #: (the sweep costs about as much as evaluating that many nodes one by one)
    _SWEEP_LEFT = 4
    #: ... after only this many checks when the metric's bound is weak (:attr:`Metric.weak_bound`)
    _SWEEP_WEAK = 128

    def __init__(self, frequency: FrequencyTable, lattice: Lattice, models: list[PrivacyModel],
                 metric: Metric, suppression_limit: float, domains: dict[str, SensitiveDomain] | None = None):
        self.frequency = frequency
        self.domains = domains or {}
        self.lattice = lattice
        self.models = models
        self.metric = metric
        self.max_suppressed = max_suppressed(suppression_limit, frequency.n_records)
        per_class = [m for m in models if m.per_class]
        self._monotonic = [m for m in per_class if m.monotonic_with_suppression]
        self._other = [m for m in per_class if not m.monotonic_with_suppression]
        self._dataset = [m for m in models if not m.per_class]
        # the models that can tell, for groups of classes, which groups certainly fail
        self._bounding = [m for m in per_class if m.tells_failing_groups]
        n_attributes = len(frequency.attributes)
        self._pairs = [(a, b) for a in range(n_attributes) for b in range(a + 1, n_attributes)] \
            if self._bounding and n_attributes >= 3 and frequency.base.n_classes > self._PAIRS_FROM else []
        self._pair_failing: dict[tuple[int, int, int, int], int] = {}  # (a, b, la, lb) → records
        self._domain_sizes = [[a.domain_size(level) for level in range(a.n_levels)] for a in frequency.attributes]
        self._pair_tries = self._pair_hits = 0
        if self._dataset:  # they suppress classes of equal size in the order of their first record
            frequency.track_representatives()
        # when every model is per class and monotonic without suppression, a node whose
        # classes all pass makes every node above it pass, suppressing nothing
        self._passes_propagate = len(per_class) == len(models) and all(m.monotonic for m in models)
        # only k-anonymity (and no sensitive values, no representatives): a node rolled up from
        # the base table is judged on its dense counts (see classes)
        self._k_only = max(m.min_class_size for m in models) if models and all(m.size_alone for m in models) and \
            not frequency.base.sensitive and frequency.base.representatives is None else None
        # the cached class tables, their levels and their size (classes + sensitive triples)
        self._cached: list[ClassTable] = []
        self._sources = _Sources(lattice)
        self._cached_rows = 0
        self._add(frequency.base)
        self._checks = 0
        self._sweep_after = max(int(lattice.size * self._SWEEP_SHARE), self._SWEEP_AFTER)
        self._sweep_blind = self._sweep_after // 4 if self._other and self.max_suppressed else self._sweep_after
        if self.max_suppressed and not metric.monotonic and metric.weak_bound:
            # the bound prunes little (AECS, Discernibility with suppression): the search
            # checks most nodes it cannot settle as failing; sweep as soon as it says so
            self._sweep_after = self._sweep_blind = min(self._sweep_blind, self._SWEEP_WEAK)
        self._sweep_tried = self._anonymous_seen = False
        #: set by the search: the nodes it may still have to evaluate, a mask (see __call__)
        self.open_nodes: Callable[[], np.ndarray] | None = None
        #: the figures of the nodes swept (see __call__), and which nodes they are (None: all)
        self.swept: SweepFigures | None = None
        self.swept_nodes: np.ndarray | None = None

    @property
    def suppression_propagates(self) -> bool:
        """A node below one that suppresses records suppresses records too: every model is
        decided per class and a class inside a failing class fails (monotonic with
        suppression)."""
        return not self._dataset and all(m.monotonic_with_suppression for m in self.models)

    @property
    def has_monotonic_part(self) -> bool:
        """Some models are monotonic with suppression (evaluations tell ``fails_below``)."""
        return bool(self._monotonic)

    def _add(self, classes: ClassTable) -> None:
        # classes, and about as many sensitive triples per sensitive attribute (not computed yet)
        cost = classes.n_classes * (1 + len(self.domains))
        if self._cached_rows + cost > self._CACHE_ROWS:
            return
        self._sources.add(classes.levels, cost)
        self._cached.append(classes)
        self._cached_rows += cost

    def suppression_bound(self) -> np.ndarray:
        """For every node, a lower bound of the records it must suppress.

        A class is a subset of the group of records sharing its value of any one
        quasi-identifier; where a model says such a group holds only failing classes (e.g.
        fewer than k records), all its records are suppressed at every node with that level.
        """
        if not self._bounding:
            return np.zeros(self.lattice.size, dtype=np.int64)
        per_attribute = []
        for a, attribute in enumerate(self.frequency.attributes):
            per_level = np.zeros(attribute.n_levels, dtype=np.int64)
            counts = self.frequency.value_counts(a) if self._k_only is not None else None
            for level in range(attribute.min_level, attribute.max_level + 1):
                if counts is not None:  # k-anonymity alone: groups smaller than k, from the value counts
                    groups = np.bincount(attribute.up(0, level), weights=counts, minlength=attribute.domain_size(level))
                    per_level[level] = self._smaller_than_k(groups)
                else:
                    per_level[level] = self._failing_records(self.frequency.projection((a,), (level,)))
            per_attribute.append(per_level)
        return self.lattice.combine(per_attribute, np.maximum, np.int64)

    def _failing_records(self, groups: ClassTable) -> int:
        """Records in groups (unions of classes) whose classes all certainly fail a model."""
        stats = self.statistics(groups)
        fails = np.zeros(groups.n_classes, dtype=bool)
        for model in self._bounding:
            verdict = model.fails_within(stats)
            if verdict is not None:
                fails |= verdict
        return records_where(groups.sizes, fails)

    def _pairs_rule_out(self, levels: list[int]) -> bool:
        """Do the groups of some pair of quasi-identifiers at ``levels`` already hold more
        certainly failing records than may be suppressed?

        Such a node is not anonymous, and neither is any node below it (its groups only get
        finer).  Most nodes the search checks at low suppression limits fail this way, and a pair's groups
        are few and rolled up from its level-0 groups, far cheaper than the node's classes.
        Each pair's verdict per level pair is kept; the pair that last ruled a node out is
        tried first.  Of the pairs without a verdict at the node's levels, at most
        ``_PAIRS_PER_NODE`` (one), those with the most cells, are grouped (trying every pair
        costs more than it saves).  When the pairs
        rarely decide, they are no longer tried.
        """
        pairs, known = self._pairs, self._pair_failing
        # a pair's groups cost about a tenth of a node's classes: stop when they decide too
        # rarely to pay for themselves (each verdict kept was computed once)
        if not pairs or (self._pair_tries >= 16 and 10 * self._pair_hits < len(known)):
            return False
        self._pair_tries += 1
        missing = []
        for i, (a, b) in enumerate(pairs):  # first the verdicts already known: free
            failing = known.get((a, b, levels[a], levels[b]))
            if failing is None:
                missing.append(i)
            elif failing > self.max_suppressed:
                return self._pair_ruled_out(i)
        # of the pairs not tried at these levels, those with the most cells (smallest groups)
        # are the likeliest to decide: only the first of them are grouped for one node, so that
        # a node no pair rules out costs a pair, not all of them (nlargest: as a stable sort)
        domain = self._domain_sizes
        for i in heapq.nlargest(self._PAIRS_PER_NODE, missing, key=lambda i: domain[pairs[i][0]][levels[pairs[i][0]]]
                                * domain[pairs[i][1]][levels[pairs[i][1]]]):
            a, b = pairs[i]
            failing = self._failing_records(self.frequency.projection((a, b), (levels[a], levels[b])))
            known[(a, b, levels[a], levels[b])] = failing
            if failing > self.max_suppressed:
                return self._pair_ruled_out(i)
        return False

    def _pair_ruled_out(self, i: int) -> bool:
        if i:
            self._pairs.insert(0, self._pairs.pop(i))
        self._pair_hits += 1
        return True

    def classes(self, node: int, *, screen: bool = False) -> ClassTable | None:
        """The classes of ``node``, rolled up from the smallest cached class table at most as
        general in every QI.

        With k-anonymity alone, a node whose source is the base table is counted densely over
        its key space; with ``screen``, a node whose classes smaller than k hold more records
        than may be suppressed is then settled on those counts (None: not anonymous, nor any
        node below it): neither the keys of its classes nor their table are made, nor kept
        for roll-ups (at 5 % suppression most checks are such nodes)."""
        levels = self.lattice.row(node)
        source = self._cached[self._sources.cheapest_below(levels)]
        wanted = tuple(levels)
        if source.levels == wanted:
            return source
        counted = self.frequency.base_counts(wanted) \
            if self._k_only is not None and source is self.frequency.base else None
        if counted is None:
            classes = self.frequency.roll_up(source, wanted)
        elif screen and self._smaller_than_k(*counted) > self.max_suppressed:
            return None
        else:
            classes = self.frequency.from_counts(wanted, counted[0])
        self._add(classes)
        return classes

    def _smaller_than_k(self, counts: np.ndarray, keys: np.ndarray | None = None) -> int:
        """With k-anonymity alone: the records in the groups of a count (records per group,
        float64) that hold fewer than k (empty groups add nothing).  With ``keys``, the group
        of every base row, where the groups outnumber the rows: summed over the rows instead
        (the same integer; the key spaces of low nodes can be several times the rows)."""
        if keys is not None and len(counts) > len(keys):
            return records_where(self.frequency.base.weights, np.take(counts, keys) < self._k_only)
        return records_where(counts, counts < self._k_only)

    def statistics(self, classes: ClassTable) -> ClassStatistics:
        """What the privacy models see of ``classes``."""
        return ClassStatistics(classes.sizes, self.frequency.n_records, classes.distribution_view, self.domains,
                               (lambda: self._tiebreak(classes)) if self._dataset else None)

    def _tiebreak(self, classes: ClassTable) -> list[np.ndarray]:
        keys = []
        losses = self.metric.class_losses(classes)
        if losses is not None:
            keys.append(losses)
        if classes.representatives is not None:
            keys.append(classes.representatives)
        return keys

    def verdict(self, classes: ClassTable) -> tuple[np.ndarray, ClassStatistics]:
        """Which classes are kept: they satisfy every per-class model, and the dataset-level
        models did not suppress them (see :meth:`judge`)."""
        ok, stats, _, _ = self.judge(classes)
        return ok, stats

    def judge(self, classes: ClassTable, *, screen: bool = False) -> tuple[np.ndarray | None, ClassStatistics, bool, bool]:
        """``(kept, stats, anonymous, fails_below)`` for ``classes``.

        Per-class models decide which classes are suppressed; then each dataset-level model
        may suppress more (ARX's enforcement: smallest classes first) or cannot hold.
        ``fails_below``: the models that are monotonic with suppression alone already
        suppress too much, so every more specific transformation does too.

        With ``screen``, a transformation that is not anonymous may be settled without
        judging every class: ``kept`` is then ``None`` (see :meth:`_screened_out`).
        """
        stats = self.statistics(classes)
        ok = np.ones(classes.n_classes, dtype=bool)
        for model in self._monotonic:
            ok &= model.classes_ok(stats)
        fails_below = records_where(classes.sizes, ~ok) > self.max_suppressed
        if screen and (fails_below or self._screened_out(classes, ok)):
            return None, stats, False, fails_below
        for model in self._other:
            ok &= model.classes_ok(stats)
        holds = records_where(classes.sizes, ~ok) <= self.max_suppressed
        for model in self._dataset:
            if not holds:
                break
            enforced = model.enforce(stats, ok, self.max_suppressed)
            if enforced is None:
                holds = False
            else:
                ok = enforced
        if holds and self._dataset:  # suppressing for a later model must not break an earlier one
            holds = all(model.dataset_ok(stats, ok) for model in self._dataset)
        return ok, stats, holds, fails_below

    def _screened_out(self, classes: ClassTable, ok: np.ndarray) -> bool:
        """Do the largest classes alone already fail the other per-class models with more
        records than may be suppressed?  Judging them needs only their own sensitive-value
        counts; in the non-monotonic searches (t-closeness, ...) this settles most
        transformations without rolling up the counts of all classes."""
        if not self._other:
            return False
        budget = self.max_suppressed - records_where(classes.sizes, ~ok)
        kept = np.flatnonzero(ok)
        if len(kept) == 0:
            return False
        # the largest classes, down to the power of two where they hold four times the records
        # that may still be suppressed (judging them costs about the same whatever their
        # number: what matters is the one pass over the source's counts; powers of two need
        # one pass over the classes, no sort)
        sizes = classes.sizes[kept]
        magnitude = np.frexp(sizes)[1]  # 2**(m-1) <= size < 2**m
        at_least = np.cumsum(np.bincount(magnitude, weights=sizes)[::-1])[::-1]  # records of magnitude >= m
        enough = np.flatnonzero(at_least > 4 * budget)
        cutoff = 1 << (int(enough[-1]) - 1) if len(enough) and enough[-1] > 0 else 0
        chosen = kept[sizes >= cutoff]
        if int(classes.sizes[chosen].sum()) <= budget or len(chosen) > classes.n_classes // 2:
            return False  # they cannot settle it, or it is not worth it: judge them all
        count = len(chosen)
        subset = ClassStatistics(classes.sizes[chosen], self.frequency.n_records,
                                 {name: classes.distribution_of(name, chosen) for name in self.domains},
                                 self.domains)
        passing = np.ones(count, dtype=bool)
        for model in self._other:
            passing &= model.classes_ok(subset)
        return int(classes.sizes[chosen][~passing].sum()) > budget

    def make_sweep(self) -> Sweep | None:
        """The compiled evaluation of this lattice (with the Loss metric's sums when the
        metric is Loss), when it applies: see :mod:`eucaim_wizard.engine.sweep`."""
        from .sweep import Sweep, sweep_models

        if self._dataset or not Sweep.applies(self.frequency):
            return None
        if self.lattice.size > TABLE_UP_TO:  # (a best-effort search: no array over the lattice)
            return None
        models = sweep_models(self.models, self.domains)
        if models is None or not Sweep.fits(self.frequency, models):
            return None
        return Sweep(self.frequency, self.lattice, models,
                     self.metric.flat_shares())

    def __call__(self, node: int, *, screen: bool = True) -> Evaluation:
        """Evaluate ``node``; with ``screen`` (the search), a node that is not anonymous may be
        settled without its figures (they are ``None``).

        A search that has checked a sixteenth of the lattice (at least 256 nodes; a quarter of
        that with models that are not monotonic, while none of them was anonymous: the bound
        then prunes nothing) may check much of it (with such models, every node whose bound is
        below the best loss); with a metric whose bound is weak, after a few dozen checks.  If
        the search then says (:attr:`open_nodes`) that at least a quarter of the lattice may
        still need evaluating, those nodes are evaluated in compiled code at once, when the
        models allow (:meth:`make_sweep`; the nodes known to fail, often the bottom of the
        lattice with the most classes, are skipped), and their figures are read from it; any
        other node, and every node when the search goes on node by node (a sweep would cost
        more than the few checks left), is evaluated on its classes.  The loss of an
        anonymous node is computed on its classes, or from its counts where the metric needs
        no more, exactly as without.
        """
        self._checks += 1
        if not self._sweep_tried and self._checks > (self._sweep_after if self._anonymous_seen else self._sweep_blind):
            self._sweep_tried = True
            wanted = self.open_nodes() if self.open_nodes is not None else None
            left = self.lattice.size if wanted is None else int(np.count_nonzero(wanted))
            sweep = self.make_sweep() if left * self._SWEEP_LEFT >= self.lattice.size else None
            if sweep is not None:
                everything = wanted is None or left == self.lattice.size
                self.swept = sweep.run_all(nodes=None if everything else np.flatnonzero(wanted))
                self.swept_nodes = None if everything or self.swept is None else wanted
        if self.swept is not None and (self.swept_nodes is None or self.swept_nodes[node]):
            return self._swept_evaluation(node)
        if screen and self._pairs and self._pairs_rule_out(self.lattice.row(node)):
            return Evaluation.settled(fails_below=True)  # (so is every node below it)
        classes = self.classes(node, screen=screen)
        if classes is None:  # settled on its counts
            return Evaluation.settled(fails_below=True)
        ok, stats, anonymous, fails_below = self.judge(classes, screen=screen)
        if ok is None:  # settled by its largest classes
            return Evaluation.settled(fails_below=fails_below)
        suppressed = records_where(classes.sizes, ~ok)
        nothing = bool(ok.all())
        # The search needs the loss of anonymous nodes only; a bound that is exact makes
        # even that free when nothing is suppressed.  Other losses are computed on demand.
        if anonymous and not (nothing and self.metric.exact_bound):
            loss: float | None = self.metric.loss(classes, ok)
        elif anonymous:
            loss = self.metric.bound_of(node)
        else:
            loss = None
        kept = classes.sizes if nothing else np.compress(ok, classes.sizes)
        self._anonymous_seen |= anonymous
        return Evaluation(
            anonymous=anonymous,
            information_loss=loss,
            suppressed=suppressed,
            classes=int(ok.sum()),
            min_class_size=int(kept.min()) if len(kept) else 0,
            suppresses_nothing=nothing,
            fails_below=fails_below,
            passes_above=nothing and self._passes_propagate,
        )

    def _swept_evaluation(self, node: int) -> Evaluation:
        figures = self.swept
        suppressed, kept = int(figures.suppressed[node]), int(figures.kept[node])
        anonymous = suppressed <= self.max_suppressed
        nothing = kept == int(figures.classes[node])
        if anonymous and nothing and self.metric.exact_bound:
            loss: float | None = self.metric.bound_of(node)
        elif anonymous:
            loss = self.metric.loss_from_counts(tuple(self.lattice.row(node)), suppressed, kept,
                                                int(figures.classes[node]), int(figures.squares[node]))
            if loss is None:  # the metric needs the classes
                loss = self.information_loss(node)
        else:
            loss = None
        return Evaluation(anonymous=anonymous, information_loss=loss, suppressed=suppressed, classes=kept,
                          min_class_size=int(figures.smallest[node]), suppresses_nothing=nothing,
                          fails_below=int(figures.failing[node]) > self.max_suppressed,
                          passes_above=nothing and self._passes_propagate)

    def information_loss(self, node: int) -> float:
        """The information loss of ``node`` (with its suppression), computed now."""
        classes = self.classes(node)
        ok, _ = self.verdict(classes)
        return self.metric.loss(classes, ok)
