"""``validate``: every check of a project that can be made before a search."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import Finding, WizardError
from .project import Project, hide_quotes, hide_text, load_project
from .tables import Table


@dataclass
class ValidationReport:
    """The findings about a project, and whether it can be used as it is."""

    project: Project
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    n_records: int = 0

    @property
    def usable(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def summary(self) -> str:
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = sum(f.severity == "warning" for f in self.findings)
        qis = len(self.project.quasi_identifiers)
        if errors:
            return (f"NOT usable: {errors} error(s), {warnings} warning(s). Fix the errors above "
                    f"and run validate again.")
        return (f"usable: {self.n_records:,} records, {qis} quasi-identifier(s), "
                f"{warnings} warning(s).")


def validate_project(project: Project | str | Path, *, confirmed_deidentified: bool = False,
                     table: Table | None = None) -> ValidationReport:
    """Load the project and its data, and check roles and hierarchies against the data.

    The de-identification guard's findings are included: a table that looks identified is
    not usable unless ``confirmed_deidentified`` (they become warnings).

    Every hierarchy file is read once (:meth:`Project.load_hierarchy` keeps it), and what
    reading decided -- the delimiter, a header row skipped, CRLF line ends -- is kept in
    :attr:`ValidationReport.notes`.

    Raises
    ------
    WizardError
        When the project file or the table cannot be read at all.

    Examples
    --------
    >>> report = validate_project("project.yaml")          # doctest: +SKIP
    >>> report.usable, [f.code for f in report.findings]   # doctest: +SKIP
    (False, ['unlisted-columns', 'missing-values'])
    """
    if not isinstance(project, Project):
        project = load_project(project)
    table = project.load_table() if table is None else table  # ``table``: already read
    report = ValidationReport(project, n_records=table.n_rows)
    where = str(project.data_path or "data")
    report.notes.extend(f"{where}: {note}" for note in table.notes)
    report.findings.extend(project.check_against(table))
    from . import guard
    from .released_dates import day_level_findings

    report.findings.extend(_lattice_findings(project))
    signs = guard.check_table(table, project)  # does the table look identified?
    signs += day_level_findings(project)  # may a date be released with its day?
    report.findings.extend(guard.acknowledged(signs) if confirmed_deidentified else signs)
    for name in project.quasi_identifiers:
        if name in table.columns:
            try:
                hierarchy = project.load_hierarchy(name)  # already read by check_against
            except WizardError:
                continue  # already reported by check_against
            hide = project.quotes_hidden(name, hierarchy, table)  # (not this column's hierarchy: no content)
            report.notes.extend(f"hierarchy of {name}: {hide_text(note, name) if hide and note.startswith('header') else note}"
                                for note in hierarchy.notes)
    report.findings.extend(_repairs(project, table, report.findings))
    # where the guard flags a column, no other finding quotes its values
    flagged = guard.flagged_columns(signs, table)
    report.findings = [hide_quotes(f, keep=f.where, why="values of a column the guard flags are not shown")
                       if f.where in flagged and f.code not in guard.GUARD_CODES else f for f in report.findings]
    return report


#: the findings of a hierarchy that a preset or ``hierarchies repair`` can put right
_BROKEN = ("conflicting-rows", "not-a-tree", "multiple-roots", "duplicate-rows", "missing-values", "ragged-rows",
           "hierarchy-unreadable")


def _repairs(project: Project, table, findings) -> list[Finding]:
    """For each quasi-identifier whose hierarchy is broken: the preset that fits the column's
    values (the one ``init`` would choose), and ``hierarchies repair`` for a file that is not
    a tree or has several roots."""
    from .roles import suggest

    fixes = []
    for name in dict.fromkeys(f.where for f in findings if f.code in _BROKEN and f.where in project.attributes):
        if name not in project.quasi_identifiers or name not in table.columns:
            continue
        given = project.attributes[name].hierarchy
        ways = []
        preset = suggest(table, name).preset
        if preset is not None and given != f"preset:{preset}":
            ways.append(f"`hierarchy: preset:{preset}` fits this column's values (the preset `init` chooses)")
        codes = {f.code for f in findings if f.where == name}
        if isinstance(given, str) and not given.startswith("preset:") and codes & {
                "conflicting-rows", "not-a-tree", "multiple-roots", "duplicate-rows"}:
            ways.append(f"`eucaim-wizard hierarchies repair {given} -o FIXED.csv` writes a valid copy (a tree, one "
                        f"root) and says every change")
        if ways:
            fixes.append(Finding("info", "hierarchy-fix", f"{name}: the hierarchy can be put right: " + "; or ".join(ways)
                                 + ".", where=name))
    return fixes


def _lattice_findings(project: Project) -> list[Finding]:
    """Past the optimal search's limit: which best-effort search will run and when it stops
    (info), or an error where ``strategy: optimal`` forbids it (as ``anonymize`` would refuse)."""
    from .pipeline import MAX_LATTICE

    spans = []
    for name in project.quasi_identifiers:
        try:
            low, high = project.level_range(name, project.load_hierarchy(name))
        except WizardError:
            return []  # reported by check_against
        spans.append((name, high - low + 1))
    size = 1
    for _, span in spans:
        size *= span
    if size <= MAX_LATTICE:
        return []
    ranges = ", ".join(f"{name} {span}" for name, span in spans)
    settings = project.search
    if settings.resolve(size) == "best-first" and size < 2**63:
        limits = [f"{settings.time_limit:g} s" if settings.time_limit is not None else "",
                  f"{settings.steps:,} checks" if settings.steps is not None else ""]
        limit = " or ".join(x for x in limits if x) or "no limit"
        why = "`search: {strategy: auto}` (the default)" if settings.strategy == "auto" else "`search: {strategy: best-first}`"
        return [Finding("info", "best-effort-search",
                        f"the {len(spans)} quasi-identifiers make {size:,} transformations (levels per attribute: "
                        f"{ranges}), more than the {MAX_LATTICE:,} an optimal search holds: a best-first search "
                        f"will run ({why}), stopping after {limit}; result.json says whether its answer is proven "
                        f"optimal and how far from optimal it may be", "quasi-identifiers")]
    return [Finding("error", "lattice-too-large",
                    f"the {len(spans)} quasi-identifiers make {size:,} transformations to search (levels per "
                    f"attribute: {ranges}), more than the {MAX_LATTICE:,} an optimal search can hold"
                    + ("" if size < 2**63 else " or a best-effort search can number")
                    + "; let a best-effort search run (`search: {strategy: auto}`), give fewer columns the role "
                    "quasi-identifier or narrow their ranges with min_level / max_level", "quasi-identifiers")]
