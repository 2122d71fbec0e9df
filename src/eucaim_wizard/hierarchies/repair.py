"""Repair a hierarchy into a valid ARX one: one row per value, a tree, one root.

What :meth:`~.hierarchy.Hierarchy.findings` reports, fixed the way that keeps every group the
file meant (``eucaim-wizard hierarchies repair FILE -o OUT``):

- **duplicate rows** (identical): the copies are dropped;
- **conflicting rows** (one value with different generalizations): the first row is kept, the
  others dropped (each named in the changes, to check);
- **not a tree** (a label at level *j* under two different labels at *j* + 1): the label is
  made distinct per parent, ``label (parent)``, so that each group stays whole and the
  hierarchy is a tree, as ARX requires;
- **several roots**: a top level ``*`` is added, so that full generalization is one group;
- **empty labels** above level 0: the label of the level below is repeated (no group is
  published as ``''``).

Each change is returned as a sentence; ``convert`` (the same command without the fixes) only
rewrites a readable hierarchy in ARX's form (``;``-separated, no header, UTF-8).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .hierarchy import Hierarchy


def repair(hierarchy: Hierarchy) -> tuple[Hierarchy, list[str]]:
    """A valid copy of ``hierarchy`` and the changes made (empty when it was valid).

    >>> h = Hierarchy([["a", "x", "*"], ["b", "x", "+"], ["c", "x", "*"], ["a", "y", "*"]], name="q")
    >>> fixed, changes = repair(h)
    >>> fixed.level(1).tolist(), fixed.level(-1).tolist()
    (['x (*)', 'x (+)', 'x (*)'], ['*', '*', '*'])
    >>> len(changes)
    3
    """
    rows = [tuple(row) for row in hierarchy.table.tolist()]
    changes: list[str] = []
    repeated = sum(n - 1 for n in Counter(rows).values() if n > 1)
    rows = list(dict.fromkeys(rows))
    if repeated:
        changes.append(f"dropped {repeated} repeated identical row(s)")
    kept: dict[str, tuple[str, ...]] = {}
    dropped = []
    for row in rows:
        if row[0] in kept:
            dropped.append(row[0])
        else:
            kept[row[0]] = row
    if dropped:
        changes.append(f"kept the first row of {len(dropped)} value(s) that had rows with different "
                       f"generalizations ({', '.join(map(repr, dropped[:5]))}{', …' if len(dropped) > 5 else ''})")
    table = [list(row) for row in kept.values()]
    n_levels = len(table[0]) if table else 0
    filled = 0
    for row in table:
        for j in range(1, n_levels):
            if not row[j].strip():
                row[j], filled = row[j - 1], filled + 1
    if filled:
        changes.append(f"filled {filled} empty label(s) with the label of the level below")
    for j in range(n_levels - 2, 0, -1):  # from the top down: a parent is final before its children
        parents: dict[str, set[str]] = {}
        for row in table:
            parents.setdefault(row[j], set()).add(row[j + 1])
        split = {label for label, above in parents.items() if len(above) > 1}
        if split:
            for row in table:
                if row[j] in split:
                    row[j] = f"{row[j]} ({row[j + 1]})"
            changes.append(f"level {j}: {len(split)} label(s) under more than one label of level {j + 1} made "
                           f"distinct per parent, e.g. '{sorted(split)[0]}' → '{sorted(split)[0]} (…)', so that "
                           f"the hierarchy is a tree")
    if n_levels > 1 and len({row[-1] for row in table}) > 1:
        for row in table:
            row.append("*")
        changes.append(f"added a top level {n_levels} with the single root '*' (the old top had "
                       f"{len({row[-2] for row in table})} values)")
    return Hierarchy(np.array(table, dtype=object).astype(str).tolist(), name=hierarchy.name), changes


__all__ = ["repair"]
