"""Numbers into bands: :func:`intervals` (fixed widths or explicit edges, top and bottom coding,
units) and :func:`parse_number`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from ..errors import HierarchyError
from ._built import BuildResult, _assemble


# --- numbers ------------------------------------------------------------------------------------
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


def _decimal(number: float | int | str | Decimal) -> Decimal:
    return number if isinstance(number, Decimal) else Decimal(str(number))


def _text(number: Decimal) -> str:
    """``Decimal('45.0') → '45'``, ``Decimal('2.50') → '2.5'`` (no exponent)."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def parse_number(value: str, units: Mapping[str, float | int | str] | None = None) -> Decimal | None:
    """A number with an optional unit, converted by ``units`` (unit → factor), or None.

    A decimal comma is accepted (``77,4``). Units are compared case-insensitively with the
    dots and spaces removed; without ``units`` only a bare number is read.

    Examples
    --------
    >>> parse_number("77.4 kg", {"": 1, "kg": 1})
    Decimal('77.4')
    >>> parse_number("1.68", {"": 100, "m": 100, "cm": 1})
    Decimal('168.00')
    >>> parse_number("12 st", {"": 1, "kg": 1}) is None
    True
    """
    match = _NUMBER.match(value)
    if not match:
        return None
    text, unit = match.groups()
    if "," in text:
        if "." in text:
            return None
        text = text.replace(",", ".")
    units = {"": 1} if units is None else units
    factors = {re.sub(r"[\s.]", "", str(k)).casefold(): v for k, v in units.items()}
    factor = factors.get(re.sub(r"[\s.]", "", unit).casefold())
    if factor is None:
        return None
    try:
        number = Decimal(text) * _decimal(factor)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _listed(value, option: str, what: str, example: str) -> None:
    """A HierarchyError unless ``value`` is a list (YAML ``[...]``), not a string or a number."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise HierarchyError(f"{what}: {option} must be a list, e.g. `{option}: {example}` (got {value!r}).")


def _check_widths(widths: Sequence, what: str) -> list[Decimal]:
    _listed(widths, "widths", what, "[5, 10, 20]")
    out = [_decimal(w) for w in widths]
    for i, width in enumerate(out):
        if width <= 0:
            raise HierarchyError(f"{what}: width {_text(width)} at level {i + 1} must be positive.")
        if i and width % out[i - 1] != 0:
            raise HierarchyError(f"{what}: the widths must each be a multiple of the one before, so "
                                 f"that every band lies inside one band of the next level; "
                                 f"{_text(width)} is not a multiple of {_text(out[i - 1])}.")
    return out


def _check_edges(edges: Sequence[Sequence], what: str) -> list[list[Decimal]]:
    _listed(edges, "edges", what, "[[18.5, 25, 30], [30]]")
    for level in edges:
        _listed(level, "edges", what, "[[18.5, 25, 30], [30]]")
    out = [sorted({_decimal(e) for e in level}) for level in edges]
    for i, level in enumerate(out):
        if not level:
            raise HierarchyError(f"{what}: level {i + 1} has no edges; give at least one, e.g. [18.5].")
        if i and not set(level) <= set(out[i - 1]):
            extra = sorted(set(level) - set(out[i - 1]))
            raise HierarchyError(f"{what}: the edges of level {i + 1} must be a subset of those of level "
                                 f"{i} (so that bands nest); {', '.join(map(_text, extra))} is not an "
                                 f"edge of level {i}.")
    return out


def _band_label(lower: Decimal, upper: Decimal) -> str:
    # integral bounds on a left-closed grid read as the integers they hold: [45, 50) -> "45-49"
    if lower == lower.to_integral_value() and upper == upper.to_integral_value():
        return f"{_text(lower)}-{_text(upper - 1)}"
    return f"{_text(lower)}-{_text(upper)}"


def intervals(values: Iterable[str], *, widths: Sequence[float] | None = None,
              edges: Sequence[Sequence[float]] | None = None, offset: float = 0,
              top: float | None = None, bottom: float | None = None,
              top_label: str = "{}+", bottom_label: str = "<{}", closed: str = "left",
              labels: Sequence[Sequence[str] | None] | None = None,
              units: Mapping[str, float] | None = None, valid: Sequence[float] | None = None,
              root: str = "*", name: str | None = None, source: str = "builder:intervals") -> BuildResult:
    """Numbers into bands, one level per width (or per list of edges).

    Parameters
    ----------
    widths
        Band width per level, each a multiple of the one before (``[5, 10, 20]``); bands are
        ``[offset + i·w, offset + (i+1)·w)``, labelled ``45-49`` when the bounds are integers,
        else ``2.5-5`` (meaning 2.5 ≤ x < 5).
    edges
        Instead of widths: the cut points per level, each level's a subset of the one before
        (``[[18.5, 25, 30, 35, 40], [30]]``); bins ``<e0``, ``e0-e1`` …, ``≥ last``.
    top, bottom
        Top and bottom coding for ``widths``: at each level the values from the start of the
        band holding ``top`` upwards become ``top_label`` (``90+``), those below the end of the
        band holding ``bottom`` become ``bottom_label`` (``<40``).
    closed
        ``"left"`` (``[a, b)``, default) or ``"right"`` (``(a, b]``, with ``edges`` only:
        labels ``≤1``, ``1-2.5``, ``>5``).
    labels
        With ``edges``: per level, a label per bin (``len(edges)+1``) or None for the default.
    units
        Accepted units and their factors to the label's unit (default: bare numbers only),
        e.g. ``{"": 1, "kg": 1}`` or ``{"": 100, "m": 100, "cm": 1}``.
    valid
        ``[low, high]``: values outside are implausible and go to ``Unknown``.

    Examples
    --------
    >>> h = intervals(["34", "77.4", "93", ""], widths=[5, 10], top=90).hierarchy
    >>> [list(row) for row in h.table]
    [['34', '30-34', '30-39', '*'], ['77.4', '75-79', '70-79', '*'], ['93', '90+', '90+', '*'], ['', 'Missing', 'Missing', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    if (widths is None) == (edges is None):
        raise HierarchyError(f"{what}: give either widths (e.g. [5, 10, 20]) or edges "
                             f"(e.g. [[18.5, 25, 30], [30]]), not both and not neither.")
    if closed not in ("left", "right"):
        raise HierarchyError(f"{what}: closed must be 'left' or 'right', not {closed!r}.")
    low, high = (None, None) if valid is None else (_decimal(valid[0]), _decimal(valid[1]))
    if widths is not None:
        if closed != "left":
            raise HierarchyError(f"{what}: closed='right' needs explicit edges; widths make [a, b) bands.")
        level_fns = _width_levels(_check_widths(widths, what), _decimal(offset), top, bottom,
                                  top_label, bottom_label, what)
    else:
        level_fns = _edge_levels(_check_edges(edges, what), closed, labels, what)

    def chain_of(value: str) -> list[str] | None:
        number = parse_number(value, units)
        if number is None or (low is not None and not low <= number <= high):
            return None
        return [fn(number) for fn in level_fns]

    return _assemble(values, chain_of, len(level_fns), root=root, name=name, source=source)


def _grid(x: Decimal, offset: Decimal, width: Decimal, rounding: str) -> Decimal:
    """The grid point ``offset + i·width`` at or below (ROUND_FLOOR) or above (ROUND_CEILING) ``x``."""
    return offset + ((x - offset) / width).to_integral_value(rounding=rounding) * width


def _width_levels(widths, offset, top, bottom, top_label, bottom_label, what):
    fns = []
    for width in widths:
        top_at = None if top is None else _grid(_decimal(top), offset, width, ROUND_FLOOR)
        bottom_at = None if bottom is None else _grid(_decimal(bottom), offset, width, ROUND_CEILING)
        if top_at is not None and bottom_at is not None and bottom_at >= top_at:
            raise HierarchyError(f"{what}: with width {_text(width)}, bottom coding below {_text(bottom_at)} "
                                 f"and top coding from {_text(top_at)} leave no band between them; "
                                 f"use smaller widths or move top/bottom apart.")

        def fn(x, width=width, top_at=top_at, bottom_at=bottom_at):
            if top_at is not None and x >= top_at:
                return top_label.format(_text(top_at))
            if bottom_at is not None and x < bottom_at:
                return bottom_label.format(_text(bottom_at))
            lower = _grid(x, offset, width, ROUND_FLOOR)
            return _band_label(lower, lower + width)
        fns.append(fn)
    return fns


def _edge_levels(edges, closed, labels, what):
    fns = []
    for i, cuts in enumerate(edges):
        given = labels[i] if labels is not None and i < len(labels) else None
        if given is not None and len(given) != len(cuts) + 1:
            raise HierarchyError(f"{what}: level {i + 1} has {len(cuts)} edge(s), so {len(cuts) + 1} bins, "
                                 f"but {len(given)} label(s); give one label per bin.")
        if closed == "left":
            names = ([f"<{_text(cuts[0])}"] + [_band_label(a, b) for a, b in zip(cuts, cuts[1:])]
                     + [f"≥{_text(cuts[-1])}"])
        else:
            names = ([f"≤{_text(cuts[0])}"] + [f"{_text(a)}-{_text(b)}" for a, b in zip(cuts, cuts[1:])]
                     + [f">{_text(cuts[-1])}"])
        names = list(given) if given is not None else names
        if len(set(names)) != len(names):
            raise HierarchyError(f"{what}: level {i + 1} gives the same label to two bins ({names}).")

        def fn(x, cuts=cuts, names=names):
            position = sum(1 for c in cuts if (x >= c if closed == "left" else x > c))
            return names[position]
        fns.append(fn)
    return fns
