"""Hierarchy builders: make a generalization hierarchy from the values of a column.

Every builder takes the distinct values of a column and returns a :class:`BuildResult`
whose :class:`~eucaim_wizard.hierarchy.Hierarchy` has one row per value, the same number of
levels for every row, a single root and a tree shape (each label has one parent [1]_):

* a value the builder cannot read (``abc`` for a number, ``20231345`` for a date) goes to an
  ``Unknown`` branch, and the result lists it in :attr:`BuildResult.unknown`;
* an empty value (``""`` or only spaces) goes to a ``Missing`` branch of its own.

Builders (name in a project file → function):

* ``masking`` → :func:`masking`: ``37933 → 3793* → 379** → *`` (ARX's redaction builder [2]_);
* ``intervals`` → :func:`intervals`: numbers (decimals, units such as ``77.4 kg``) into bands of
  fixed widths or explicit edges, with top and bottom coding (``90+``, ``<40``);
* ``dates`` → :func:`dates`: DICOM DA/DT, ISO dates → month, year, N-year, decade;
* ``times`` → :func:`times`: DICOM TM, ``HH:MM:SS`` → minute, hour, part of the day;
* ``dicom-age`` → :func:`dicom_age`: DICOM AS (``045Y``, ``006M``, ``010W``, ``003D``) → whole
  years → the bands of :func:`intervals`;
* ``ordered`` → :func:`ordered`: merge adjacent values of an ordinal scale;
* ``mapping`` → :func:`mapping`: explicit tables value → group, one per level;
* ``field-strength`` → :func:`field_strength`: MagneticFieldStrength (tesla, Siemens-style
  ``1.494``, gauss) → nominal field → band;
* ``icdo3-morphology`` → :func:`icdo3_morphology`: ``8140/3 → 8140 → 814-838 … → *``.

:class:`BuilderSpec` is a builder with its options, as written in a project file
(``hierarchy: {builder: intervals, widths: [5, 10, 20], top: 90}``).

References
----------
.. [1] P. Samarati, "Protecting respondents' identities in microdata release", *IEEE TKDE*
   13(6):1010-1027, 2001 (each level of a value generalization hierarchy is a function of
   the level below).
.. [2] F. Prasser, F. Kohlmayer, "Putting Statistical Disclosure Control into Practice: The ARX
   Data Anonymization Tool", in *Medical Data Privacy Handbook*, Springer, 2015; ARX source
   ``org.deidentifier.arx.aggregates.HierarchyBuilderRedactionBased``, ``…IntervalBased``,
   ``…OrderBased``.
.. [3] DICOM PS3.5 §6.2, value representations AS, DA, DT, TM; PS3.3 C.7.1.1 (PatientAge).
.. [4] ICD-O-3, 3rd ed., WHO 2000 (morphology code ``tttt/b``; the groups of its morphology
   list, as tabulated by SEER).
"""

from __future__ import annotations

import calendar
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from .errors import Finding, HierarchyError
from .hierarchy import Hierarchy

__all__ = ["BuildResult", "BuilderSpec", "BUILDERS", "UNKNOWN", "MISSING", "build", "masking",
           "intervals", "dates", "times", "dicom_age", "ordered", "mapping", "field_strength",
           "icdo3_morphology", "parse_number"]

UNKNOWN = "Unknown"  #: label of the branch of values a builder cannot read
MISSING = "Missing"  #: label of the branch of empty values
_SHOWN = 10


@dataclass(frozen=True)
class BuildResult:
    """A built hierarchy and what the builder could not read.

    Attributes
    ----------
    hierarchy
        Covers every value given to the builder.
    unknown
        The values put in the ``Unknown`` branch (not readable by the builder).
    missing
        True if an empty value was given (it has the ``Missing`` branch).
    """

    hierarchy: Hierarchy
    unknown: tuple[str, ...] = ()
    missing: bool = False

    def notes(self) -> list[str]:
        """Sentences for a curator: what went to the Unknown and Missing branches."""
        notes = []
        if self.unknown:
            shown = ", ".join(repr(v) for v in self.unknown[:_SHOWN])
            notes.append(f"{len(self.unknown)} value(s) could not be read by {self.hierarchy.source} and "
                         f"were put in the {UNKNOWN!r} branch: {shown}{', …' if len(self.unknown) > _SHOWN else ''}"
                         f"; fix them in the data or adapt the hierarchy if they mean something")
        if self.missing:
            notes.append(f"empty values have their own {MISSING!r} branch")
        return notes

    def findings(self) -> list[Finding]:
        """The unread values as a warning finding (code ``unknown-values``), if any."""
        if not self.unknown:
            return []
        where = self.hierarchy.name or self.hierarchy.source or "hierarchy"
        return [Finding("warning", "unknown-values", self.notes()[0], where, self.unknown[:_SHOWN])]


# --- assembling ---------------------------------------------------------------------------------
def _is_missing(value: str) -> bool:
    return not value.strip()


def _distinct(values: Iterable[str]) -> list[str]:
    out = dict.fromkeys(v if isinstance(v, str) else str(v) for v in values)
    return list(out)


def _assemble(values: Iterable[str], chain_of: Callable[[str], Sequence[str] | None], inner: int, *,
              root: str = "*", name: str | None, source: str,
              unknown_chain: Sequence[str] | None = None,
              missing_chain: Sequence[str] | None = None) -> BuildResult:
    """Rows ``value, chain…, root`` for each distinct value; ``chain_of`` returns ``inner`` labels
    or None (unreadable).  The result is checked to be a tree (a failure is a HierarchyError)."""
    unknown_chain = list(unknown_chain) if unknown_chain is not None else [UNKNOWN] * inner
    missing_chain = list(missing_chain) if missing_chain is not None else [MISSING] * inner
    rows, unknown, missing = [], [], False
    for value in _distinct(values):
        if _is_missing(value):
            chain, missing = missing_chain, True
        else:
            chain = chain_of(value)
            if chain is None:
                chain = unknown_chain
                unknown.append(value)
        rows.append([value, *chain, root])
    if not rows:  # an empty column still gets a usable hierarchy: the Missing branch
        rows.append(["", *missing_chain, root])
    hierarchy = Hierarchy(rows, name=name, source=source)
    errors = [f for f in hierarchy.findings() if f.severity == "error"]
    if errors:
        raise HierarchyError(f"{source}: the levels given do not form a tree: {errors[0].message}", errors)
    return BuildResult(hierarchy, tuple(unknown), missing)


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


# --- dates and times ----------------------------------------------------------------------------
_DT = re.compile(r"^(\d{4})(?:(\d{2})(?:(\d{2})(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?(?:[+-]\d{4})?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?$")
_DOTTED = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})$")  # ACR-NEMA 2.0 dates
_EUROPEAN = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")  # dd.mm.yyyy


def _parse_date(value: str) -> tuple[int, int | None, int | None, bool] | None:
    """(year, month, day, iso?) with month/day None when the value is less precise; else None."""
    text = value.strip()
    iso = False
    if match := _DT.match(text):
        year, month, day = match.groups()
    elif match := _ISO.match(text):
        (year, month, day), iso = match.groups(), True
    elif match := _DOTTED.match(text):
        year, month, day = match.groups()
    elif match := _EUROPEAN.match(text):
        day, month, year = match.groups()
    else:
        return None
    year, month, day = int(year), month and int(month), day and int(day)
    if not 1800 <= year < 2200 or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return year, month, day, iso


_YEARS = re.compile(r"^(\d+)-years?$")


def _date_level(level: str, what: str) -> int:
    """0 = month, 1 = year, N = N-year span."""
    if level == "month":
        return 0
    if level == "year":
        return 1
    if level == "decade":
        return 10
    if match := _YEARS.match(level):
        return int(match.group(1))
    raise HierarchyError(f"{what}: unknown date level {level!r}; use month, year, N-year (e.g. 5-year) "
                         f"or decade.")


def dates(values: Iterable[str], *, levels: Sequence[str] = ("month", "year", "5-year", "decade"),
          style: str = "auto", root: str = "*", name: str | None = None,
          source: str = "builder:dates") -> BuildResult:
    """Dates → month → year → N-year spans → root.

    Reads DICOM DA (``20230514``) and DT (``20230514101523.000000+0100``, also partial:
    ``2023``, ``202305``) [3]_, ISO dates (``2023-05-14``, with a time after ``T``), ACR-NEMA
    ``2023.05.14`` and ``14.05.2023``; checks the calendar (``20230230`` is unknown).

    Parameters
    ----------
    levels
        Coarser and coarser: ``month``, ``year``, ``N-year`` (``5-year`` = 2020-2024),
        ``decade``; each span a multiple of the one before.
    style
        Labels of month and year: ``"dicom"`` (``202305**``, ``2023****``, the masking style),
        ``"iso"`` (``2023-05``, ``2023``), or ``"auto"``: iso when every readable value is ISO.

    Examples
    --------
    >>> [list(r) for r in dates(["20230514"]).hierarchy.table]
    [['20230514', '202305**', '2023****', '2020-2024', '2020-2029', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    _listed(levels, "levels", what, "[month, year, 5-year, decade]")
    steps = [_date_level(level, what) for level in levels]
    for before, after in zip(steps, steps[1:]):
        if after <= before or (before and after % before):
            raise HierarchyError(f"{what}: date levels must get coarser and nest ({list(levels)}): a span "
                                 f"must be a multiple of the span before it.")
    if style not in ("auto", "dicom", "iso"):
        raise HierarchyError(f"{what}: style must be auto, dicom or iso, not {style!r}.")
    values = _distinct(values)
    parsed = {v: _parse_date(v) for v in values if not _is_missing(v)}
    if style == "auto":
        readable = [p for p in parsed.values() if p is not None]
        style = "iso" if readable and all(p[3] for p in readable) else "dicom"

    def chain_of(value: str) -> list[str] | None:
        date = parsed.get(value)
        if date is None:
            return None
        year, month, _, _ = date
        chain = []
        for step in steps:
            if step == 0 and month is not None:
                chain.append(f"{year}-{month:02d}" if style == "iso" else f"{year}{month:02d}**")
            elif step <= 1:
                chain.append(str(year) if style == "iso" else f"{year}****")
            else:
                start = year - year % step
                chain.append(f"{start}-{start + step - 1}")
        return chain

    return _assemble(values, chain_of, len(steps), root=root, name=name, source=source)


_TM = re.compile(r"^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,6})?)?)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_DAY_PARTS = ("00-06", "06-12", "12-18", "18-24")


def times(values: Iterable[str], *, levels: Sequence[str] = ("minute", "hour", "day-part"),
          style: str = "auto", root: str = "*", name: str | None = None,
          source: str = "builder:times") -> BuildResult:
    """Times of day → minute → hour → part of the day (``00-06``, ``06-12``, ``12-18``, ``18-24``).

    Reads DICOM TM (``101523``, ``101523.123``, partial ``1015``, ``10``) [3]_ and ``10:15`` /
    ``10:15:23``; hours 00–23, minutes 00–59, seconds 00–60.  Labels: ``1015**``, ``10****``
    (``style="dicom"``) or ``10:15``, ``10:00-10:59`` (``"iso"``); ``"auto"`` picks iso when
    every readable value has colons.

    Examples
    --------
    >>> [list(r) for r in times(["101523"]).hierarchy.table]
    [['101523', '1015**', '10****', '06-12', '*']]
    """
    what = source if name is None else f"{source} ({name})"
    _listed(levels, "levels", what, "[minute, hour, day-part]")
    order = {"minute": 0, "hour": 1, "day-part": 2}
    for level in levels:
        if level not in order:
            raise HierarchyError(f"{what}: unknown time level {level!r}; use minute, hour or day-part.")
    if [order[level] for level in levels] != sorted({order[level] for level in levels}):
        raise HierarchyError(f"{what}: time levels must get coarser: minute, hour, day-part (got {list(levels)}).")
    values = _distinct(values)
    parsed: dict[str, tuple[int, int | None, bool] | None] = {}
    for value in values:
        text = value.strip()
        match, clock = _TM.match(text), False
        if not match:
            match, clock = _CLOCK.match(text), True
        if match:
            hour, minute, second = (int(g) if g is not None else None for g in match.groups())
            ok = hour < 24 and (minute is None or minute < 60) and (second is None or second <= 60)
            parsed[value] = (hour, minute, clock) if ok else None
    if style == "auto":
        readable = [p for p in parsed.values() if p is not None]
        style = "iso" if readable and all(p[2] for p in readable) else "dicom"

    def chain_of(value: str) -> list[str] | None:
        time = parsed.get(value)
        if time is None:
            return None
        hour, minute, _ = time
        hour_label = f"{hour:02d}:00-{hour:02d}:59" if style == "iso" else f"{hour:02d}****"
        chain = []
        for level in levels:
            if level == "minute" and minute is not None:
                chain.append(f"{hour:02d}:{minute:02d}" if style == "iso" else f"{hour:02d}{minute:02d}**")
            elif level in ("minute", "hour"):
                chain.append(hour_label)
            else:
                chain.append(_DAY_PARTS[hour // 6])
        return chain

    return _assemble(values, chain_of, len(levels), root=root, name=name, source=source)


_AS = re.compile(r"^\s*(\d{1,3})\s*([DWMYdwmy])\s*$")
_DAYS_PER_UNIT = {"D": Decimal(1), "W": Decimal(7), "M": Decimal("365.25") / 12, "Y": Decimal("365.25")}


def dicom_years(value: str) -> int | None:
    """Whole years of a DICOM AS age (``045Y`` → 45, ``006M`` → 0, ``400W`` → 7) or a bare
    number of years; None if unreadable.  Days and weeks are converted with 365.25 days a year."""
    match = _AS.match(value)
    if match:
        count, unit = int(match.group(1)), match.group(2).upper()
        if unit == "Y":
            return count
        return int(count * _DAYS_PER_UNIT[unit] // _DAYS_PER_UNIT["Y"])
    number = parse_number(value)
    return None if number is None or number < 0 else int(number)


def dicom_age(values: Iterable[str], *, widths: Sequence[float] = (5, 10, 20), top: float | None = 90,
              bottom: float | None = None, top_label: str = "{}+", valid: Sequence[float] = (0, 150),
              root: str = "*", name: str | None = None, source: str = "builder:dicom-age") -> BuildResult:
    """DICOM ages (AS: ``045Y``, ``006M``, ``010W``, ``003D``) → whole years → bands → root.

    Level 1 is the age in whole years (``45``); the levels above are those of
    :func:`intervals` with ``widths``, ``top`` and ``bottom`` (default ``45-49``, ``40-49``,
    ``40-59``, top-coded ``90+``).  Bare numbers are read as years.

    Examples
    --------
    >>> [list(r) for r in dicom_age(["045Y", "006M"]).hierarchy.table]
    [['045Y', '45', '45-49', '40-49', '40-59', '*'], ['006M', '0', '0-4', '0-9', '0-19', '*']]
    """
    values = _distinct(values)
    years = {v: dicom_years(v) for v in values if not _is_missing(v)}
    low, high = valid
    years = {v: y for v, y in years.items() if y is not None and low <= y <= high}
    banded = intervals(sorted({str(y) for y in years.values()}), widths=widths, top=top, bottom=bottom,
                       top_label=top_label, root=root, name=name, source=source)
    chains = {row[0]: row[1:-1] for row in banded.hierarchy.table.tolist()}

    def chain_of(value: str) -> list[str] | None:
        year = years.get(value)
        return None if year is None else [str(year), *chains[str(year)]]

    return _assemble(values, chain_of, len(widths) + 1, root=root, name=name, source=source)


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
            chain.append(value[:kept] + mask * (len(value) - kept) if direction == "right"
                         else mask * (len(value) - kept) + value[len(value) - kept:])
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


# --- domain builders ----------------------------------------------------------------------------
_NOMINAL_TESLA = (0.2, 0.23, 0.25, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0,
                  4.7, 7.0, 9.4, 10.5, 11.7)


def field_strength(values: Iterable[str], *, edges: Sequence[float] = (1, 2, 4), tolerance: float = 0.05,
                   root: str = "*", name: str | None = None, source: str = "builder:field-strength") -> BuildResult:
    """MagneticFieldStrength → nominal field (``1.5T``) → band (``1-2T``) → root.

    Values are tesla (DICOM (0018,0087) is in T; Siemens writes the measured ``1.494`` or
    ``2.89362``); a number above 100, or a unit ``G``/``gauss``, is gauss (``15000`` → 1.5 T),
    ``mT`` millitesla.  The nominal field is the nearest usual one (0.2 … 11.7 T) within
    ``tolerance`` (5 %), else the value rounded to 0.1 T.  Zero, negative values and more than
    20 T are unknown.

    Examples
    --------
    >>> [list(r) for r in field_strength(["1.494", "3", "15000"]).hierarchy.table]
    [['1.494', '1.5T', '1-2T', '*'], ['3', '3T', '2-4T', '*'], ['15000', '1.5T', '1-2T', '*']]
    """
    units = {"": 1, "t": 1, "tesla": 1, "g": Decimal("0.0001"), "gauss": Decimal("0.0001"), "mt": Decimal("0.001")}
    cuts = sorted(_decimal(e) for e in edges)
    band_names = ([f"<{_text(cuts[0])}T"] + [f"{_text(a)}-{_text(b)}T" for a, b in zip(cuts, cuts[1:])]
                  + [f"≥{_text(cuts[-1])}T"])

    def chain_of(value: str) -> list[str] | None:
        match = _NUMBER.match(value)
        tesla = parse_number(value, units)
        if tesla is None or match is None:
            return None
        if not match.group(2) and tesla > 100:
            tesla = tesla / 10000
        if not 0 < tesla <= 20:
            return None
        nearest = min(_NOMINAL_TESLA, key=lambda t: abs(float(tesla) - t))
        nominal = (_decimal(nearest) if abs(float(tesla) - nearest) <= tolerance * nearest
                   else tesla.quantize(Decimal("0.1")))
        if nominal <= 0:
            return None
        position = sum(1 for c in cuts if nominal >= c)
        return [f"{_text(nominal)}T", band_names[position]]

    return _assemble(values, chain_of, 2, root=root, name=name, source=source)


# ICD-O-3 morphology groups (first three digits of the type), per the ICD-O-3 morphology list.
_ICDO3_GROUPS = [
    (800, 800, "Neoplasms, NOS"), (801, 804, "Epithelial neoplasms, NOS"),
    (805, 808, "Squamous cell neoplasms"), (809, 811, "Basal cell neoplasms"),
    (812, 813, "Transitional cell papillomas and carcinomas"), (814, 838, "Adenomas and adenocarcinomas"),
    (839, 842, "Adnexal and skin appendage neoplasms"), (843, 843, "Mucoepidermoid neoplasms"),
    (844, 849, "Cystic, mucinous and serous neoplasms"), (850, 854, "Ductal and lobular neoplasms"),
    (855, 855, "Acinar cell neoplasms"), (856, 857, "Complex epithelial neoplasms"),
    (858, 858, "Thymic epithelial neoplasms"), (859, 867, "Specialized gonadal neoplasms"),
    (868, 871, "Paragangliomas and glomus tumors"), (872, 879, "Nevi and melanomas"),
    (880, 880, "Soft tissue tumors and sarcomas, NOS"), (881, 883, "Fibromatous neoplasms"),
    (884, 884, "Myxomatous neoplasms"), (885, 888, "Lipomatous neoplasms"),
    (889, 892, "Myomatous neoplasms"), (893, 899, "Complex mixed and stromal neoplasms"),
    (900, 903, "Fibroepithelial neoplasms"), (904, 904, "Synovial-like neoplasms"),
    (905, 905, "Mesothelial neoplasms"), (906, 909, "Germ cell neoplasms"),
    (910, 910, "Trophoblastic neoplasms"), (911, 911, "Mesonephromas"),
    (912, 916, "Blood vessel tumors"), (917, 917, "Lymphatic vessel tumors"),
    (918, 924, "Osseous and chondromatous neoplasms"), (925, 925, "Giant cell tumors"),
    (926, 926, "Miscellaneous bone tumors"), (927, 934, "Odontogenic tumors"),
    (935, 937, "Miscellaneous tumors"), (938, 948, "Gliomas"),
    (949, 952, "Neuroepitheliomatous neoplasms"), (953, 953, "Meningiomas"),
    (954, 957, "Nerve sheath tumors"), (958, 958, "Granular cell tumors and alveolar soft part sarcomas"),
    (959, 972, "Hodgkin and non-Hodgkin lymphomas"), (973, 973, "Plasma cell tumors"),
    (974, 974, "Mast cell tumors"), (975, 975, "Neoplasms of histiocytes and accessory lymphoid cells"),
    (976, 976, "Immunoproliferative diseases"), (980, 994, "Leukemias"),
    (995, 996, "Chronic myeloproliferative disorders"), (997, 997, "Other hematologic disorders"),
    (998, 999, "Myelodysplastic syndromes"),
]
_ICDO3 = re.compile(r"^\s*(?:M-?)?([89]\d{3})\s*(?:/\s*([012369]))?\s*$", re.IGNORECASE)


def icdo3_group(type_code: int) -> str | None:
    """The morphology group label of a 4-digit ICD-O-3 type (``8140`` → ``814-838 Adenomas and
    adenocarcinomas``), or None outside the groups."""
    head = type_code // 10
    for first, last, title in _ICDO3_GROUPS:
        if first <= head <= last:
            return f"{first}-{last} {title}" if first != last else f"{first} {title}"
    return None


def icdo3_morphology(values: Iterable[str], *, root: str = "*", name: str | None = None,
                     source: str = "builder:icdo3-morphology") -> BuildResult:
    """ICD-O-3 morphology ``8140/3`` → type ``8140`` → group ``814-838 Adenomas and
    adenocarcinomas`` → root [4]_.

    Reads ``tttt/b`` (behaviour 0, 1, 2, 3, 6 or 9), ``tttt``, and a leading ``M-``.  The
    behaviour is dropped at level 1: it cannot sit above the groups, because one group holds
    codes of every behaviour (a hierarchy type → group → behaviour would not be a tree).

    Examples
    --------
    >>> [list(r) for r in icdo3_morphology(["8500/3"]).hierarchy.table]
    [['8500/3', '8500', '850-854 Ductal and lobular neoplasms', '*']]
    """
    def chain_of(value: str) -> list[str] | None:
        match = _ICDO3.match(value)
        if not match:
            return None
        group = icdo3_group(int(match.group(1)))
        return None if group is None else [match.group(1), group]

    return _assemble(values, chain_of, 2, root=root, name=name, source=source)


# --- specs --------------------------------------------------------------------------------------
BUILDERS: dict[str, Callable[..., BuildResult]] = {
    "masking": masking, "intervals": intervals, "dates": dates, "times": times, "dicom-age": dicom_age,
    "ordered": ordered, "mapping": mapping, "field-strength": field_strength,
    "icdo3-morphology": icdo3_morphology,
}
_INTERNAL = {"values", "name", "source"}


class BuilderSpec:
    """A builder and its options, as in a project file: ``{builder: intervals, widths: [5, 10]}``.

    The options are checked when the spec is made (unknown option names, and a trial build on
    no values catches bad widths, edges or groups), so a project file fails when it is loaded.

    Examples
    --------
    >>> spec = BuilderSpec.parse({"builder": "intervals", "widths": [10], "top": 90})
    >>> [list(r) for r in spec.build(["42"]).hierarchy.table]
    [['42', '40-49', '*']]
    """

    __slots__ = ("builder", "options")

    def __init__(self, builder: str, **options):
        function = BUILDERS.get(builder)
        if function is None:
            raise HierarchyError(f"unknown builder {builder!r}; the builders are: {', '.join(BUILDERS)}.")
        accepted = [p for p in inspect.signature(function).parameters if p not in _INTERNAL]
        unknown = [key for key in options if key not in accepted]
        if unknown:
            raise HierarchyError(f"builder {builder!r} has no option {unknown[0]!r}; its options are: "
                                 f"{', '.join(accepted)}.")
        self.builder = builder
        self.options = dict(options)
        self.build([])  # the parameters' own errors now, not at the first build

    @classmethod
    def parse(cls, spec: Mapping) -> BuilderSpec:
        """A spec from a mapping with the key ``builder`` (and the builder's options)."""
        if not isinstance(spec, Mapping) or "builder" not in spec:
            raise HierarchyError("a built hierarchy is a mapping with the key `builder`, e.g. "
                                 "`{builder: intervals, widths: [5, 10, 20]}`; builders: "
                                 f"{', '.join(BUILDERS)}.")
        options = {str(k): v for k, v in spec.items() if k != "builder"}
        return cls(str(spec["builder"]), **options)

    def build(self, values: Iterable[str], *, name: str | None = None, source: str | None = None) -> BuildResult:
        """Apply the builder to the distinct ``values`` of a column."""
        try:
            return BUILDERS[self.builder](values, name=name, source=source or f"builder:{self.builder}",
                                          **self.options)
        except TypeError as error:  # e.g. a string where a list of widths was expected
            raise HierarchyError(f"builder {self.builder!r}: an option has the wrong type ({error}); see "
                                 f"the builder's documentation for the expected values.") from None
        except (ValueError, ArithmeticError) as error:
            raise HierarchyError(f"builder {self.builder!r}: an option has a wrong value ({error}).") from None

    def to_dict(self) -> dict:
        return {"builder": self.builder, **self.options}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BuilderSpec) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"BuilderSpec({self.builder!r}{', ' if options else ''}{options})"


def build(spec: BuilderSpec | Mapping, values: Iterable[str], *, name: str | None = None) -> BuildResult:
    """Build a hierarchy from a spec (a :class:`BuilderSpec` or a mapping with ``builder``)."""
    spec = spec if isinstance(spec, BuilderSpec) else BuilderSpec.parse(spec)
    return spec.build(values, name=name)
