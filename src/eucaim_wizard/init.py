"""``init``: a starting project file for a table, every column with a suggested role and why.

The suggestions come from :mod:`eucaim_wizard.roles` (column names such as DICOM keywords and
common clinical names, and the values).  What is written:

- an **identifier** (``PatientID``, a UID, a record key) as ``{role: identifier}``;
- a **quasi-identifier** with a preset that fits it as ``{role: quasi-identifier, hierarchy:
  preset:NAME}`` -- only if the project then validates; the comment says how many values the
  preset does not know (they go to its ``Unknown`` branch);
- a quasi-identifier without a usable preset as ``{role: identifier}`` (removed) with the
  suggestion in the comment: left ``insensitive`` it would be published as it is, so it is
  kept out until the curator gives it a hierarchy;
- a **sensitive** column as ``{role: sensitive}``, everything else as ``{role: insensitive}``.

Above each column a comment gives the reason, the number of distinct values and at most the
three most frequent values (only those that five or more records share; never the values of
an identifier).  The written file always loads and validates as it is.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ProjectError, WizardError
from .project import Role
from .roles import Suggestion, suggest, suggest_roles
from .tables import Table, read_table

__all__ = ["suggest_role", "starting_project_text", "starting_suggestions", "write_starting_project"]

#: a value is quoted in a comment only if at least this many records hold it, so that the
#: project file never carries a rare (identifying) value of the data
MIN_RECORDS_SHOWN = 5


def suggest_role(table: Table, name: str) -> tuple[str, str]:
    """The suggested role of column ``name`` (``"identifier"``, ``"quasi-identifier"``,
    ``"sensitive"`` or ``"insensitive"``) and the reason; see :func:`eucaim_wizard.roles.suggest`,
    which also names the preset hierarchy.

    Examples
    --------
    >>> table = Table.from_columns({"PatientID": ["p1", "p2"], "sex": ["F", "F"]})
    >>> suggest_role(table, "PatientID")[0], suggest_role(table, "sex")[0]
    ('identifier', 'quasi-identifier')
    """
    suggestion = suggest(table, name)
    return suggestion.role.value, suggestion.reason


_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
#: words YAML 1.1 reads as booleans or null, which must stay quoted
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_key(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back as the same text, else quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return _yaml_string(text)


def _yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every non-printable character escaped
    (a line break in a column name or value must not end a key or a comment)."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\t":
            out.append("\\t")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _frequent_values(table: Table, name: str, limit: int = 3) -> str:
    """The most frequent values of a column with their record counts, for a comment."""
    categories = table.categories(name)
    counts = np.bincount(table.codes(name), minlength=len(categories))
    order = np.argsort(-counts, kind="stable")[:limit]
    shown = [f"{_yaml_string(_shorten(str(categories[i])))} ({counts[i]:,})"
             for i in order if counts[i] >= MIN_RECORDS_SHOWN]
    if not shown:
        return f"values not shown (none is held by {MIN_RECORDS_SHOWN} or more records)"
    return "most frequent " + ", ".join(shown)


def _shorten(value: str, width: int = 30) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


@dataclass(frozen=True)
class _PresetCheck:
    """Whether a suggested preset can be written: the project validates with it."""

    usable: bool
    problem: str = ""  #: why not (a finding code or an error's first sentence)
    unknown_values: int = 0  #: distinct values the preset does not know (its Unknown branch)
    unknown_records: int = 0
    levels: int = 0  #: the levels of the fitted hierarchy
    #: the lowest level to allow: above those that keep the day of a date (the EUCAIM profile
    #: releases year and month only; see :func:`eucaim_wizard.released_dates.day_level_findings`)
    min_level: int = 0
    #: why ``min_level`` is raised further (:func:`_searchable`), and whether the column is
    #: written insensitive instead, so that the search stays within what it can hold
    min_level_reason: str = ""
    demoted: str = ""
    #: records per value at each level (to find the levels that can never be released)
    level_counts: tuple = ()


def _check_presets(table: Table, suggestions: list[Suggestion], project_dir: Path) -> dict[str, _PresetCheck]:
    """For each quasi-identifier with a preset: does a project with it validate, and how many
    values go to the preset's ``Unknown`` branch?  (One project holds them all, so that the
    library and the table are read once.)"""
    from .privacy import KAnonymity
    from .project import Project

    candidates = {s.column: s.preset for s in suggestions if s.role is Role.QUASI_IDENTIFIER and s.preset}
    if not candidates:
        return {}
    attributes = {name: {"role": "quasi-identifier", "hierarchy": f"preset:{preset}"}
                  for name, preset in candidates.items()}
    try:
        project = Project(data=table, privacy=[KAnonymity(k=10)], base_dir=project_dir, attributes=attributes)
        findings = project.check_against(table)
    except WizardError as error:  # the presets cannot be written in a project at all
        return {name: _PresetCheck(False, str(error).split("; ")[0].rstrip(".")) for name in candidates}
    from .hierarchies.presets import load_library
    from .released_dates import day_level_findings, first_level_without_day

    library = load_library()
    checks: dict[str, _PresetCheck] = {}
    for name, preset in candidates.items():
        errors = [f for f in findings if f.severity == "error" and f.where == name]
        if errors:
            checks[name] = _PresetCheck(False, f"`validate` reports {errors[0].code}")
            continue
        values = [str(v) for v in table.categories(name)]
        unknown = set(library.get(preset).apply(values, column=name).unknown)
        counts = np.bincount(table.codes(name), minlength=len(values))
        records = int(sum(count for value, count in zip(values, counts) if value in unknown))
        hierarchy = project.load_hierarchy(name)
        no_day = 0
        if any(f.where == name for f in day_level_findings(project)):
            no_day = first_level_without_day(hierarchy, 0) or 0
        checks[name] = _PresetCheck(True, "", len(unknown), records, hierarchy.n_levels, no_day,
                                    level_counts=_records_per_value(hierarchy, values, counts))
    return _searchable(table, checks)


def _records_per_value(hierarchy, values: list[str], counts: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """At each level of ``hierarchy``, the records of each generalized value of the column."""
    rows = {str(v): i for i, v in enumerate(hierarchy.level(0).tolist())}
    present = [i for i, value in enumerate(values) if counts[i] and value in rows]
    at, weights = [rows[values[i]] for i in present], counts[present]
    per_level = []
    for level in range(hierarchy.n_levels):
        _, inverse = np.unique(hierarchy.level(level)[at], return_inverse=True)
        per_level.append(tuple(np.bincount(inverse, weights=weights).astype(int).tolist()))
    return tuple(per_level)


#: the EUCAIM federated search's facets, as DICOM keywords (domain/EUCAIM.md)
_FACETS = frozenset({"PatientSex", "PatientAge", "BodyPartExamined", "Modality", "Manufacturer", "StudyDate"})
#: the k and suppression limit ``init`` writes
_K, _LIMIT = 10, 0.05


def _searchable(table: Table, checks: dict[str, _PresetCheck]) -> dict[str, _PresetCheck]:
    """Make the quasi-identifiers' search one the optimal search holds.

    Left as it is up to :data:`ARX_OPTIMAL_LIMIT` transformations.  Beyond, first, exactly (no
    anonymous transformation is lost): a level at which an attribute alone
    leaves more records in values shared by fewer than k records than may be suppressed can
    never be released (more attributes only split those groups), so ``min_level`` starts above
    it.  Then, while the lattice is still larger than :data:`~eucaim_wizard.pipeline.MAX_LATTICE`,
    the quasi-identifier that tells records apart least (the lowest α-distinction, distinct
    values per record; the federated search's facets last) is written insensitive, with the
    reason, until the search fits."""
    from dataclasses import replace

    from .pipeline import MAX_LATTICE

    def size() -> int:
        return int(np.prod([c.levels - c.min_level for c in checks.values() if c.usable and not c.demoted],
                           dtype=object))

    if size() <= ARX_OPTIMAL_LIMIT:  # (a small search is left as the presets make it)
        return checks
    allowed = int(np.floor(_LIMIT * table.n_rows + 1e-9))

    def too_small(check: _PresetCheck, level: int) -> int:
        return sum(c for c in check.level_counts[level] if c < _K)

    for name, check in list(checks.items()):
        if not check.usable or not check.level_counts or too_small(check, check.levels - 1) > allowed:
            continue  # (when not even the top can be released, the table is too small for k: leave it)
        low = check.min_level
        while low < check.levels - 1 and too_small(check, low) > allowed:
            low += 1
        if low > check.min_level:
            checks[name] = replace(check, min_level=low, min_level_reason=(
                f"below level {low}, more than {100 * _LIMIT:g} % of the records have a value that fewer than "
                f"{_K} records share, so no lower level can be released with k={_K}"))

    kept = [n for n, c in checks.items() if c.usable]
    # the federated search's facets (what an attacker is likeliest to know) are kept longest
    ranked = sorted(kept, key=lambda n: (n in _FACETS, len(checks[n].level_counts[0]) / max(table.n_rows, 1), n))
    for name in ranked:
        if size() <= MAX_LATTICE:
            break
        distinction = len(checks[name].level_counts[0]) / max(table.n_rows, 1)
        checks[name] = replace(checks[name], demoted=(
            f"written insensitive so that the optimal search fits ({MAX_LATTICE:,} transformations at most): of the "
            f"quasi-identifiers it tells records apart least (α-distinction {distinction:.3f}); if an attacker can "
            f"know it, make it a quasi-identifier again and give others a higher min_level"))
    return checks


def _column_text(table: Table, suggestion: Suggestion, check: _PresetCheck | None) -> tuple[str, str]:
    """The comment above a column and its entry (``{role: ...}``) in the project file."""
    name, role, preset = suggestion.column, suggestion.role, suggestion.preset
    if role is Role.IDENTIFIER:  # an identifier's values are never copied into the project
        return suggestion.reason, "{role: identifier}"
    distinct, rows = len(table.categories(name)), table.n_rows
    text = f"{distinct:,} distinct value(s) in {rows:,} records, {_frequent_values(table, name)}; {suggestion.reason}"
    if role is Role.QUASI_IDENTIFIER:
        if check is not None and check.usable and check.demoted:
            return f"{text}; preset:{preset} fits it, but it is {check.demoted}", "{role: insensitive}"
        if check is not None and check.usable:
            known = ("the preset knows every value" if not check.unknown_values else
                     f"{check.unknown_values:,} value(s) of {check.unknown_records:,} record(s) are not in the "
                     f"preset and go to its Unknown branch (`validate` names them)")
            if check.min_level:
                why = check.min_level_reason or "the day of the date is never released (the EUCAIM profile keeps year and month)"
                return (f"{text}; preset:{preset}: {known}; min_level {check.min_level}: {why}",
                        f"{{role: quasi-identifier, hierarchy: preset:{preset}, min_level: {check.min_level}}}")
            return f"{text}; preset:{preset}: {known}", f"{{role: quasi-identifier, hierarchy: preset:{preset}}}"
        if preset is not None:
            why = (f"preset:{preset} fits it but cannot be used here ({check.problem if check else 'not checked'}); "
                   f"it is removed until then: set {{role: quasi-identifier, hierarchy: preset:{preset}}} "
                   f"once `validate` accepts it")
        else:
            why = ("no preset fits it, so it is removed until it has a hierarchy: write one and set "
                   "{role: quasi-identifier, hierarchy: FILE.csv}")
        return f"{text}; {why}", "{role: identifier}"
    if role is Role.SENSITIVE:
        hint = f"; preset:{preset} fits its codes" if preset else ""
        return f"{text}{hint}", "{role: sensitive}"
    return text, "{role: insensitive}"


def _guarded(table: Table, suggestions: list[Suggestion]) -> list[Suggestion]:
    """The suggestions, with every column whose values the de-identification guard flags
    (e-mail addresses, names, phone numbers, ...: :func:`~eucaim_wizard.guard.flagged_columns`)
    proposed as identifier, so that no value of it is copied into the project file."""
    from . import guard

    findings = guard.table_signs(table) + guard.unmarked_identifiers(table)
    flagged = guard.flagged_columns(findings, table)
    changed = []
    for suggestion in suggestions:
        if suggestion.column in flagged and suggestion.role is not Role.IDENTIFIER:
            codes = sorted({f.code for f in findings if f.where == suggestion.column and f.severity == "error"})
            suggestion = Suggestion(suggestion.column, Role.IDENTIFIER, None,
                                    f"the de-identification guard finds identifying values in it ({', '.join(codes)}): "
                                    f"removed, and its values are not shown")
        changed.append(suggestion)
    return changed


def starting_suggestions(table: Table) -> list[Suggestion]:
    """Every column's suggested role (:func:`~eucaim_wizard.roles.suggest_roles`), with the
    columns the de-identification guard flags proposed as identifiers."""
    return _guarded(table, suggest_roles(table))


def starting_project_text(table: Table, data: Path, project_dir: Path, *,
                          suggestions: list[Suggestion] | None = None) -> str:
    """The YAML text of a starting project for ``table`` read from ``data``.

    ``data`` is written relative to ``project_dir`` (the folder of the project file), as
    :func:`~eucaim_wizard.project.load_project` resolves it; ``suggestions`` are those of
    :func:`starting_suggestions`, when the caller has them already.
    """
    location = str(data.resolve())
    try:
        relative = os.path.relpath(data.resolve(), project_dir.resolve())
    except ValueError:  # another drive on Windows
        relative = location
    # relative when the data is beside the project (or one folder up): the pair can then move
    if Path(relative).parts[:2] != ("..", ".."):
        location = relative
    lines = [
        "# eucaim-wizard project (written by `eucaim-wizard init`): review every role, then run",
        "# `eucaim-wizard validate` on this file.",
        "# Roles: identifier (removed), quasi-identifier (generalized; needs `hierarchy:`),",
        "#        sensitive (kept, protected by the privacy models), insensitive (kept as is).",
        "# `hierarchy: preset:NAME` is a hierarchy of the preset library, fitted to the column.",
        f"data: {_yaml_key(location.replace(os.sep, '/'))}",
    ]
    fmt = table.format
    if fmt.kind == "csv":
        options = f"delimiter: {_yaml_string(fmt.delimiter)}, encoding: {_yaml_string(fmt.encoding)}"
        if fmt.quotechar != '"':
            options += f", quotechar: {_yaml_string(fmt.quotechar)}"
        lines.append(f"format: {{{options}}}")
    elif fmt.kind == "xlsx" and fmt.sheet is not None:
        sheet = fmt.sheet if isinstance(fmt.sheet, int) else _yaml_string(fmt.sheet)
        lines.append(f"format: {{sheet: {sheet}}}")
    lines.append("attributes:")
    suggestions = starting_suggestions(table) if suggestions is None else suggestions
    checked = _check_presets(table, suggestions, project_dir)
    for suggestion in suggestions:
        comment, entry = _column_text(table, suggestion, checked.get(suggestion.column))
        lines += [f"  # {line}" for line in textwrap.wrap(comment, 92, break_on_hyphens=False)]
        lines.append(f"  {_yaml_key(suggestion.column)}: {entry}")
    lines += _search_size_note(checked)
    lines += [
        "privacy:",
        "  - k-anonymity: {k: 10}   # every record shares its quasi-identifiers with 9 others or more",
        *_diversity_hint(suggestions),
        "suppression_limit: 0.05    # share of records that may be suppressed",
        "metric: loss               # ARX's default information-loss model",
        "",
    ]
    return "\n".join(lines)


#: ARX 3.9 refuses an optimal search of more transformations than this
ARX_OPTIMAL_LIMIT = 100_000


def _search_size_note(checked: dict[str, _PresetCheck]) -> list[str]:
    """A warning when the quasi-identifiers as written make a very large search."""
    levels = [check.levels - check.min_level for check in checked.values() if check.usable and not check.demoted]
    size = int(np.prod(levels, dtype=object)) if levels else 1
    if size <= ARX_OPTIMAL_LIMIT:
        return []
    text = (f"NOTE: {len(levels)} quasi-identifiers make {size:,} transformations to search, more than the "
            f"{ARX_OPTIMAL_LIMIT:,} ARX searches optimally. Keep the quasi-identifiers an attacker can "
            f"know (for EUCAIM imaging: sex, age, study date, modality, body part, manufacturer) and "
            f"remove the others (role identifier), or limit their levels with min_level/max_level.")
    return [f"# {line}" for line in textwrap.wrap(text, 94, break_on_hyphens=False)]


def _diversity_hint(suggestions: list[Suggestion]) -> list[str]:
    """A commented-out l-diversity entry for the first sensitive column, when that model exists."""
    from .privacy import MODELS

    sensitive = [s.column for s in suggestions if s.role is Role.SENSITIVE]
    if not sensitive or "distinct-l-diversity" not in MODELS:
        return []
    return [f"  # - distinct-l-diversity: {{attribute: {_yaml_key(sensitive[0])}, l: 2}}   # at least 2 "
            f"different values of it in every class (remove the # to use it)"]


def write_starting_project(data: str | Path, output: str | Path, *, force: bool = False,
                           delimiter: str | None = None, encoding: str | None = None,
                           sheet: str | int | None = None) -> Path:
    """Read ``data`` and write a starting project file to ``output`` (atomically).

    The data file is only read.  The project is written to a temporary file beside
    ``output`` and renamed, so an interrupted run leaves no half-written file.
    ``delimiter``, ``encoding`` (CSV) and ``sheet`` (XLSX) override detection; the format
    the table was read with is written under ``format:``.

    Raises
    ------
    ProjectError
        If ``output`` is the data file itself or a folder, exists and ``force`` is not set,
        or cannot be written (the writer, :mod:`eucaim_wizard.tables.output`, refuses any other
        spelling of the data file too).
    TableError
        If the data cannot be read.
    """
    from .tables.output import write_text

    data, output = Path(data), Path(output)
    if output.exists():
        if data.exists() and output.resolve() == data.resolve():
            raise ProjectError(f"{output} is the data file itself; choose another name with -o, "
                               f"e.g. -o project.yaml.")
        if output.is_dir():
            raise ProjectError(f"{output} is a folder; give the name of the project file to write, "
                               f"e.g. -o {output / 'project.yaml'}.")
        if not force:
            raise ProjectError(f"{output} exists already; pass --force to replace it or choose "
                               f"another name with -o.")
    table = read_table(data, delimiter=delimiter, encoding=encoding, sheet=sheet)
    text = starting_project_text(table, data, output.parent)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_text(output, text, inputs=[data])
    except OSError as error:
        raise ProjectError(f"cannot write {output} ({error.strerror}); check that its folder "
                           f"can be created and written.") from None
    return output
