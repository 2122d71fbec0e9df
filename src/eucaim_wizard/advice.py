"""What to do next: advice drawn from the figures, for ``risk``, ``explore`` and ``run``.

Two kinds, each a plain sentence with the change to make:

- **the attributes that drive the risk**: a quasi-identifier that alone tells records apart
  (α-distinction, the distinct values per record, of at least :data:`DRIVER_DISTINCTION`; its
  α-separation, the share of record pairs it separates, is quoted), with the lowest level of
  its hierarchy at which it has at most one value per ``k`` records (so that, on its own, it
  no longer stands in the way of k-anonymity);
- **the quasi-identifiers a transformation empties**: generalized to a single value (ARX's
  ``*``), they carry no information in the output.

α-distinction and α-separation: R. Motwani, Y. Xu, "Efficient algorithms for masking and
finding quasi-identifiers", VLDB SDB workshop 2007 (ARX's attribute risk).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .anonymizer import Result
    from .project import Project
    from .risk import RiskAnalysis
    from .tables import Table

#: a quasi-identifier with at least this many distinct values per record drives the risk
DRIVER_DISTINCTION = 0.1


@dataclass(frozen=True)
class Advice:
    """One piece of advice: its kind (``driver``, ``no-information``), the attributes it is
    about, and the sentence."""

    kind: str
    attributes: tuple[str, ...]
    text: str
    #: the level advised (a risk driver's), when there is one
    level: int | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "attributes": list(self.attributes), "text": self.text, "level": self.level}


def _k(project: Project | None) -> int:
    """The project's largest minimal class size (k of k-anonymity and the like; 2 without)."""
    sizes = [m.min_class_size for m in project.privacy] if project is not None else []
    return max([s for s in sizes if s] or [2])


def _level_for(project: Project | None, table: Table | None, name: str, k: int) -> int | None:
    """The lowest level of ``name``'s hierarchy with at most one value per ``k`` records of
    ``table`` (None: no hierarchy, or no level does it)."""
    if project is None or table is None or name not in project.quasi_identifiers or name not in table.columns:
        return None
    from .errors import WizardError

    try:
        hierarchy = project.load_hierarchy(name)
    except WizardError:
        return None
    values = [str(v) for v in table.categories(name)]
    counts = np.bincount(table.codes(name), minlength=len(values))
    present = {v for v, c in zip(values, counts) if c > 0}
    rows = [i for i, v in enumerate(hierarchy.level(0).tolist()) if str(v) in present]
    if not rows:  # (the values are not the hierarchy's: e.g. an output already generalized)
        return None
    records = int(counts.sum())
    for level in range(1, hierarchy.n_levels):
        labels = {str(label) for label in hierarchy.level(level)[rows].tolist()}
        if len(labels) * k <= records:
            return level
    return None


def risk_drivers(analysis: RiskAnalysis, project: Project | None = None, table: Table | None = None, *,
                 limit: int = 3) -> list[Advice]:
    """The quasi-identifiers that alone tell records apart (see the module docstring), the
    strongest first, each with the level to generalize it to (when the project gives its
    hierarchy and ``table`` its values) or the advice to drop it."""
    k = _k(project)
    single = [a for a in analysis.attributes or () if len(a.qis) == 1 and a.distinction >= DRIVER_DISTINCTION]
    single.sort(key=lambda a: (-a.distinction, -a.separation, a.qis))
    advice = []
    for a in single[:limit]:
        name = a.qis[0]
        level = _level_for(project, table, name, k)
        change = (f"generalize it to level {level} or higher (at most one value per {k} records there), or drop it"
                  if level is not None else "generalize it (a coarser hierarchy) or drop it")
        advice.append(Advice("driver", (name,), (
            f"{name} alone separates {100 * a.separation:.0f} % of record pairs, with {a.classes:,} distinct values "
            f"({100 * a.distinction:.0f} % of the records): {change}."), level))
    return advice


def emptied(result: Result, levels: Mapping[str, int]) -> list[Advice]:
    """One piece of advice when ``levels`` generalize quasi-identifiers to a single value."""
    names = [a.name for a in result.frequency.attributes if a.domain_size(int(levels[a.name])) <= 1]
    if not names:
        return []
    total = len(result.quasi_identifiers)
    them = "it" if len(names) == 1 else "them"
    return [Advice("no-information", tuple(names), (
        f"{len(names)} of {total} quasi-identifiers carry no information in the output "
        f"({', '.join(names)}: a single value, '*'). If an attacker cannot know {them}, give {them} another role "
        f"(insensitive keeps {them} as {'it is' if len(names) == 1 else 'they are'}); otherwise allow more "
        f"suppression, a smaller k or a finer hierarchy to keep part of {them}."))]


def next_steps(*, analysis: RiskAnalysis | None = None, project: Project | None = None, table: Table | None = None,
               result: Result | None = None, levels: Mapping[str, int] | None = None) -> list[Advice]:
    """Everything to advise: the risk drivers of ``analysis`` (those the released levels do
    not generalize enough already) and the emptied quasi-identifiers of ``levels`` (default:
    the optimum) in ``result``."""
    chosen = None
    if result is not None:
        chosen = levels if levels is not None else (result.optimum.levels if result.optimum is not None else None)
    advice: list[Advice] = []
    if analysis is not None:
        for item in risk_drivers(analysis, project, table):
            name = item.attributes[0]
            if chosen is not None and name in chosen and (item.level is None or chosen[name] >= item.level):
                continue  # the transformation generalizes it enough (or to '*')
            advice.append(item)
    if result is not None and chosen is not None:
        advice += emptied(result, chosen)
    return advice


def sentences(advice: Sequence[Advice]) -> list[str]:
    return [a.text for a in advice]


__all__ = ["Advice", "DRIVER_DISTINCTION", "emptied", "next_steps", "risk_drivers", "sentences"]
