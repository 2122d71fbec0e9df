"""``anonymize(project) -> Result``: the optimal anonymous transformation of a project's table.

The flow follows the engine's data model: encode the quasi-identifiers once, build the
frequency table (the one pass over all records), search the lattice of level vectors on it,
and apply the chosen transformation in a second pass (:meth:`Result.anonymized_table`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .engine.classes import ClassTable, FrequencyTable, records_where
from .engine.encoding import EncodedAttribute, encode_attribute, sensitive_domain
from .engine.lattice import Lattice
from .engine.search import ANONYMOUS, NOT_ANONYMOUS, Evaluation, SearchOutcome, search
from .engine.transform import generalize
from .errors import HierarchyError, ProjectError
from .metrics import Loss, Metric, build_metric
from .privacy import ClassStatistics, PrivacyModel
from .privacy.base import SensitiveDomain, max_suppressed
from .project import Project
from .tables import Table

if TYPE_CHECKING:  # (the sweep is imported when a search or a listing first needs it)
    from .engine.sweep import Sweep, SweepFigures

Progress = Callable[[int, int], None]

#: the largest lattice searched (its per-node arrays take about 100 bytes a node)
MAX_LATTICE = 5_000_000


@dataclass(frozen=True)
class Transformation:
    """One node of the lattice: a generalization level per quasi-identifier, and what is known of it.

    ``checked`` is True when the node was evaluated; otherwise ``anonymous`` was inferred by
    predictive tagging (and the other figures may be unknown, ``None``).
    """

    levels: dict[str, int]
    anonymous: bool | None
    checked: bool
    information_loss: float | None
    suppressed_records: int | None
    equivalence_classes: int | None
    min_class_size: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": dict(self.levels),
            "anonymous": self.anonymous,
            "checked": self.checked,
            "information_loss": self.information_loss,
            "suppressed_records": self.suppressed_records,
            "equivalence_classes": self.equivalence_classes,
            "min_class_size": self.min_class_size,
        }


class _Sources:
    """The level vectors of the cached class tables and their cost: which is the cheapest at
    most as general as a node in every quasi-identifier?

    Where the levels fit, each vector is packed into one int64 with a guard bit above each
    level's field; ``(node | guards) − source`` then keeps a field's guard bit exactly when
    the source's level is at most the node's (no borrow crosses a field), so one subtraction
    compares every quasi-identifier (3× faster than comparing a 2-D array of levels).
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
    # pairs grouped anew for one node, at most (see _pairs_rule_out); on Adult at 0 % (k = 2, 5,
    # 10, 100, in-process alternation) 1 was 4-12 % faster than 2, 3 or 4
    _PAIRS_PER_NODE = 1
    #: the search evaluates the whole lattice in compiled code (:meth:`make_sweep`) once it
    #: has checked this share of it, and at least this many nodes; with models that are not
    #: monotonic (and records to suppress), after a quarter of that while no transformation
    #: checked was anonymous
    _SWEEP_SHARE = 1 / 16
    _SWEEP_AFTER = 256

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
        self._bounding = [m for m in per_class if type(m).fails_within is not PrivacyModel.fails_within]
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
        self._sweep_tried = self._anonymous_seen = False
        #: every node's figures, once the lattice was swept (see __call__)
        self.swept: SweepFigures | None = None

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
        finer).  Most nodes the search checks at low suppression limits fail this way (on
        Adult with k=2 at 0 %, 181 of the 204 that are not anonymous), and a pair's groups
        are few and rolled up from its level-0 groups, far cheaper than the node's classes.
        Each pair's verdict per level pair is kept; the pair that last ruled a node out is
        tried first.  Of the pairs without a verdict at the node's levels, at most
        ``_PAIRS_PER_NODE`` (one), those with the most cells, are grouped (on Adult with k=100
        at 0 % trying all 36 made the search a third slower than trying none).  When the pairs
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
        (the same integer; on Adult at k=2 the key spaces of low nodes are up to 8 times
        the 19,502 rows)."""
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
        from .engine.sweep import Sweep, sweep_models

        if self._dataset or not Sweep.applies(self.frequency):
            return None
        models = sweep_models(self.models, self.domains)
        if models is None or not Sweep.fits(self.frequency, models):
            return None
        return Sweep(self.frequency, self.lattice, models,
                     self.metric.flat_shares() if isinstance(self.metric, Loss) else None)

    def __call__(self, node: int, *, screen: bool = True) -> Evaluation:
        """Evaluate ``node``; with ``screen`` (the search), a node that is not anonymous may be
        settled without its figures (they are ``None``).

        A search that has checked a sixteenth of the lattice (at least 256 nodes; a quarter of
        that with models that are not monotonic, while none of them was anonymous: the bound
        then prunes nothing) is likely to check most of it (with such models, every node whose
        bound is below the best loss): the whole lattice is then evaluated in compiled code at
        once, when the models allow (:meth:`make_sweep`; on Adult 4,320 nodes in about the time
        numpy takes for 400), and the figures are read from it; the loss of an anonymous node
        is still computed on its classes, exactly as without.
        """
        self._checks += 1
        if not self._sweep_tried and self._checks > (self._sweep_after if self._anonymous_seen else self._sweep_blind):
            self._sweep_tried = True
            sweep = self.make_sweep()
            if sweep is not None:
                self.swept = sweep.run_all()
        if self.swept is not None:
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
            loss = float(self.metric.bound[node])
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
            loss: float | None = float(self.metric.bound[node])
        else:
            loss = self.information_loss(node) if anonymous else None
        return Evaluation(anonymous=anonymous, information_loss=loss, suppressed=suppressed, classes=kept,
                          min_class_size=int(figures.smallest[node]), suppresses_nothing=nothing,
                          fails_below=int(figures.failing[node]) > self.max_suppressed,
                          passes_above=nothing and self._passes_propagate)

    def information_loss(self, node: int) -> float:
        """The information loss of ``node`` (with its suppression), computed now."""
        classes = self.classes(node)
        ok, _ = self.verdict(classes)
        return self.metric.loss(classes, ok)


class Result:
    """The outcome of a search: the optimum, every known transformation, and how to apply one."""

    def __init__(self, project: Project, table: Table, frequency: FrequencyTable, lattice: Lattice,
                 evaluator: Evaluator, outcome: SearchOutcome, metric: Metric):
        self.project = project
        self.table = table
        self.frequency = frequency
        self.lattice = lattice
        self.evaluator = evaluator
        self.outcome = outcome
        self.metric = metric
        self.quasi_identifiers = [a.name for a in frequency.attributes]

    # -- figures ------------------------------------------------------------------------
    @property
    def n_records(self) -> int:
        return self.frequency.n_records

    @property
    def anonymous(self) -> bool:
        return self.outcome.optimum is not None

    @property
    def lattice_size(self) -> int:
        return self.lattice.size

    @property
    def checked(self) -> int:
        return len(self.outcome.evaluations)

    @property
    def seconds(self) -> float:
        return self.outcome.seconds

    @property
    def metric_label(self) -> str:
        return self.metric.label

    def transformation(self, node: int) -> Transformation:
        """What is known of lattice node ``node`` (evaluating it if it was not checked)."""
        evaluation = self.outcome.evaluations.get(node)
        levels = dict(zip(self.quasi_identifiers, self.lattice.levels_of(node)))
        if evaluation is None:
            status = self.outcome.status[node]
            anonymous = None if status == 0 else bool(status == ANONYMOUS)
            loss = self.outcome.loss[node]
            return Transformation(levels, anonymous, False, None if np.isnan(loss) else float(loss), None, None, None)
        if evaluation.suppressed is None:  # settled by screening: the figures are computed now
            return self.evaluate(node)
        loss = evaluation.information_loss
        if loss is None:
            loss = self.evaluator.information_loss(node)
        return Transformation(
            levels, evaluation.anonymous, True, float(loss), evaluation.suppressed,
            evaluation.classes, evaluation.min_class_size,
        )

    def evaluate(self, node: int) -> Transformation:
        """Evaluate ``node`` now (even if the search inferred or skipped it), loss included.

        As in ARX, records in classes that fail a per-class model are suppressed for the
        loss even when the transformation is not anonymous.
        """
        evaluation = self.evaluator(node, screen=False)
        levels = dict(zip(self.quasi_identifiers, self.lattice.levels_of(node)))
        return Transformation(levels, evaluation.anonymous, True, self.evaluator.information_loss(node),
                              evaluation.suppressed, evaluation.classes, evaluation.min_class_size)

    def evaluate_all(self, progress: Progress | None = None, *, workers: int | None = None,
                     compiled: bool = True) -> list[Transformation]:
        """Every transformation of the lattice evaluated (loss included), in lattice order.

        ``equivalence_classes`` and ``min_class_size`` count the classes that are kept (not
        suppressed), so a node's highest prosecutor risk is ``1 / min_class_size`` and its
        average risk ``equivalence_classes / (records - suppressed_records)``.

        Nodes are visited by height, each rolled up from the smallest of its direct
        predecessors (one level lower in one attribute), so that every node costs about the
        size of a neighbour's class table; only two heights of class tables are held.  The
        Loss metric is computed from the whole table's totals and the smaller of the kept and
        the suppressed classes: the value :meth:`evaluate` gives, but for rounding that the
        10-decimal rounding rarely shows (at most a step of 1e-10 per attribute apart).  With
        the Loss metric and models the compiled kernels judge (k-anonymity, distinct
        l-diversity, equal-distance t-closeness) the lattice is evaluated in compiled code, a
        height at a time (:mod:`eucaim_wizard.engine.sweep`; ``compiled=False`` evaluates node
        by node in numpy, with the same figures).  On a large lattice, with two or more cores
        and ``fork`` (Linux, macOS), the upper half of one attribute's levels is evaluated in a
        forked process at the same time (:func:`~eucaim_wizard.engine.parallel.halves`;
        ``workers=1`` turns that off); the figures are the same either way.
        """
        lattice = self.lattice
        size = lattice.size
        nodes = np.arange(size)
        if compiled and self.evaluator.swept is not None and isinstance(self.metric, Loss):
            # the search has swept the lattice already
            results = self._swept_nodes(self.evaluator.swept)
            if progress is not None:
                progress(size, size)
            return results
        sweep = self._sweep if compiled else None
        figures = None if sweep is None else sweep.run_all(progress, workers)
        if figures is not None:
            return self._swept_nodes(figures)
        from .engine.parallel import halves, in_two_processes

        parts = halves(lattice, workers)
        if parts is None:
            return self._evaluate_nodes(nodes, progress, size)  # type: ignore[return-value]
        lower, upper = parts
        results, rows = in_two_processes(lambda: self._evaluate_nodes(lower, progress, size),
                                         lambda: self._evaluate_nodes(upper, None, None, rows_only=True))
        for node, figures in rows:
            results[node] = self._transformation_of(node, *figures)
        if progress is not None:
            progress(size, size)
        return results  # type: ignore[return-value]

    def _transformation_of(self, node: int, anonymous: bool, loss: float, suppressed: int, classes: int,
                           smallest: int) -> Transformation:
        levels = dict(zip(self.quasi_identifiers, self.lattice.row(node)))
        return Transformation(levels, anonymous, True, loss, suppressed, classes, smallest)

    @cached_property
    def _sweep(self) -> Sweep | None:
        """The compiled evaluation of the lattice, when it applies (see :meth:`Evaluator.make_sweep`;
        here only with the Loss metric, whose sums it takes)."""
        return self.evaluator.make_sweep() if isinstance(self.metric, Loss) else None

    def _evaluate_nodes(self, nodes: np.ndarray, progress: Progress | None, total: int | None, *,
                        rows_only: bool = False):
        """Evaluate ``nodes`` (a sub-lattice: every node's lower neighbours inside it, or the
        base) by height; a list over the whole lattice with these nodes filled in, or with
        ``rows_only`` the ``(node, figures)`` pairs."""
        lattice, frequency, evaluator = self.lattice, self.frequency, self.evaluator
        inside = np.zeros(lattice.size, dtype=bool)
        inside[nodes] = True
        results: list[Transformation | None] = [] if rows_only else [None] * lattice.size
        order = nodes[np.lexsort((nodes, lattice.height[nodes]))]
        fast_loss = getattr(self.metric, "loss_from_totals", None)  # the same value (to the rounding), faster
        held: dict[int, ClassTable] = {}
        current_height = None
        heights = lattice.height[order].tolist()
        for done, (node, height) in enumerate(zip(order.tolist(), heights), start=1):
            if height != current_height:  # tables two heights down are no longer needed
                held = {n: t for n, t in held.items() if lattice.height[n] >= height - 1}
                current_height = height
            wanted = tuple(lattice.row(node))
            sources = [held[p] for p in lattice.predecessors(node) if inside[p]]
            source = min(sources, key=lambda t: t.n_classes) if sources else frequency.base
            classes = source if source.levels == wanted else frequency.roll_up(source, wanted)
            held[node] = classes
            ok, _, anonymous, _ = evaluator.judge(classes)
            suppressed = int(classes.sizes[~ok].sum())
            if suppressed == 0 and self.metric.exact_bound:
                loss = float(self.metric.bound[node])
            elif fast_loss is not None:
                loss = fast_loss(classes, ok, suppressed)
            else:
                loss = self.metric.loss(classes, ok)
            kept = classes.sizes[ok]
            figures = (bool(anonymous), float(loss), suppressed, int(ok.sum()), int(kept.min()) if len(kept) else 0)
            if rows_only:
                results.append((node, figures))
            else:
                results[node] = self._transformation_of(node, *figures)
            if progress is not None and (done % 256 == 0 or done == len(order)):
                progress(done, total or len(order))
        return results

    def _swept_nodes(self, figures: SweepFigures) -> list[Transformation]:
        """Every transformation from the figures of a sweep of the lattice (Loss metric)."""
        metric = self.metric
        assert isinstance(metric, Loss)
        suppressed = figures.suppressed
        loss = metric.losses_from_parts(self.lattice.levels, figures.parts, figures.use_kept, suppressed)
        loss = np.where(suppressed == 0, metric.bound, loss)  # the bound is exact there
        anonymous = suppressed <= self.evaluator.max_suppressed
        return [self._transformation_of(node, *figures_of) for node, figures_of in enumerate(zip(
            anonymous.tolist(), loss.tolist(), suppressed.tolist(), figures.kept.tolist(), figures.smallest.tolist()))]

    @cached_property
    def optimum(self) -> Transformation | None:
        node = self.outcome.optimum
        if node is None:
            return None
        evaluation = self.outcome.evaluations.get(node) or self.evaluator(node)
        levels = dict(zip(self.quasi_identifiers, self.lattice.levels_of(node)))
        # recomputed from the classes in ARX's order of operations, so the reported score is
        # ARX's to the last digit (the search may have taken it from the vectorized bound)
        loss = self.evaluator.information_loss(node)
        return Transformation(levels, True, node in self.outcome.evaluations, loss,
                              evaluation.suppressed, evaluation.classes, evaluation.min_class_size)

    def transformations(self) -> list[Transformation]:
        """Every transformation the search checked or tagged, in lattice order."""
        known = np.flatnonzero((self.outcome.status != 0) | ~np.isnan(self.outcome.loss))
        return [self.transformation(int(node)) for node in known]

    # -- applying -----------------------------------------------------------------------
    def node_of(self, levels: dict[str, int]) -> int:
        missing = [q for q in self.quasi_identifiers if q not in levels]
        if missing:
            raise ProjectError(f"levels for {', '.join(missing)} are missing; give one level per quasi-identifier")
        try:
            return self.lattice.node([levels[q] for q in self.quasi_identifiers])
        except ValueError as error:
            raise ProjectError(f"{error}; allowed ranges: " + ", ".join(
                f"{q} {lo}–{hi}" for q, lo, hi in zip(self.quasi_identifiers, self.lattice.low, self.lattice.high)
            )) from None

    def node_or_optimum(self, levels: dict[str, int] | None = None) -> int:
        """The node of ``levels``, or of the optimum when they are not given.

        Raises
        ------
        ProjectError
            For levels outside the lattice, or no levels when no transformation is anonymous.
        """
        if levels is not None:
            return self.node_of(dict(levels))
        if self.outcome.optimum is None:
            raise ProjectError("no transformation is anonymous, so there is no optimum; give the levels of "
                               "a candidate (see `eucaim-wizard explore`)")
        return self.outcome.optimum

    def suppressed_records(self, node: int) -> np.ndarray:
        """Boolean per record: suppressed under ``node``."""
        levels = tuple(int(v) for v in self.lattice.levels_of(node))
        classes, row_class = self.frequency.roll_up_with_inverse(self.frequency.base, levels)
        ok, _ = self.evaluator.verdict(classes)
        return ~ok[row_class[self.frequency.record_row]]

    def privacy_report(self, node: int | None = None) -> list[dict[str, Any]]:
        """Per privacy model at ``node`` (default: the optimum): its parameters, whether it
        holds, and the value the anonymized table achieves (e.g. the smallest l)."""
        node = self.outcome.optimum if node is None else node
        report = []
        if node is None:
            return [{**model.to_config(), "holds": False, "achieved": None} for model in self.project.privacy]
        classes = self.evaluator.classes(node)
        ok, stats, anonymous, _ = self.evaluator.judge(classes)
        within_limit = int(classes.sizes[~ok].sum()) <= self.evaluator.max_suppressed
        for model in self.project.privacy:
            # a per-class model holds on the published table when its failing classes could
            # all be suppressed; a dataset-level one is checked on the classes that are kept
            holds = within_limit and (model.per_class or model.dataset_ok(stats, ok))
            report.append({**model.to_config(), "holds": bool(holds), "achieved": model.achieved(stats, ok)})
        return report

    def anonymized_table(self, levels: dict[str, int] | None = None, *, drop_suppressed: bool = False) -> Table:
        """The table generalized by ``levels`` (default: the optimum), identifiers removed.

        Identifiers marked ``pseudonymize: true`` are kept as they are here: the export
        (:func:`~eucaim_wizard.run.anonymize_to_folder`) replaces them by pseudonyms.
        """
        node = self.node_or_optimum(levels)
        suppressed = self.suppressed_records(node)
        return generalize(
            self.table, self.frequency, self.lattice.levels_of(node), suppressed,
            drop=[name for name in self.project.identifiers if not self.project.attributes[name].pseudonymize],
            drop_suppressed=drop_suppressed,
        )

    def to_dict(self, levels: dict[str, int] | None = None) -> dict[str, Any]:
        """The ``result.json`` content; with ``levels``, also the transformation applied
        instead of the optimum (``"applied"``), and the privacy verdicts are for it."""
        optimum = self.optimum
        node = None if levels is None else self.node_of(levels)
        applied = {}
        if node is not None:
            chosen = self.evaluate(node)
            applied = {"applied": {"levels": chosen.levels, "optimum": node == self.outcome.optimum,
                                   "information_loss": chosen.information_loss,
                                   "suppressed_records": chosen.suppressed_records,
                                   "equivalence_classes": chosen.equivalence_classes,
                                   "min_class_size": chosen.min_class_size}}
        return {
            "anonymous": self.anonymous,
            "optimum": None if optimum is None else {
                "levels": optimum.levels,
                "information_loss": optimum.information_loss,
                "suppressed_records": optimum.suppressed_records,
                "equivalence_classes": optimum.equivalence_classes,
                "min_class_size": optimum.min_class_size,
            },
            "search": {"lattice_size": self.lattice_size, "checked": self.checked, "seconds": round(self.seconds, 4)},
            "metric": self.project.metric.name,
            "metric_label": self.metric_label,
            **applied,
            "privacy": self.privacy_report(node),
            "suppression_limit": self.project.suppression_limit,
            "records": self.n_records,
        }


def prepare(project: Project, table: Table | None = None) -> tuple[Table, FrequencyTable, Lattice]:
    """Encode the quasi-identifiers and build the frequency table and the lattice."""
    table = project.load_table() if table is None else table
    missing = [name for name in project.attributes if name not in table.columns]
    if missing:
        raise ProjectError(
            f"attribute(s) {', '.join(map(repr, missing))} of the project are not columns of "
            f"{project.data_path or 'the table'}; the table has: {', '.join(table.columns)}."
        )
    attributes: list[EncodedAttribute] = []
    for name in project.quasi_identifiers:
        hierarchy = project.load_hierarchy(name)
        errors = [f for f in hierarchy.findings() if f.severity == "error"]
        if errors:
            # the search relies on a tree: a label with two parents breaks monotonicity
            raise HierarchyError(
                f"the hierarchy of {name!r} cannot be used: {errors[0].message} "
                f"Run `eucaim-wizard validate` for every finding.", findings=errors)
        low, high = project.level_range(name, hierarchy)
        attributes.append(encode_attribute(table, name, hierarchy, low, high))
    size = int(np.prod([a.max_level - a.min_level + 1 for a in attributes], dtype=np.float64)) if attributes else 1
    if size > MAX_LATTICE:
        ranges = ", ".join(f"{a.name} {a.max_level - a.min_level + 1}" for a in attributes)
        raise ProjectError(
            f"the {len(attributes)} quasi-identifiers make {size:,} transformations to search (levels per "
            f"attribute: {ranges}), more than the {MAX_LATTICE:,} an optimal search can hold in memory. "
            f"Give fewer columns the role quasi-identifier (keep those an attacker may know), or narrow "
            f"their ranges with min_level / max_level.")
    sensitive, domains = {}, {}
    for name in dict.fromkeys(m.sensitive_attribute for m in project.privacy if m.sensitive_attribute):
        codes, domains[name] = sensitive_domain(project, table, name)
        sensitive[name] = (codes, len(domains[name].labels))
    frequency = FrequencyTable(attributes, sensitive, domains)
    lattice = Lattice([a.min_level for a in attributes], [a.max_level for a in attributes])
    return table, frequency, lattice


class Pipeline(NamedTuple):
    """Everything a search or an evaluation of the project's table works on."""

    table: Table
    frequency: FrequencyTable
    lattice: Lattice
    metric: Metric
    evaluator: Evaluator


def build_pipeline(project: Project, table: Table | None = None) -> Pipeline:
    """The one way from a project to its evaluator: table → encoding → frequency table (with
    the sensitive attributes' domains) → lattice → metric → evaluator.  Every command that
    searches, applies or evaluates transformations (anonymize, apply, explore, run, utility)
    starts here, so they judge a transformation alike."""
    table, frequency, lattice = prepare(project, table)
    weights = [project.attributes[a.name].weight for a in frequency.attributes]
    metric = build_metric(project.metric, frequency, lattice, weights, project.suppression_limit)
    evaluator = Evaluator(frequency, lattice, project.privacy, metric, project.suppression_limit,
                          frequency.domains)
    return Pipeline(table, frequency, lattice, metric, evaluator)


def anonymize(project: Project, *, table: Table | None = None, progress: Progress | None = None) -> Result:
    """Search the optimal anonymous transformation of the project's table.

    Parameters
    ----------
    project
        The project (see :class:`~eucaim_wizard.project.Project`).
    table
        The table to use instead of the project's data file.
    progress
        Called with (evaluated transformations, lattice size) during the search.

    Returns
    -------
    Result
        ``result.anonymous`` is False when no transformation satisfies the privacy models
        within the suppression limit.
    """
    if not project.privacy:
        raise ProjectError("the project has no privacy model; add one under `privacy:`, e.g. `- k-anonymity: {k: 10}`")
    table, frequency, lattice, metric, evaluator = build_pipeline(project, table)
    # anonymity is monotonic when every model is, with suppression or with none allowed; or
    # when the user trades optimality for speed (ARX's "practical monotonicity")
    monotonic = project.assume_monotonicity or all(m.monotonic_with_suppression for m in project.privacy) or (
        evaluator.max_suppressed == 0 and all(m.monotonic for m in project.privacy))
    outcome = search(
        lattice, metric.bound, evaluator,
        not_anonymous=evaluator.suppression_bound() > evaluator.max_suppressed,
        monotonic=monotonic,
        exact_bound=metric.exact_bound,
        monotonic_metric=metric.monotonic,
        monotonic_part=evaluator.has_monotonic_part,
        suppressing_bound=metric.suppressing_bound,
        suppression_propagates=evaluator.suppression_propagates,
        progress=progress,
    )
    return Result(project, table, frequency, lattice, evaluator, outcome, metric)


__all__ = ["Result", "Transformation", "Pipeline", "anonymize", "build_pipeline", "prepare", "NOT_ANONYMOUS"]
