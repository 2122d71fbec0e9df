"""The release folder: guard, search, apply, re-check and write the anonymized table and
``result.json`` (what `eucaim-wizard anonymize` writes; `run` adds the reports, see :mod:`.workflow`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .anonymizer import Progress, Result, Transformation, anonymize
from .errors import InfeasibleError, ProjectError
from .explore import Choice
from .released_dates import released_day_findings
from .project import Project
from .tables.formulas import release_formulas
from .tables.output import staged_folder, write_json
from .hierarchies.hierarchy import Hierarchy
from .tables import Table, write_table
from .verify import verify_export


@dataclass
class Outcome:
    """What ``anonymize_to_folder`` wrote."""

    result: Result
    table_path: Path
    result_path: Path
    transformation: Transformation  #: what was applied: the optimum, or the chosen levels


def infeasible_advice(result: Result) -> str:
    """The seed's advice made specific: what would be feasible at the top of the lattice."""
    import numpy as np

    from .privacy import KAnonymity

    top = result.lattice.top
    classes = result.evaluator.classes(top)
    sizes = np.sort(classes.sizes)
    n = result.n_records
    limit = result.evaluator.max_suppressed
    parts = []
    ks = [m.k for m in result.project.privacy if isinstance(m, KAnonymity)]
    if ks:
        k = max(ks)
        needed = int(sizes[sizes < k].sum())
        # the largest k whose too-small classes fit within the suppression limit
        cumulative = np.cumsum(sizes)
        feasible_k = int(sizes[np.searchsorted(cumulative, limit, side="right")]) if cumulative[-1] > limit else 0
        # k = 1 (or 0) is no protection: never advise it
        lower = (f", or lower k to {feasible_k} or less" if feasible_k >= 2 else
                 "; no k of 2 or more is feasible at these levels with this limit, so lowering k would not help")
        parts.append(
            f"even with every quasi-identifier at its highest allowed level, {needed:,} of {n:,} records "
            f"({needed / n:.1%}) are in classes smaller than k={k}: raise suppression_limit to at least "
            f"{needed / n:.3f}{lower}"
        )
    domains = sorted(
        ((len(np.unique(a.lookup[a.max_level][a.codes])), a.name, a.max_level) for a in result.frequency.attributes),
        reverse=True,
    )
    if domains and domains[0][0] > 1:
        count, name, level = domains[0]
        parts.append(
            f"{name} dominates the class count: at its highest allowed level ({level}) it still has "
            f"{count:,} distinct values; allow a higher max_level or a coarser hierarchy for it"
        )
    return "; ".join(parts) if parts else "allow higher generalization levels or more suppression"


def chosen_levels(result, levels: dict[str, int] | Choice | None) -> dict[str, int] | None:
    """The levels to release: those given (a mapping or a :class:`~eucaim_wizard.explore.Choice`),
    else the project's choice (``transformation:``), else None (the optimum)."""
    if isinstance(levels, Choice):
        return levels.resolve(result) if levels.given else project_choice(result)
    return dict(levels) if levels is not None else project_choice(result)


def project_choice(result) -> dict[str, int] | None:
    """The candidate the project file chooses (``transformation: {levels: …}`` or ``{pick: …}``), or None."""
    settings = result.project.transformation
    return None if settings is None else settings.choice().resolve(result)


def anonymize_to_folder(project: Project, output: str | Path, *, drop_suppressed: bool = False,
                        progress: Progress | None = None, confirmed_deidentified: bool = False,
                        levels: dict[str, int] | Choice | None = None, table: Table | None = None,
                        keep_formulas: bool | None = None) -> Outcome:
    """Guard, search, apply, re-check and write ``anonymized.<ext>`` and ``result.json`` into ``output``.

    Identifier columns are removed, except those marked ``pseudonymize: true``, which are
    replaced by keyed pseudonyms.  With ``levels`` (one per quasi-identifier, or a
    :class:`~eucaim_wizard.explore.Choice`: levels or a row of the listing) that transformation
    is applied instead of the optimum, if it is anonymous; without, the project's own choice
    (``transformation:`` in the project file), if any.  ``table`` is the project's data when
    the caller has read it already.  CSV/TSV cells that a spreadsheet would run as formulas
    are prefixed with ``'`` (:mod:`eucaim_wizard.tables.formulas`) unless ``keep_formulas``
    (default: the project's ``release: {keep_formulas: …}``, else false).

    Raises
    ------
    IdentifiedDataError
        When the table looks identified (the de-identification guard) and the curator has
        not confirmed it is de-identified (exit code 2).
    InfeasibleError
        When no transformation is anonymous (exit code 3), with specific advice.
    """
    from . import guard
    from .pseudonym import pseudonymize_table

    output = Path(output)
    table = project.load_table() if table is None else table
    findings = guard.check_table(table, project)
    guard.require_deidentified(findings, str(project.data_path or "the table"), confirmed=confirmed_deidentified)
    if confirmed_deidentified:
        findings = guard.acknowledged(findings)
    result = anonymize(project, table=table, progress=progress)
    chosen = chosen_levels(result, levels)
    if chosen is not None:
        from .explore import choose

        transformation = choose(result, chosen)  # refused, with the reason, if not anonymous
    elif not result.anonymous:
        raise InfeasibleError(
            f"no transformation of {project.data_path or 'the table'} satisfies "
            f"{', '.join(map(str, project.privacy))} with at most {project.suppression_limit:.1%} "
            f"suppressed records: {infeasible_advice(result)}."
        )
    else:
        transformation = result.optimum
    generalized = result.anonymized_table(transformation.levels, drop_suppressed=drop_suppressed)
    # a date quasi-identifier is exempt from the day check because it is generalized: judge
    # the level actually released
    released = released_day_findings(generalized, project, dict(transformation.levels))
    guard.require_deidentified(released, str(project.data_path or "the table"), confirmed=confirmed_deidentified)
    findings += guard.acknowledged(released) if confirmed_deidentified else released
    if output.exists() and not output.is_dir():
        raise ProjectError(f"{output} exists and is not a folder; choose another output folder with -o.")
    table = result.table
    suffix = {"csv": table.path.suffix if table.path else ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}[table.format.kind]
    table_path = output / f"anonymized{suffix or '.csv'}"
    from .apply import saved_transformation

    anonymized = pseudonymize_table(generalized, project)
    if keep_formulas is None:
        keep_formulas = project.release is not None and project.release.keep_formulas
    anonymized, formulas = release_formulas(anonymized, keep=keep_formulas, where=str(project.data_path or "the table"))
    # everything result.json says is computed before any file is written, so that only a
    # failure to write can leave the folder with some of the files (each written atomically)
    saved = saved_transformation(result, transformation.levels)
    copies = _hierarchy_copies(project)
    for name in copies:  # written beside result.json, so that `apply` finds them
        saved["project"]["attributes"][name]["hierarchy"] = str((output / hierarchy_file_name(name)).resolve())
    summary = {**result.to_dict(transformation.levels), **saved}
    summary["formulas"] = formulas
    summary["guard"] = {"confirmed_deidentified": confirmed_deidentified,
                        "findings": [f.to_dict() for f in findings]}
    protect = project.input_files
    # every file appears in the folder together, or none does (a full disk, a read-only folder)
    with staged_folder(output, inputs=protect) as stage:
        write_table(
            anonymized, stage / table_path.name, table.format, protect=protect,
            verify=lambda written: verify_export(written, project, result, drop_suppressed=drop_suppressed,
                                                 transformation=transformation, neutralised=formulas["neutralised"]),
        )
        for name, hierarchy in copies.items():
            hierarchy.write(stage / hierarchy_file_name(name), inputs=protect)
        write_json(summary, stage / "result.json", inputs=protect)
    return Outcome(result, table_path, output / "result.json", transformation)


def _hierarchy_copies(project: Project) -> dict[str, Hierarchy]:
    """The hierarchies to write beside result.json: every one that is not a file of its own
    (a preset or builder fitted to the data, or one built in code)."""
    from .apply import hierarchy_attributes

    return {name: project.load_hierarchy(name) for name in hierarchy_attributes(project)
            if not (isinstance(project.attributes[name].hierarchy, str)
                    and not project.attributes[name].hierarchy.startswith("preset:"))}


def hierarchy_file_name(attribute: str) -> str:
    """``hierarchy_<attribute>.csv`` with characters unsafe in file names replaced by ``_``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in attribute).strip(".") or "attribute"
    return f"hierarchy_{safe}.csv"
