"""Explore the candidates: every transformation of the lattice with its loss and its risk.

The table view of ARX's lattice: for every vector of generalization levels, whether it is
anonymous, its information loss, the records it suppresses, its equivalence classes and the
re-identification risk of the records it keeps, filtered (as ARX colours the lattice by
compliance) and sorted; the Pareto front of risk against information loss among anonymous
candidates, as a table and as a chart; and :func:`choose`, which takes a candidate instead of
the optimum and refuses, with the reason, one that is not anonymous.

Risk follows the prosecutor model on the kept records (ARX's risk analysis, as in
El Emam & Dankar 2008): a record in a class of ``c`` records is re-identified with
probability ``1/c``; the highest risk is ``1/smallest class`` and the average risk is
``classes / kept records``.  A candidate that suppresses every record releases nothing: both
risks are 0.

References
----------
K. El Emam, F. K. Dankar, "Protecting privacy using k-anonymity", JAMIA 15(5):627–637, 2008.
F. Kohlmayer, F. Prasser, C. Eckert, A. Kemper, K. A. Kuhn, "Flash: efficient, stable and
optimal k-anonymity", PASSAT/SocialCom 2012 (the lattice and its predictive tagging).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import ProjectError, WizardError
from .explore_chart import pareto_chart, save_figure  # (re-exported: imported from here)

if TYPE_CHECKING:
    from .anonymizer import Result, Transformation

Progress = Callable[[int, int], None]
SortKey = Literal["loss", "risk", "suppressed"]
RiskKind = Literal["highest", "average"]
SORT_KEYS = ("loss", "risk", "suppressed")


class NotAnonymousError(WizardError):
    """A chosen transformation does not satisfy the privacy models within the limits."""


@dataclass(frozen=True)
class Candidate:
    """One transformation of the lattice, evaluated.

    ``search`` tells how the optimal search knew it: ``"checked"`` (evaluated),
    ``"inferred"`` (tagged by monotonicity) or ``"skipped"`` (never needed).
    """

    node: int
    levels: dict[str, int]
    anonymous: bool
    search: str
    information_loss: float
    suppressed_records: int
    equivalence_classes: int
    min_class_size: int
    highest_risk: float
    average_risk: float

    def risk(self, kind: RiskKind = "highest") -> float:
        return self.highest_risk if kind == "highest" else self.average_risk

    @property
    def levels_text(self) -> str:
        return ",".join(f"{name}={level}" for name, level in self.levels.items())

    def to_dict(self) -> dict[str, Any]:
        return {"levels": dict(self.levels), "anonymous": self.anonymous, "search": self.search,
                "information_loss": self.information_loss, "suppressed_records": self.suppressed_records,
                "equivalence_classes": self.equivalence_classes, "min_class_size": self.min_class_size,
                "highest_risk": self.highest_risk, "average_risk": self.average_risk}


def candidate(node: int, transformation: Transformation, records: int, search: str) -> Candidate:
    """A :class:`Candidate` from an evaluated transformation (risks from its class sizes)."""
    kept = records - int(transformation.suppressed_records or 0)
    classes = int(transformation.equivalence_classes or 0)
    smallest = int(transformation.min_class_size or 0)
    return Candidate(
        node=node, levels=dict(transformation.levels), anonymous=bool(transformation.anonymous), search=search,
        information_loss=float(transformation.information_loss), suppressed_records=records - kept,
        equivalence_classes=classes, min_class_size=smallest,
        highest_risk=1.0 / smallest if smallest > 0 else 0.0,
        average_risk=classes / kept if kept > 0 else 0.0,
    )


def _search_status(result: Result) -> Callable[[int], str]:
    evaluations, status = result.outcome.evaluations, result.outcome.status

    def of(node: int) -> str:
        if node in evaluations:
            return "checked"
        return "inferred" if status[node] != 0 else "skipped"

    return of


def all_candidates(result: Result, progress: Progress | None = None) -> list[Candidate]:
    """Every transformation of the lattice, evaluated, in lattice order (the figures of
    :meth:`~eucaim_wizard.anonymizer.Result.evaluate_table`, risks as :func:`candidate`'s)."""
    import numpy as np

    table = result.evaluate_table(progress=progress)
    lattice, qis = result.lattice, result.quasi_identifiers
    kept = result.n_records - table.suppressed_records
    smallest, classes = table.min_class_size, table.equivalence_classes
    with np.errstate(divide="ignore", invalid="ignore"):
        highest = np.where(smallest > 0, 1.0 / np.maximum(smallest, 1), 0.0)
        average = np.where(kept > 0, classes / np.maximum(kept, 1), 0.0)
    search = np.full(lattice.size, "skipped", dtype=object)
    search[np.asarray(result.outcome.status) != 0] = "inferred"
    search[list(result.outcome.evaluations)] = "checked"
    columns = zip(table.anonymous.tolist(), search.tolist(), table.information_loss.tolist(),
                  table.suppressed_records.tolist(), classes.tolist(), smallest.tolist(), highest.tolist(),
                  average.tolist())
    # tens of thousands of new objects, none of them garbage: a full collection of the heap
    # in the middle (it happens) doubles the time of building them
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [Candidate(node, dict(zip(qis, row)), *figures)
                for node, (row, figures) in enumerate(zip(lattice.levels.tolist(), columns))]
    finally:
        if collecting:
            gc.enable()


#: transformations the default listing evaluates around the optimum (besides those the search checked)
NEIGHBOURHOOD = 500


def neighbourhood(result: Result, limit: int = NEIGHBOURHOOD, fixed: Mapping[str, int] | None = None) -> list[int]:
    """The ``limit`` transformations nearest the optimum (the bottom of the lattice when none
    is anonymous): breadth first over one-level steps up and down, in id order at each
    distance, so the same project always lists the same nodes.  With ``fixed`` levels, only
    transformations that have them, from the optimum with those levels put in."""
    lattice = result.lattice
    start = result.outcome.optimum if result.outcome.optimum is not None else 0
    keep = None
    if fixed:
        _check_partial_levels(result, fixed)
        row = list(lattice.levels_of(start))
        index = {q: i for i, q in enumerate(result.quasi_identifiers)}
        for name, level in fixed.items():
            row[index[name]] = level
        start = lattice.node(row)
        keep = {index[name]: level for name, level in fixed.items()}

    def steps(node: int) -> list[int]:
        near = lattice.predecessors(node) + lattice.successors(node)
        if keep is None:
            return near
        return [m for m in near if all(lattice.row(m)[i] == level for i, level in keep.items())]

    seen, ring, order = {start}, [start], [start]
    while ring and len(order) < limit:
        following = sorted({m for node in ring for m in steps(node)} - seen)
        following = following[:limit - len(order)]
        seen.update(following)
        order.extend(following)
        ring = following
    return order


def listed_candidates(result: Result, *, everything: bool = False, limit: int = NEIGHBOURHOOD,
                      progress: Progress | None = None, levels: Mapping[str, int] | None = None) -> list[Candidate]:
    """The candidates a listing shows, in lattice order: by default the transformations the
    search checked (their figures are known) and the optimum's ``limit`` nearest
    (:func:`neighbourhood`, evaluated now; with ``levels``, the nearest that have them) —
    bounded whatever the lattice's size; with ``everything``, every transformation of the
    lattice (:func:`all_candidates`, compiled where the models and metric allow)."""
    if everything:
        return all_candidates(result, progress)
    status = _search_status(result)
    evaluations = result.outcome.evaluations
    known = {node for node, e in evaluations.items() if e.suppressed is not None}
    todo = [node for node in neighbourhood(result, limit, levels) if node not in known]
    nodes = sorted(known | set(todo))
    listed = {}
    for done, node in enumerate(todo, start=1):
        listed[node] = candidate(node, result.evaluate(node), result.n_records, status(node))
        if progress is not None:
            progress(done, len(todo))
    return [listed.get(node) or candidate(node, result.transformation(node), result.n_records, status(node))
            for node in nodes]


def pick(candidates: Iterable[Candidate], number: int, sort: SortKey = "loss") -> Candidate:
    """The ``number``-th (from 1) anonymous candidate in ``sort`` order: the row ``explore``
    numbers so in its listing (its ``#`` column).

    Raises
    ------
    ProjectError
        When there are fewer anonymous candidates (the message says how many there are).
    """
    ranked = select(candidates, anonymous_only=True, sort=sort)
    if not 1 <= number <= len(ranked):
        raise ProjectError(f"--pick {number} is not a row of the listing: it numbers {len(ranked):,} anonymous "
                           f"candidate(s) sorted by {sort}, from 1; see `eucaim-wizard explore PROJECT --sort {sort}`")
    return ranked[number - 1]


@dataclass(frozen=True)
class Choice:
    """A candidate released instead of the optimum: by its ``levels`` (a mapping, or the text
    of ``--levels``: ``name=level`` pairs or one level per quasi-identifier in the listing's
    order), or by its number ``pick`` in the listing ``explore`` shows with the same
    ``sort``, ``everything`` (``--all``) and ``around`` (see :func:`listed_candidates`).

    >>> Choice(levels="age=2,sex=0").describe()
    'the chosen levels age=2,sex=0'
    >>> Choice(pick=3, sort="risk").describe()
    'row 3 of the listing sorted by risk'
    """

    levels: Mapping[str, int] | str | None = None
    pick: int | None = None
    sort: SortKey = "loss"
    everything: bool = False
    around: int = NEIGHBOURHOOD

    def __post_init__(self) -> None:
        if self.levels is not None and self.pick is not None:
            raise ProjectError("give either levels or pick (a row of the listing), not both")
        if self.pick is not None and self.pick < 1:
            raise ProjectError(f"pick {self.pick}: the listing numbers its anonymous candidates from 1")
        if self.sort not in SORT_KEYS:
            raise ProjectError(f"unknown sort key {self.sort!r}; use one of {', '.join(SORT_KEYS)}")

    @property
    def given(self) -> bool:
        return self.levels is not None or self.pick is not None

    def describe(self) -> str:
        if self.pick is not None:
            return f"row {self.pick} of the {'full ' if self.everything else ''}listing sorted by {self.sort}"
        if isinstance(self.levels, str):
            return f"the chosen levels {self.levels}"
        return "the chosen levels " + ",".join(f"{q}={v}" for q, v in (self.levels or {}).items())

    def resolve(self, result: Result, candidates: Sequence[Candidate] | None = None) -> dict[str, int] | None:
        """The levels of the chosen candidate (None: none was chosen, release the optimum);
        ``candidates`` saves listing them again."""
        if self.pick is not None:
            listed = candidates if candidates is not None else listed_candidates(
                result, everything=self.everything, limit=self.around)
            return dict(pick(listed, self.pick, self.sort).levels)
        if self.levels is None:
            return None
        if isinstance(self.levels, str):
            return parse_levels(self.levels, result.quasi_identifiers)
        return {str(q): int(v) for q, v in self.levels.items()}


def parse_levels(text: str, quasi_identifiers: Sequence[str] | None = None) -> dict[str, int]:
    """``"age=3,sex=0"`` → ``{"age": 3, "sex": 0}``; with the project's ``quasi_identifiers``,
    also the positional form the listings show, one level per quasi-identifier in their order
    (``"3,0"`` → ``{"age": 3, "sex": 0}``).

    Raises
    ------
    ProjectError
        For an entry that is not ``name=level`` with a whole number, a name given twice, or a
        positional list of the wrong length (or without the quasi-identifiers to read it by).

    >>> parse_levels("age=3, sex=0")
    {'age': 3, 'sex': 0}
    >>> parse_levels("3,0", ["age", "sex"])
    {'age': 3, 'sex': 0}
    """
    if "=" not in text and text.strip():
        return _positional_levels(text, quasi_identifiers)
    levels: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"(.+?)\s*=\s*(\d+)", part)
        if not match:
            raise ProjectError(f"cannot read {part!r} in --levels {text!r}: write one name=level per "
                               f"quasi-identifier, separated by commas, e.g. --levels age=3,sex=0")
        name, level = match.group(1).strip(), int(match.group(2))
        if name in levels:
            raise ProjectError(f"{name!r} is given twice in --levels {text!r}; give each quasi-identifier once")
        levels[name] = level
    if not levels:
        raise ProjectError("--levels is empty; give name=level pairs, e.g. --levels age=3,sex=0")
    return levels


def _positional_levels(text: str, quasi_identifiers: Sequence[str] | None) -> dict[str, int]:
    """One level per quasi-identifier, in the project's order (the form the listings print)."""
    parts = [p.strip() for p in text.split(",")]
    if quasi_identifiers is None:
        raise ProjectError(f"cannot read --levels {text!r} without names here; write name=level pairs, "
                           f"e.g. --levels age=3,sex=0")
    qis = list(quasi_identifiers)
    bad = [p for p in parts if not p.isdigit()]
    if bad or len(parts) != len(qis):
        what = f"cannot read {bad[0]!r}" if bad else f"{len(parts)} levels for {len(qis)} quasi-identifiers"
        raise ProjectError(f"{what} in --levels {text!r}: give one whole-number level per quasi-identifier in "
                           f"the order {', '.join(qis)} (as `explore` lists them), or name=level pairs, e.g. "
                           f"--levels {','.join(f'{q}=0' for q in qis[:2])}")
    return {q: int(p) for q, p in zip(qis, parts)}


def _check_partial_levels(result: Result, levels: Mapping[str, int]) -> None:
    qis = result.quasi_identifiers
    unknown = [name for name in levels if name not in qis]
    if unknown:
        raise ProjectError(f"{', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not "
                           f"quasi-identifier(s) of the project; the quasi-identifiers are: {', '.join(qis)}")
    for name, level in levels.items():
        i = qis.index(name)
        low, high = int(result.lattice.low[i]), int(result.lattice.high[i])
        if not low <= level <= high:
            raise ProjectError(f"level {level} of {name!r} is outside its allowed range {low}–{high} "
                               f"(min_level/max_level of the project and the height of its hierarchy)")


def select(candidates: Iterable[Candidate], *, anonymous_only: bool = False, max_loss: float | None = None,
           max_risk: float | None = None, risk: RiskKind = "highest", levels: Mapping[str, int] | None = None,
           sort: SortKey = "loss", top: int | None = None) -> list[Candidate]:
    """Filter and sort candidates.

    Parameters
    ----------
    anonymous_only
        Keep anonymous candidates only.
    max_loss, max_risk
        Keep candidates whose information loss / risk (``risk``: highest or average) is at
        most this.
    levels
        Keep candidates with these levels (a subset of the quasi-identifiers).
    sort
        ``"loss"`` (then fewer suppressed records), ``"risk"`` (highest, then average risk,
        then loss) or ``"suppressed"`` (then loss); remaining ties by lower levels.
    top
        Keep the first ``top`` after sorting.
    """
    if sort not in SORT_KEYS:
        raise ProjectError(f"unknown sort key {sort!r}; use one of {', '.join(SORT_KEYS)}")
    chosen = [
        c for c in candidates
        if (not anonymous_only or c.anonymous)
        and (max_loss is None or c.information_loss <= max_loss)
        and (max_risk is None or c.risk(risk) <= max_risk)
        and (levels is None or all(c.levels.get(name) == level for name, level in levels.items()))
    ]
    keys = {
        "loss": lambda c: (c.information_loss, c.suppressed_records, sum(c.levels.values()), c.node),
        "risk": lambda c: (c.highest_risk, c.average_risk, c.information_loss, sum(c.levels.values()), c.node),
        "suppressed": lambda c: (c.suppressed_records, c.information_loss, sum(c.levels.values()), c.node),
    }
    chosen.sort(key=keys[sort])
    return chosen if top is None else chosen[:max(top, 0)]


def pareto_front(candidates: Iterable[Candidate], risk: RiskKind = "highest") -> list[Candidate]:
    """Anonymous candidates that no other anonymous candidate beats in both risk and loss.

    A candidate is on the front when every candidate with at most its risk has more loss, or
    the same loss and more risk.  Returned by increasing risk (so decreasing loss).
    """
    anonymous = sorted((c for c in candidates if c.anonymous),
                       key=lambda c: (c.risk(risk), c.information_loss, sum(c.levels.values()), c.node))
    front: list[Candidate] = []
    for c in anonymous:  # by risk, then loss: each new front member must lose less
        if not front or c.information_loss < front[-1].information_loss:
            front.append(c)
    return front


@dataclass(frozen=True)
class Exploration:
    """The selected candidates (sorted, at most ``top``), how many matched, and the Pareto front
    of the matching anonymous candidates."""

    quasi_identifiers: list[str]
    lattice_size: int
    records: int
    matched: int
    candidates: list[Candidate]
    pareto: list[Candidate]
    risk: RiskKind
    filters: dict[str, Any] = field(default_factory=dict)
    optimum: dict[str, int] | None = None
    #: node → its number for ``--pick`` (rank among the listing's anonymous candidates in the sort order)
    picks: dict[int, int] = field(default_factory=dict)
    #: transformations listed (before the filters)
    listed: int = 0

    def pick_of(self, c: Candidate) -> int | None:
        return self.picks.get(c.node)

    def to_dict(self) -> dict[str, Any]:
        return {"quasi_identifiers": list(self.quasi_identifiers), "lattice_size": self.lattice_size,
                "listed": self.listed, "records": self.records, "filters": dict(self.filters),
                "matched": self.matched, "optimum": self.optimum,
                "candidates": [{"pick": self.pick_of(c), **c.to_dict()} for c in self.candidates],
                "pareto_risk": self.risk, "pareto_front": [{"pick": self.pick_of(c), **c.to_dict()}
                                                           for c in self.pareto]}


def explore(result: Result, *, anonymous_only: bool = False, max_loss: float | None = None,
            max_risk: float | None = None, levels: Mapping[str, int] | None = None, sort: SortKey = "loss",
            top: int | None = None, risk: RiskKind = "highest", progress: Progress | None = None,
            candidates: Sequence[Candidate] | None = None) -> Exploration:
    """Every transformation of ``result``'s lattice, filtered and sorted (see :func:`select`),
    with the Pareto front of risk (``risk``) against information loss.

    ``candidates`` (from :func:`all_candidates`) saves evaluating the lattice again when
    exploring the same result several times.

    Examples
    --------
    >>> exploration = explore(result, anonymous_only=True, top=10)      # doctest: +SKIP
    >>> [c.levels_text for c in exploration.pareto]                      # doctest: +SKIP
    """
    if levels:
        _check_partial_levels(result, levels)
    if risk not in ("highest", "average"):
        raise ProjectError(f"unknown risk {risk!r}; use highest or average")
    everything = list(candidates) if candidates is not None else all_candidates(result, progress)
    matching = select(everything, anonymous_only=anonymous_only, max_loss=max_loss, max_risk=max_risk,
                      risk=risk, levels=levels, sort=sort)
    filters = {"anonymous_only": anonymous_only, "max_loss": max_loss, "max_risk": max_risk,
               "levels": dict(levels) if levels else None, "sort": sort, "top": top}
    optimum = result.optimum
    picks = {c.node: number for number, c in enumerate(select(everything, anonymous_only=True, sort=sort), start=1)}
    return Exploration(list(result.quasi_identifiers), result.lattice_size, result.n_records, len(matching),
                       matching if top is None else matching[:max(top, 0)], pareto_front(matching, risk),
                       risk, filters, None if optimum is None else dict(optimum.levels), picks, len(everything))


def choose(result: Result, levels: Mapping[str, int]) -> Transformation:
    """The transformation with ``levels`` (one per quasi-identifier), refused if not anonymous.

    Raises
    ------
    ProjectError
        If a quasi-identifier has no level or a level is outside its allowed range.
    NotAnonymousError
        If the transformation does not satisfy the privacy models within the suppression
        limit; the message says by how much, and what is anonymous instead.
    """
    node = result.node_of(dict(levels))
    transformation = result.evaluate(node)
    if transformation.anonymous:
        return transformation
    raise NotAnonymousError(_not_anonymous_reason(result, node, transformation))


def _not_anonymous_reason(result: Result, node: int, transformation: Transformation) -> str:
    project = result.project
    n = result.n_records
    limit = result.evaluator.max_suppressed
    text = ", ".join(f"{q}={level}" for q, level in transformation.levels.items())
    models = ", ".join(map(str, project.privacy))
    suppressed = int(transformation.suppressed_records or 0)
    if suppressed > limit:
        why = (f"{suppressed:,} of {n:,} records ({suppressed / n:.1%}) are in classes that fail {models}, "
               f"but at most {limit:,} may be suppressed (suppression_limit {project.suppression_limit})")
    else:
        failing = [str(m) for m in project.privacy if not m.per_class]
        why = (f"the kept records do not satisfy {', '.join(failing) or models} as a whole "
               f"({suppressed:,} records suppressed)")
    optimum = result.optimum
    instead = ("" if optimum is None else
               " The optimum is " + ", ".join(f"{q}={level}" for q, level in optimum.levels.items()) + ";")
    return (f"the transformation {text} is not anonymous: {why}.{instead} generalize more, or list the "
            f"anonymous candidates with `eucaim-wizard explore PROJECT --anonymous-only`.")


__all__ = ["NEIGHBOURHOOD", "Candidate", "Choice", "Exploration", "NotAnonymousError", "SORT_KEYS", "all_candidates",
           "candidate", "choose", "explore", "listed_candidates", "neighbourhood", "pareto_chart", "pareto_front",
           "parse_levels", "pick", "save_figure", "select"]
