"""Integer encoding of the quasi-identifiers (the engine's data model).

Each quasi-identifier is encoded once: ``codes`` holds, per record, the index of its value
among the hierarchy's distinct level-0 values; ``lookup[j]`` maps every level-0 code to the
code of its generalization at level ``j`` (``labels[j]`` gives the text).  Generalizing a
column to a level is then a single ``take``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import HierarchyError, ProjectError
from ..hierarchies.hierarchy import Hierarchy
from ..tables import Table

if TYPE_CHECKING:
    from ..project import Project


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int32, first-appearance order) and the distinct values of an object array."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values))
    return codes, np.array(list(index), dtype=object)


@dataclass
class EncodedAttribute:
    """One quasi-identifier, encoded.

    Attributes
    ----------
    name
        Column name.
    hierarchy
        The generalization hierarchy.
    codes
        int32 per record: the record's level-0 code.
    lookup
        ``lookup[j]`` (int32, one entry per level-0 code): the code at level ``j``.
    labels
        ``labels[j]``: the text of each code at level ``j``.
    min_level, max_level
        The levels the search may use.
    """

    name: str
    hierarchy: Hierarchy
    codes: np.ndarray
    lookup: list[np.ndarray]
    labels: list[np.ndarray]
    min_level: int
    max_level: int
    _up: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n_levels(self) -> int:
        return len(self.lookup)

    def domain_size(self, level: int) -> int:
        """Number of distinct labels at ``level`` (in the hierarchy, not only in the data)."""
        return len(self.labels[level])

    def up(self, source: int, target: int) -> np.ndarray:
        """Map codes at level ``source`` to codes at level ``target`` (``source <= target``).

        Well defined because a validated hierarchy is a tree: every label at one level has
        exactly one parent at each higher level.
        """
        key = (source, target)
        table = self._up.get(key)
        if table is None:
            if source == 0:
                table = self.lookup[target]
            else:
                first = np.full(self.domain_size(source), -1, dtype=np.int64)
                rows = np.arange(len(self.lookup[source]))[::-1]
                first[self.lookup[source][rows]] = rows  # any representative level-0 code
                table = self.lookup[target][first]
            self._up[key] = table
        return table


def encode_hierarchy(hierarchy: Hierarchy) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per level: lookup from level-0 code to level code, and the level's labels.

    Level-0 codes are the order of the hierarchy's distinct level-0 values.
    """
    return hierarchy.derived("encoding", lambda: _encode_hierarchy(hierarchy))


def _encode_hierarchy(hierarchy: Hierarchy) -> tuple[list[np.ndarray], list[np.ndarray]]:
    table = hierarchy.table
    _, first_rows = np.unique(factorize(table[:, 0])[0], return_index=True)
    first_rows.sort()  # distinct level-0 values in file order
    lookup, labels = [], []
    for level in range(table.shape[1]):
        codes, distinct = factorize(table[first_rows, level])
        codes.flags.writeable = False  # shared by every run on this hierarchy
        lookup.append(codes)
        labels.append(distinct)
    return lookup, labels



def encode_attribute(
    table: Table, name: str, hierarchy: Hierarchy, min_level: int, max_level: int
) -> EncodedAttribute:
    """Encode column ``name`` of ``table`` with ``hierarchy``.

    Raises
    ------
    HierarchyError
        When values of the column have no row in the hierarchy (ARX's most-asked error).
    """
    lookup, labels = encode_hierarchy(hierarchy)
    position = hierarchy.derived("positions", lambda: {value: code for code, value in enumerate(labels[0])})
    categories = table.categories(name)
    category_code = np.array([position.get(v, -1) for v in categories], dtype=np.int32)
    if (category_code < 0).any():
        counts = np.bincount(table.codes(name), minlength=len(categories))
        findings = hierarchy.check_values(list(categories), list(counts), column=name)
        errors = [f for f in findings if f.severity == "error"]
        message = errors[0].message if errors else f"column {name!r} has values missing from its hierarchy"
        raise HierarchyError(message, findings=errors)
    # (take: faster than indexing with the codes array)
    codes = np.take(category_code, table.codes(name)) if len(categories) else np.zeros(0, dtype=np.int32)
    return EncodedAttribute(name, hierarchy, codes.astype(np.int32, copy=False), lookup, labels, min_level, max_level)


@dataclass(frozen=True)
class SensitiveDomain:
    """What the models know of a sensitive attribute's values, beyond the classes.

    Attributes
    ----------
    name
        The attribute.
    labels
        The text of each value code.
    overall
        The share of each value in the whole table (all records, before any suppression).
    levels
        With a hierarchy: per level, the code of each value's generalization at that level
        (level 0 is the value itself); ``None`` without one.
    rank
        The position of each value in the attribute's order (numeric when every value is a
        number, else text order).
    """

    name: str
    labels: np.ndarray
    overall: np.ndarray
    levels: list[np.ndarray] | None
    rank: np.ndarray

    def tree_steps(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The hierarchy as hierarchical t-closeness walks it, level by level from the values
        up: the order that makes the children of each node adjacent, and where each node's
        children start in it (computed once per domain)."""
        steps = self.__dict__.get("_tree_steps")
        if steps is None:
            steps = []
            child = np.arange(len(self.overall))  # each value's node at the level below
            for level in (self.levels or [])[1:]:
                nodes, parent = np.unique(level, return_inverse=True)  # each value's node here
                child_parent = np.zeros(int(child.max()) + 1 if len(child) else 0, dtype=np.int64)
                child_parent[child] = parent
                order = np.argsort(child_parent, kind="stable")
                steps.append((order, np.searchsorted(child_parent[order], np.arange(len(nodes)))))
                child = parent
            self.__dict__["_tree_steps"] = steps  # a cache on a frozen value
        return steps


def sensitive_domain(project: Project, table: Table, name: str) -> tuple[np.ndarray, SensitiveDomain]:
    """The value code of every record for sensitive attribute ``name``, and its domain.

    Codes number the values that occur (so a value absent from the table is not part of the
    distribution); the order (ordered-distance t-closeness) is numeric when every value is a
    number, else text order, as ARX orders a string attribute.
    """
    if name not in table.columns:
        raise ProjectError(f"the sensitive attribute {name!r} of a privacy model is not a column of "
                           f"{project.data_path or 'the table'}; the table has: {', '.join(table.columns)}.")
    used, codes = np.unique(table.codes(name), return_inverse=True)
    labels = table.categories(name)[used]
    overall = np.bincount(codes, minlength=len(labels)) / max(table.n_rows, 1)
    return codes.astype(np.int64), domain_of(project, name, labels, overall)


def domain_of(project: Project, name: str, labels: np.ndarray, overall: np.ndarray) -> SensitiveDomain:
    """The :class:`SensitiveDomain` of sensitive attribute ``name`` with these values (codes
    0 … len − 1) and whole-table shares: its hierarchy's levels, when it has one, and the
    values' order (numeric when every value is a number, else text order, as ARX orders a
    string attribute; not the hierarchy's row order).

    Raises
    ------
    HierarchyError
        When the attribute's hierarchy lacks some of the values.
    """
    attribute = project.attributes.get(name)
    levels = None
    if attribute is not None and attribute.hierarchy is not None:
        lookup, level_labels = encode_hierarchy(project.load_hierarchy(name))
        position = {value: code for code, value in enumerate(level_labels[0])}
        where = np.array([position.get(v, -1) for v in labels], dtype=np.int64)
        missing = [str(v) for v, w in zip(labels, where) if w < 0]
        if missing:
            raise HierarchyError(
                f"the hierarchy of the sensitive attribute {name!r} lacks {len(missing)} of its values "
                f"(e.g. {', '.join(map(repr, missing[:5]))}); add a row for each value, or run "
                f"`eucaim-wizard validate` for the list.")
        levels = [np.asarray(table_, dtype=np.int64)[where] for table_ in lookup]
    try:
        order = np.argsort(np.array([float(v) for v in labels]), kind="stable")
    except ValueError:
        order = np.argsort(labels.astype(str), kind="stable")
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return SensitiveDomain(name, labels, overall, levels, rank)
