"""``anonymize(project) -> Result``: the optimal anonymous transformation of a project's table.

The flow follows the engine's data model: encode the quasi-identifiers once, build the
frequency table (the one pass over all records), search the lattice of level vectors on it,
and apply the chosen transformation in a second pass (:meth:`Result.anonymized_table`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine.classes import ClassTable, FrequencyTable
from .engine.evaluator import Evaluator
from .engine.lattice import Lattice
from .engine.search import ANONYMOUS, NOT_ANONYMOUS, SearchOutcome, search
from .engine.transform import generalize
from .errors import ProjectError
from .metrics import Loss, Metric
from .pipeline import build_pipeline
from .project import Project
from .tables import Table

if TYPE_CHECKING:  # (the sweep is imported when a search or a listing first needs it)
    from .engine.sweep import Sweep, SweepFigures

Progress = Callable[[int, int], None]


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


@dataclass(frozen=True)
class NodeTable:
    """Every transformation of a lattice evaluated, as arrays indexed by node id (the
    figures of :class:`Transformation`; ``equivalence_classes`` and ``min_class_size`` count
    the kept classes)."""

    anonymous: np.ndarray
    information_loss: np.ndarray
    suppressed_records: np.ndarray
    equivalence_classes: np.ndarray
    min_class_size: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[int, tuple[bool, float, int, int, int]]], size: int) -> NodeTable:
        """From ``(node, (anonymous, loss, suppressed, classes, smallest))`` pairs covering ``size`` nodes."""
        order = np.array([node for node, _ in rows], dtype=np.int64)
        if sorted(order.tolist()) != list(range(size)):
            raise ValueError("the rows do not cover the lattice once each")
        columns = list(zip(*(figures for _, figures in rows))) if rows else [()] * 5
        types = (bool, float, np.int64, np.int64, np.int64)
        arrays = []
        for column, kind in zip(columns, types):
            array = np.zeros(size, dtype=kind)
            array[order] = np.asarray(column, dtype=kind)
            arrays.append(array)
        return cls(*arrays)


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

    def search_summary(self) -> dict[str, Any]:
        """Which search ran and what it proves: ``strategy``, ``proven_optimal``, ``gap`` (the
        most a better transformation could lower the loss; 0 when proven, None when unknown)
        and ``stopped`` (the limit that ended a best-effort search)."""
        outcome = self.outcome
        return {"strategy": outcome.strategy, "proven_optimal": outcome.proven_optimal, "gap": outcome.gap,
                "stopped": outcome.stopped}

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
        """Every transformation of the lattice evaluated (loss included), in lattice order:
        :meth:`evaluate_table` as one :class:`Transformation` per node."""
        table = self.evaluate_table(progress, workers=workers, compiled=compiled)
        qis = self.quasi_identifiers  # (the level table at once: a row per node from its id costs more)
        return [Transformation(dict(zip(qis, row)), *figures) for row, figures in zip(
            self.lattice.levels.tolist(), zip(table.anonymous.tolist(), [True] * len(table.anonymous),
                                              table.information_loss.tolist(), table.suppressed_records.tolist(),
                                              table.equivalence_classes.tolist(), table.min_class_size.tolist()))]

    def evaluate_table(self, progress: Progress | None = None, *, workers: int | None = None,
                       compiled: bool = True) -> NodeTable:
        """Every transformation of the lattice evaluated (loss included), as arrays indexed
        by node id (:class:`NodeTable`).

        ``equivalence_classes`` and ``min_class_size`` count the classes that are kept (not
        suppressed), so a node's highest prosecutor risk is ``1 / min_class_size`` and its
        average risk ``equivalence_classes / (records - suppressed_records)``.

        Nodes are visited by height, each rolled up from the smallest of its direct
        predecessors (one level lower in one attribute), so that every node costs about the
        size of a neighbour's class table; only two heights of class tables are held.  The
        Loss metric is computed from the whole table's totals and the smaller of the kept and
        the suppressed classes: the value :meth:`evaluate` gives, but for rounding that the
        10-decimal rounding rarely shows (at most a step of 1e-10 per attribute apart).  With
        a metric the sweep's figures score (Loss, Precision, Height, AECS, Discernibility) and
        models the compiled kernels judge (k-anonymity, distinct l-diversity, equal-distance
        t-closeness) the lattice is evaluated in compiled code, a
        height at a time (:mod:`eucaim_wizard.engine.sweep`; ``compiled=False`` evaluates node
        by node in numpy, with the same figures).  On a large lattice with two or more cores,
        the upper half of one attribute's levels is evaluated at the same time: in a second
        thread when compiled, else in a forked process (Linux, macOS)
        (:func:`~eucaim_wizard.engine.parallel.halves`; ``workers=1`` turns that off); the
        figures are the same either way.
        """
        lattice = self.lattice
        size = lattice.size
        nodes = np.arange(size)
        if compiled and self.evaluator.swept is not None and self.evaluator.swept_nodes is None and self._sweep_scores:
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
            return NodeTable.of(self._evaluate_nodes(nodes, progress, size), size)
        lower, upper = parts
        mine, theirs = in_two_processes(lambda: self._evaluate_nodes(lower, progress, size),
                                        lambda: self._evaluate_nodes(upper, None, None))
        if progress is not None:
            progress(size, size)
        return NodeTable.of(mine + theirs, size)

    @property
    def _sweep_scores(self) -> bool:
        """Whether a sweep's figures score every node: the Loss metric's sums, or the counts
        of a metric that needs no more (:attr:`~eucaim_wizard.metrics.Metric.from_counts`)."""
        return isinstance(self.metric, Loss) or self.metric.from_counts

    @cached_property
    def _sweep(self) -> Sweep | None:
        """The compiled evaluation of the lattice, when it applies (see :meth:`Evaluator.make_sweep`)
        and its figures score every node (:attr:`_sweep_scores`)."""
        return self.evaluator.make_sweep() if self._sweep_scores else None

    def _evaluate_nodes(self, nodes: np.ndarray, progress: Progress | None,
                        total: int | None) -> list[tuple[int, tuple[bool, float, int, int, int]]]:
        """Evaluate ``nodes`` (a sub-lattice: every node's lower neighbours inside it, or the
        base) by height: ``(node, (anonymous, loss, suppressed, kept classes, smallest kept
        class))`` for each."""
        lattice, frequency, evaluator = self.lattice, self.frequency, self.evaluator
        inside = np.zeros(lattice.size, dtype=bool)
        inside[nodes] = True
        results = []
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
            results.append((node, figures))
            if progress is not None and (done % 256 == 0 or done == len(order)):
                progress(done, total or len(order))
        return results

    def _swept_nodes(self, figures: SweepFigures) -> NodeTable:
        """Every transformation from the figures of a sweep of the lattice (:attr:`_sweep_scores`)."""
        metric = self.metric
        suppressed = figures.suppressed
        if isinstance(metric, Loss):
            loss = metric.losses_from_parts(self.lattice.levels, figures.parts, figures.use_kept, suppressed)
            loss = np.where(suppressed == 0, metric.bound, loss)  # the bound is exact there
        else:
            loss = np.array([metric.loss_from_counts(tuple(row), *counts) for row, counts in zip(
                self.lattice.levels.tolist(), zip(suppressed.tolist(), figures.kept.tolist(),
                                                  figures.classes.tolist(), figures.squares.tolist()))], dtype=float)
        return NodeTable(suppressed <= self.evaluator.max_suppressed, np.asarray(loss, dtype=float), suppressed,
                         figures.kept, figures.smallest)

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
        status = self.outcome.status
        if hasattr(status, "known"):  # (a best-effort search: what it checked, without an array)
            return [self.transformation(node) for node in status.known()]
        known = np.flatnonzero((status != 0) | ~np.isnan(self.outcome.loss))
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
        (:func:`~eucaim_wizard.release.anonymize_to_folder`) replaces them by pseudonyms.
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
            "search": {"lattice_size": self.lattice_size, "checked": self.checked, "seconds": round(self.seconds, 4),
                       **self.search_summary()},
            "metric": self.project.metric.name,
            "metric_label": self.metric_label,
            **applied,
            "privacy": self.privacy_report(node),
            "suppression_limit": self.project.suppression_limit,
            "records": self.n_records,
        }


def anonymize(project: Project, *, table: Table | None = None, progress: Progress | None = None,
              on_best: Callable[[float], None] | None = None) -> Result:
    """Search the optimal anonymous transformation of the project's table (or, past
    5,000,000 transformations or as the project's ``search:`` says, the best one a
    best-effort search finds within its limits: :mod:`eucaim_wizard.engine.heuristic`).

    Parameters
    ----------
    project
        The project (see :class:`~eucaim_wizard.project.Project`).
    table
        The table to use instead of the project's data file.
    progress
        Called with (evaluated transformations, lattice size) during the search; during a
        best-effort search, with (checks, step limit) or (milliseconds spent, allowed).
    on_best
        Called during a best-effort search with the loss of each better anonymous
        transformation found.

    Returns
    -------
    Result
        ``result.anonymous`` is False when no transformation satisfies the privacy models
        within the suppression limit.
    """
    if not project.privacy:
        raise ProjectError("the project has no privacy model; add one under `privacy:`, e.g. `- k-anonymity: {k: 10}`")
    table, frequency, lattice, metric, evaluator = build_pipeline(project, table)
    if project.search.resolve(lattice.size) == "best-first":
        from .engine.heuristic import Limits, best_first

        limits = Limits(project.search.time_limit, project.search.steps)
        outcome = best_first(lattice, metric.bound_of, evaluator, limits=limits, progress=progress, on_best=on_best)
        return Result(project, table, frequency, lattice, evaluator, outcome, metric)
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
        # (read only where the models let suppression propagate: Loss makes it on first use)
        suppressing_bound=metric.suppressing_bound if evaluator.suppression_propagates else None,
        suppression_propagates=evaluator.suppression_propagates,
        progress=progress,
    )
    return Result(project, table, frequency, lattice, evaluator, outcome, metric)


__all__ = ["Result", "Transformation", "anonymize", "NOT_ANONYMOUS"]
