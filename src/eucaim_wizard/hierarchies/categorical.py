"""Values by their text: :func:`masking` (redaction, as ARX), :func:`ordered` (adjacent values of
an ordinal scale) and :func:`mapping` (explicit tables)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..errors import HierarchyError
from ._built import MISSING, UNKNOWN, BuildResult, _assemble, _distinct, _is_missing
from .numeric import _listed


# --- masking, order, mapping --------------------------------------------------------------------
def masking(values: Iterable[str], *, steps: Sequence[int] | None = None, direction: str = "right",
            mask: str = "*", pad: str | None = None, root: str = "*", name: str | None = None,
            source: str = "builder:masking") -> BuildResult:
    """Mask more and more characters: ``20230514 → 2023051* → …`` (ARX's redaction builder [2]_).

    Parameters
    ----------
    steps
        Number of characters masked at each level, increasing (``[2, 4]`` gives ``202305**``,
        ``2023****``); default one more character per level until all but one are masked.
    direction
        ``"right"`` masks from the end (``3793*``), ``"left"`` from the start (``*7933``).
    mask
        The masking character.
    pad
        If given, shorter values are first padded to the longest with this character, on the
        side opposite to the masking (``"0"`` turns ``7933`` into ``07933``), so that all values
        mask alike.

    A one-character value masked whole below the top is written ``**``: ``*`` alone marks a
    suppressed record in the output.

    Examples
    --------
    >>> [list(r) for r in masking(["37933", "37940"], steps=[1, 3]).hierarchy.table]
    [['37933', '3793*', '37***', '*'], ['37940', '3794*', '37***', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    if direction not in ("right", "left"):
        raise HierarchyError(f"{what}: direction must be 'right' or 'left', not {direction!r}.")
    if len(mask) != 1 or (pad is not None and len(pad) != 1):
        raise HierarchyError(f"{what}: mask and pad must be single characters.")
    if steps is not None:
        _listed(steps, "steps", what, "[2, 4]")
    values = _distinct(values)
    longest = max((len(v) for v in values if not _is_missing(v)), default=1)
    steps = (list(range(1, longest)) or [1]) if steps is None else [int(s) for s in steps]
    if any(s <= 0 for s in steps) or any(b <= a for a, b in zip(steps, steps[1:])):
        raise HierarchyError(f"{what}: steps must be positive and increasing, e.g. [1, 2, 3] (got {steps}).")

    def chain_of(value: str) -> list[str]:
        if pad is not None:
            value = value.rjust(longest, pad) if direction == "right" else value.ljust(longest, pad)
        chain = []
        for count in steps:
            kept = max(len(value) - count, 0)
            masked = (value[:kept] + mask * (len(value) - kept) if direction == "right"
                      else mask * (len(value) - kept) + value[len(value) - kept:])
            # '*' alone marks a suppressed record (star-below-top): a one-character value
            # masked whole below the top is written '**'
            chain.append("**" if masked == "*" else masked)
        return chain

    return _assemble(values, chain_of, len(steps), root=root, name=name, source=source)


def ordered(values: Iterable[str], *, order: Sequence[str], levels: Sequence[int | Sequence[int]],
            labels: Sequence[Sequence[str] | None] | None = None, root: str = "*",
            name: str | None = None, source: str = "builder:ordered") -> BuildResult:
    """Merge adjacent values of an ordinal scale (ARX's order-based builder [2]_).

    Parameters
    ----------
    order
        The scale, lowest first (``["0", "I", "II", "III", "IV"]``).
    levels
        Per level, the sizes of the groups over ``order``: an int (groups of that size, the
        last may be smaller) or a list summing to ``len(order)`` (``[3, 2]`` → ``0-II``,
        ``III-IV``).  Each level's groups must be unions of the level before's.
    labels
        Per level, one label per group or None for ``first-last``.

    Examples
    --------
    >>> [list(r) for r in ordered(["II"], order=["0", "I", "II", "III", "IV"], levels=[[3, 2]]).hierarchy.table]
    [['II', '0-II', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    _listed(order, "order", what, "[0, I, II, III, IV]")
    _listed(levels, "levels", what, "[2, 4]")
    order = [str(v) for v in order]
    if len(set(order)) != len(order) or not order:
        raise HierarchyError(f"{what}: order must list each value once (got {order}).")
    position = {v: i for i, v in enumerate(order)}
    level_of: list[list[str]] = []
    previous_cuts = set(range(len(order) + 1))
    for j, sizes in enumerate(levels):
        if isinstance(sizes, int):
            if sizes <= 0:
                raise HierarchyError(f"{what}: group size {sizes} at level {j + 1} must be positive.")
            sizes = [sizes] * (len(order) // sizes) + ([len(order) % sizes] if len(order) % sizes else [])
        sizes = [int(s) for s in sizes]
        if sum(sizes) != len(order) or any(s <= 0 for s in sizes):
            raise HierarchyError(f"{what}: the group sizes {sizes} of level {j + 1} must be positive and "
                                 f"sum to the {len(order)} values of the order.")
        cuts = {0}
        for size in sizes:
            cuts.add(max(cuts) + size)
        if not cuts <= previous_cuts:
            raise HierarchyError(f"{what}: the groups of level {j + 1} ({sizes}) split a group of level {j}; "
                                 f"each group must be a union of groups of the level before.")
        previous_cuts = cuts
        given = labels[j] if labels is not None and j < len(labels) else None
        if given is not None and len(given) != len(sizes):
            raise HierarchyError(f"{what}: level {j + 1} has {len(sizes)} groups but {len(given)} labels.")
        per_value, start = [], 0
        for g, size in enumerate(sizes):
            group = order[start:start + size]
            label = given[g] if given is not None else (group[0] if size == 1 else f"{group[0]}-{group[-1]}")
            per_value.extend([label] * size)
            start += size
        level_of.append(per_value)

    def chain_of(value: str) -> list[str] | None:
        i = position.get(value)
        return None if i is None else [level[i] for level in level_of]

    return _assemble(values, chain_of, len(level_of), root=root, name=name, source=source)


def mapping(values: Iterable[str], *, levels: Sequence[Mapping[str, str]], root: str = "*",
            name: str | None = None, source: str = "builder:mapping") -> BuildResult:
    """Explicit tables: level 1 maps values to groups, level ``j+1`` maps level-``j`` groups.

    A tree by construction: every group has one entry in the next table.  Values absent from
    the first table go to ``Unknown`` (or to the groups of the value ``Unknown``, if the first
    table has it); empty values to ``Missing`` (or to the groups of ``""``, if listed).

    Examples
    --------
    >>> h = mapping(["CT", "MR"], levels=[{"CT": "X-ray", "MR": "MR"}, {"X-ray": "ionising", "MR": "non-ionising"}]).hierarchy
    >>> [list(r) for r in h.table]
    [['CT', 'X-ray', 'ionising', '*'], ['MR', 'MR', 'non-ionising', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    _listed(levels, "levels", what, "[{CT: X-ray, MR: MR}, {X-ray: ionising, MR: non-ionising}]")
    if not levels or not all(isinstance(table, Mapping) for table in levels):
        raise HierarchyError(f"{what}: levels must be a list of tables (value → group), at least one.")
    tables = [{str(k): str(v) for k, v in table.items()} for table in levels]

    def walk(first: str, fallback: bool) -> list[str]:
        chain = [first]
        for j, table in enumerate(tables[1:], 2):
            label = chain[-1]
            if label in table:
                chain.append(table[label])
            elif fallback:
                chain.append(label)
            else:
                raise HierarchyError(f"{what}: the group {label!r} of level {j - 1} has no entry in the table "
                                     f"of level {j}; add `{label}: GROUP` there.")
        return chain

    chains = {value: walk(group, False) for value, group in tables[0].items()}
    unknown_chain = chains.get(UNKNOWN) or walk(UNKNOWN, True)
    missing_chain = chains.get("") or walk(MISSING, True)
    return _assemble(values, chains.get, len(tables), root=root, name=name, source=source,
                     unknown_chain=unknown_chain, missing_chain=missing_chain)
