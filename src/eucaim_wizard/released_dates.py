"""The EUCAIM day-of-month check on what a project *releases* of its date quasi-identifiers.

The guard (:mod:`.guard`) exempts quasi-identifiers from the check on the input, because they
are generalized; here the check is made on the level released instead: ``anonymize`` stops when
a date is released with its day (``20230515`` at level 0 of ``preset:date``), ``validate``
warns when the allowed levels begin with one that keeps the day, and ``init`` starts such a
date above them.  Apart from :mod:`.guard` because it reads hierarchies and levels, which the
checks of a table as it is never need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Finding, WizardError
from .guard import _DAY_KEPT, _Column

if TYPE_CHECKING:
    from .project import Project
    from .tables import Table


def first_level_without_day(hierarchy, level: int) -> int | None:
    """The lowest level above ``level`` whose labels hold no date with a day other than 01
    (the month, the year...), or None when every level keeps some day."""
    for higher in range(level + 1, hierarchy.n_levels):
        if not any(_DAY_KEPT.match(str(label)) for label in hierarchy.level(higher).tolist()):
            return higher
    return None


def released_day_findings(released: Table, project: Project, levels: dict[str, int],
                          profile: str | None = "eucaim") -> list[Finding]:
    """The EUCAIM day-of-month check on what is *released* of the date quasi-identifiers:
    exempt from :func:`table_signs` because they are generalized, they are flagged when the
    chosen level still keeps the day (``20230515`` at level 0 of ``preset:date``), with the
    level to use instead; a date released as a month or coarser is not."""
    if profile != "eucaim":
        return []
    findings = []
    for name in project.quasi_identifiers:
        if name not in released.columns or name not in levels:
            continue
        column = _Column(released, name)
        kept = column.day_not_01()
        if column.filled == 0 or not kept.any():
            continue
        fix = first_level_without_day(project.load_hierarchy(name), int(levels[name]))
        advice = (f"set `min_level: {fix}` for it (the first level of its hierarchy without the day)" if fix is not None
                  else "give it a hierarchy with a month or year level")
        findings += column.finding(kept, "error", "day-not-01",
                                   f"is released at level {levels[name]}, which keeps the day of the date "
                                   f"(the EUCAIM profile keeps year and month); {advice}")
    return findings


def day_level_findings(project: Project) -> list[Finding]:
    """A warning for each date quasi-identifier whose allowed levels begin with one that keeps
    the day: ``anonymize`` refuses to release such a level (:func:`released_day_findings`)."""
    findings = []
    for name in project.quasi_identifiers:
        try:
            hierarchy = project.load_hierarchy(name)
            low, high = project.level_range(name, hierarchy)
        except WizardError:
            continue  # (validation reports a hierarchy that cannot be read, or levels outside it)
        if not any(_DAY_KEPT.match(str(label)) for label in hierarchy.level(low).tolist()):
            continue
        fix = first_level_without_day(hierarchy, low)
        if fix is None or fix > high:
            continue
        findings.append(Finding(
            "warning", "day-level", f"{name} may be released at level {low}, which keeps the day of the date: "
            f"anonymize then stops (the EUCAIM profile keeps year and month); set `min_level: {fix}` for it",
            where=name))
    return findings


__all__ = ["day_level_findings", "first_level_without_day", "released_day_findings"]
