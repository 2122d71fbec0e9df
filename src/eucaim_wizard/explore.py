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

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ProjectError, WizardError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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
    """Every transformation of the lattice, evaluated, in lattice order."""
    status = _search_status(result)
    return [candidate(node, t, result.n_records, status(node))
            for node, t in enumerate(result.evaluate_all(progress=progress))]


def parse_levels(text: str) -> dict[str, int]:
    """``"age=3,sex=0"`` → ``{"age": 3, "sex": 0}``.

    Raises
    ------
    ProjectError
        For an entry that is not ``name=level`` with a whole number, or a name given twice.
    """
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

    def to_dict(self) -> dict[str, Any]:
        return {"quasi_identifiers": list(self.quasi_identifiers), "lattice_size": self.lattice_size,
                "records": self.records, "filters": dict(self.filters), "matched": self.matched,
                "optimum": self.optimum, "candidates": [c.to_dict() for c in self.candidates],
                "pareto_risk": self.risk, "pareto_front": [c.to_dict() for c in self.pareto]}


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
    return Exploration(list(result.quasi_identifiers), result.lattice_size, result.n_records, len(matching),
                       matching if top is None else matching[:max(top, 0)], pareto_front(matching, risk),
                       risk, filters, None if optimum is None else dict(optimum.levels))


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


# -- the chart ---------------------------------------------------------------------------
def pareto_chart(exploration: Exploration, *, everything: Sequence[Candidate] | None = None,
                 title: str | None = None) -> Figure:
    """A chart of risk against information loss: the anonymous candidates and their Pareto front.

    Built on a :class:`matplotlib.figure.Figure` (no pyplot, no global state), so that a
    report can draw it into its own page; :func:`save_figure` writes it as PNG or SVG.

    Parameters
    ----------
    exploration
        Gives the front, the risk kind and the optimum.
    everything
        The candidates drawn as points (default: the exploration's selected candidates).
    """
    from matplotlib.figure import Figure

    points = [c for c in (everything if everything is not None else exploration.candidates) if c.anonymous]
    figure = Figure(figsize=(7.0, 4.5), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    kind = exploration.risk
    if points:
        axes.scatter([c.information_loss for c in points], [c.risk(kind) for c in points], s=10,
                     color="#b8c4d6", label=f"anonymous candidates ({len(points):,})", zorder=1)
    front = exploration.pareto
    if front:
        # the least risk reachable with at most a given loss: a staircase, drawn by rising loss
        line = sorted(front, key=lambda c: c.information_loss)
        axes.step([c.information_loss for c in line], [c.risk(kind) for c in line], where="post",
                  color="#1f4e8c", linewidth=1.2, zorder=2)
        axes.scatter([c.information_loss for c in front], [c.risk(kind) for c in front], s=28,
                     color="#1f4e8c", label=f"Pareto front ({len(front)})", zorder=3)
    optimum = [c for c in front + points if exploration.optimum is not None and c.levels == exploration.optimum]
    if optimum:
        axes.scatter([optimum[0].information_loss], [optimum[0].risk(kind)], s=90, facecolors="none",
                     edgecolors="#c0392b", linewidths=1.5, label="optimum (least loss)", zorder=4)
    axes.set_xlabel("information loss")
    axes.set_ylabel(f"{kind} re-identification risk (prosecutor)")
    axes.set_title(title or "Risk against information loss")
    axes.grid(True, linewidth=0.3, alpha=0.6)
    if points or front:
        axes.legend(loc="upper right", fontsize="small", frameon=False)
    return figure


def save_figure(figure: Figure, path: str | Path, *, protect: Iterable[str | Path | None] = ()) -> Path:
    """Write ``figure`` atomically as PNG or SVG (by the suffix of ``path``), never over an input."""
    from .tables.output import atomic_output

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise ProjectError(f"cannot write a chart to {path}: use a .png or .svg file name")
    metadata = {"Date": None} if kind == "svg" else {"Software": "eucaim-wizard"}
    with atomic_output(path, inputs=protect) as out:
        figure.savefig(out, format=kind, metadata=metadata)
    return path


__all__ = ["Candidate", "Exploration", "NotAnonymousError", "SORT_KEYS", "all_candidates", "candidate",
           "choose", "explore", "pareto_chart", "pareto_front", "parse_levels", "save_figure", "select"]
