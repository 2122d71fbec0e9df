"""Dates and times: :func:`dates` (DICOM DA/DT, ISO), :func:`times` (DICOM TM, clock times) and
:func:`dicom_age` (DICOM AS ages into year bands)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ..errors import HierarchyError
from ._built import BuildResult, _assemble, _distinct, _is_missing
from .numeric import _listed, intervals, parse_number


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
