"""Re-apply a chosen transformation to new data (the next batch of a cohort) without a new search.

The saved levels are applied with the saved hierarchies; the privacy models are checked
again on the new table, records in classes that now fail them are suppressed up to the
suppression limit, and the tool says clearly when the new batch cannot be released at these
levels: values that have no row in a hierarchy (nothing is written), or classes now too
small for more records than the limit allows (nothing is written, exit code 3).

What ``apply`` needs from ``result.json`` is what :func:`saved_transformation` returns —
``anonymize`` adds it to ``result.json``.  Older files, or projects whose hierarchies were
built in code, are applied with the project file instead (``--project``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InfeasibleError, ProjectError, WizardError

if TYPE_CHECKING:
    from .anonymizer import Progress, Result, Transformation
    from .project import Project
    from .tables import Table

#: version of the fields :func:`saved_transformation` adds to result.json
SAVED_VERSION = 1


class ApplyError(WizardError):
    """The new data cannot be generalized with the saved transformation (e.g. values missing
    from a hierarchy), or the saved transformation cannot be read."""


# -- what result.json must hold -------------------------------------------------------------
def saved_transformation(result: Result, levels: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The fields ``apply`` needs, to be merged into ``result.json``.

    ``transformation.levels`` is the applied transformation (the optimum unless ``levels``
    is given); ``project`` is the project in project-file form with absolute hierarchy paths
    (``hierarchy: null`` for a hierarchy built in code), and ``hierarchies`` the SHA-256 of
    each hierarchy's content, so that ``apply`` notices a hierarchy changed since.
    """
    from .project import Role

    project = result.project
    node = result.node_or_optimum(levels)
    levels = {q: int(v) for q, v in zip(result.quasi_identifiers, result.lattice.levels_of(node))}
    attributes: dict[str, dict[str, Any]] = {}
    hashes: dict[str, str] = {}
    for name, attribute in project.attributes.items():
        entry: dict[str, Any] = {"role": attribute.role.value}
        if name in hierarchy_attributes(project):  # a QI's, or a sensitive attribute's (hierarchical t-closeness)
            source = attribute.hierarchy
            entry["hierarchy"] = str(project.resolve(source).resolve()) if isinstance(source, str) else None
            hashes[name] = project.load_hierarchy(name).sha256()
        if attribute.pseudonymize:  # the next batch gets the same pseudonyms (the secret's place, never the secret)
            for key in ("pseudonymize", "secret_env", "secret_file", "pseudonym_prefix"):
                if getattr(attribute, key, None) is not None:
                    entry[key] = getattr(attribute, key)
            if isinstance(entry.get("secret_file"), str):
                entry["secret_file"] = str(project.resolve(entry["secret_file"]).resolve())
        if attribute.role is Role.QUASI_IDENTIFIER:
            for key in ("min_level", "max_level"):
                if getattr(attribute, key) is not None:
                    entry[key] = getattr(attribute, key)
            entry["weight"] = attribute.weight
        attributes[name] = entry
    return {
        "saved_version": SAVED_VERSION,
        "transformation": {"levels": levels},
        "project": {
            "file": str(project.source.resolve()) if project.source else None,
            "attributes": attributes,
            "privacy": [model.to_config() for model in project.privacy],
            "suppression_limit": project.suppression_limit,
            "metric": project.metric.model_dump(mode="json"),
        },
        "hierarchies": hashes,
    }


def hierarchy_attributes(project: Project) -> list[str]:
    """The attributes whose hierarchy a saved transformation needs: every quasi-identifier's,
    and a sensitive attribute's (hierarchical t-closeness measures distances in it)."""
    from .project import Role

    return [name for name, attribute in project.attributes.items() if attribute.hierarchy is not None
            and attribute.role in (Role.QUASI_IDENTIFIER, Role.SENSITIVE)]


@dataclass
class SavedTransformation:
    """A project for the new data and the levels to apply to it."""

    project: Project
    levels: dict[str, int]
    hierarchies: dict[str, str]


def load_saved(result_json: str | Path | None, data: str | Path, *, project: str | Path | None = None,
               levels: Mapping[str, int] | None = None) -> SavedTransformation:
    """Read what to apply: from ``result.json``, or from a project file with levels.

    Parameters
    ----------
    result_json
        The ``result.json`` written by ``anonymize``; or a project file (``.yaml``), or None,
        when ``levels`` are given.
    data
        The new table.
    project
        A project file to take roles, hierarchies, privacy models and limits from instead of
        ``result.json`` (needed for a ``result.json`` without ``project``).
    levels
        Levels to apply instead of the saved ones.

    Raises
    ------
    ApplyError
        If the file cannot be read, lacks what is needed, or a hierarchy changed since.
    """
    from .project import DataFormat, load_project, project_from_dict

    saved: dict[str, Any] = {}
    if result_json is not None and Path(result_json).suffix.lower() in (".yaml", ".yml"):
        if project is not None:
            raise ApplyError(f"{result_json} is a project file and --project gives another; give one of them.")
        if not levels:
            raise ApplyError(f"a project file ({result_json}) holds no chosen transformation; give the levels "
                             f"with --levels, e.g. --levels age=3,sex=0 (see `eucaim-wizard explore`).")
        result_json, project = None, result_json
    if result_json is not None:
        path = Path(result_json)
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ApplyError(f"{path} does not exist; give the result.json that `eucaim-wizard anonymize` "
                             f"wrote, or a project file with --project and --levels.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApplyError(f"{path} cannot be read as a result.json ({error}); give the result.json "
                             f"that `eucaim-wizard anonymize` wrote.") from None
        if not isinstance(saved, dict):
            raise ApplyError(f"{path} is not a result.json of eucaim-wizard (not a JSON object).")
    data = Path(data).resolve()
    if project is not None:
        loaded = load_project(project)
        loaded = loaded.model_copy(update={"data": str(data), "format": DataFormat()})
    elif "project" in saved:
        record = saved["project"]
        record_hashes = saved.get("hierarchies", {}) if isinstance(saved.get("hierarchies"), dict) else {}
        in_code = [name for name, a in record.get("attributes", {}).items()
                   if (name in record_hashes or a.get("role") == "quasi-identifier") and not a.get("hierarchy")]
        if in_code:
            raise ApplyError(f"the hierarchies of {', '.join(in_code)} were built in code and are not files, "
                             f"so {result_json} cannot rebuild them; give the project with --project.")
        metric = dict(record.get("metric") or {"name": "loss"})
        config = {"data": str(data), "privacy": record.get("privacy"),
                  "suppression_limit": record.get("suppression_limit", 0.0),
                  "metric": {metric.pop("name", "loss"): metric},
                  "attributes": record.get("attributes", {})}
        try:
            loaded = project_from_dict(config, base_dir=Path(result_json).resolve().parent)
        except ProjectError as error:
            raise ApplyError(f"the project saved in {result_json} cannot be used: {error}") from None
    else:
        raise ApplyError(
            f"{result_json} does not record the project (it was written before `apply` existed, or by a "
            f"project built in code); give the project file with --project PROJECT.yaml, and the "
            f"levels with --levels unless {result_json} holds the optimum.")
    chosen = dict(levels) if levels else _saved_levels(saved, result_json)
    hashes = saved.get("hierarchies", {}) if isinstance(saved.get("hierarchies"), dict) else {}
    for name, digest in hashes.items():
        if name in hierarchy_attributes(loaded) and loaded.load_hierarchy(name).sha256() != digest:
            raise ApplyError(
                f"the hierarchy of {name!r} ({loaded.attributes[name].hierarchy}) has changed since "
                f"{result_json} was written, so the saved levels may no longer mean the same generalization; "
                f"restore the hierarchy, or anonymize again (a new search) with the new one.")
    return SavedTransformation(loaded, chosen, hashes)


def _saved_levels(saved: dict[str, Any], result_json: str | Path | None) -> dict[str, int]:
    for key in ("transformation", "optimum"):
        entry = saved.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("levels"), dict):
            return {str(k): int(v) for k, v in entry["levels"].items()}
    raise ApplyError(f"{result_json or 'the project'} holds no levels to apply (no anonymous optimum was "
                     f"found); give them with --levels, e.g. --levels age=3,sex=0.")


# -- applying -----------------------------------------------------------------------------
@dataclass
class Applied:
    """The saved transformation on the new table.

    ``result`` behaves like the result of ``anonymize`` whose optimum is the applied
    transformation (its ``anonymized_table()`` is the output).  ``failing_classes`` and
    ``failing_records`` count the classes that now fail a per-class model and their records
    (which are suppressed); ``max_suppressed`` is the limit.
    """

    result: Result
    node: int
    transformation: Transformation
    failing_classes: int
    failing_records: int
    max_suppressed: int

    @property
    def anonymous(self) -> bool:
        return bool(self.transformation.anonymous)

    def to_dict(self) -> dict[str, Any]:
        t = self.transformation
        project = self.result.project
        return {
            "anonymous": self.anonymous, "levels": dict(t.levels), "records": self.result.n_records,
            "suppressed_records": t.suppressed_records, "max_suppressed": self.max_suppressed,
            "classes_too_small": self.failing_classes, "records_in_classes_too_small": self.failing_records,
            "equivalence_classes": t.equivalence_classes, "min_class_size": t.min_class_size,
            "information_loss": t.information_loss, "metric_label": self.result.metric_label,
            "privacy": [model.to_config() for model in project.privacy],
            "suppression_limit": project.suppression_limit,
        }


def missing_values(project: Project, table: Table) -> list[tuple[str, list[tuple[str, int]], int]]:
    """Per quasi-identifier: values of ``table`` without a row in its hierarchy (value, records),
    and the records affected."""
    found = []
    for name in project.quasi_identifiers:
        known = project.load_hierarchy(name).index_of()
        categories = table.categories(name)
        counts = np.bincount(table.codes(name), minlength=len(categories))
        absent = [(value, int(count)) for value, count in zip(categories.tolist(), counts)
                  if count and value not in known]
        if absent:
            absent.sort(key=lambda item: (-item[1], item[0]))
            found.append((name, absent, sum(count for _, count in absent)))
    return found


def apply_transformation(project: Project, levels: Mapping[str, int], *, table: Table | None = None) -> Applied:
    """Generalize the project's table (the new batch) with ``levels`` and check the models on it.

    Raises
    ------
    ProjectError
        If a column of the project is absent, or ``levels`` misses a quasi-identifier or is
        outside the allowed ranges.
    ApplyError
        If values of the new table have no row in their hierarchy (all are listed).
    """
    from .anonymizer import Result
    from .pipeline import build_pipeline
    from .engine.search import SearchOutcome

    if not project.privacy:
        raise ProjectError("the project has no privacy model to check the new data against; add one under `privacy:`")
    table = project.load_table() if table is None else table
    absent_columns = [name for name in project.attributes if name not in table.columns]
    if absent_columns:
        raise ProjectError(f"the new data {project.data_path or ''} lacks the column(s) "
                           f"{', '.join(map(repr, absent_columns))} of the project; its columns are: "
                           f"{', '.join(table.columns)}. The new batch must have the same columns.")
    absent = missing_values(project, table)
    if absent:
        parts = []
        for name, values, records in absent:
            shown = ", ".join(f"{value!r} ({count} record{'s' if count != 1 else ''})" for value, count in values[:5])
            more = f" and {len(values) - 5} more" if len(values) > 5 else ""
            parts.append(f"{name!r}: {len(values)} value(s) in {records:,} record(s) — {shown}{more}")
        raise ApplyError(
            f"the new data {project.data_path or ''} has values missing from the hierarchies, so it cannot be "
            f"generalized with the saved transformation: {'; '.join(parts)}. Nothing was written. Add these "
            f"values to the hierarchies (and anonymize again: the optimum may change), or correct the data.")
    unknown = [name for name in levels if name not in project.quasi_identifiers]
    if unknown:
        raise ProjectError(f"{', '.join(map(repr, unknown))} in the levels are not quasi-identifiers of the "
                           f"project; the quasi-identifiers are: {', '.join(project.quasi_identifiers)}")
    table, frequency, lattice, metric, evaluator = build_pipeline(project, table)
    # a result without a search, whose "optimum" is the node to apply
    status = np.zeros(lattice.size, dtype=np.int8)
    outcome = SearchOutcome(None, {}, status, np.full(lattice.size, np.nan), 0.0)
    result = Result(project, table, frequency, lattice, evaluator, outcome, metric)
    node = result.node_of(dict(levels))
    outcome.optimum = node
    transformation = result.evaluate(node)
    classes = evaluator.classes(node)
    ok, _ = evaluator.verdict(classes)
    return Applied(result, node, transformation, int((~ok).sum()), int(classes.sizes[~ok].sum()),
                   evaluator.max_suppressed)


@dataclass
class ApplyOutcome:
    """What :func:`apply_to_folder` wrote."""

    applied: Applied
    table_path: Path
    report_path: Path


def _not_anonymous(applied: Applied, project: Project) -> InfeasibleError:
    """Why the new batch is not anonymous at the saved levels, and what to do."""
    t = applied.transformation
    n = applied.result.n_records
    models = ", ".join(map(str, project.privacy))
    levels = ", ".join(f"{q}={level}" for q, level in t.levels.items())
    if applied.failing_records > applied.max_suppressed:
        why = (f"{applied.failing_records:,} of {n:,} records ({applied.failing_records / max(n, 1):.1%}) are in "
               f"{applied.failing_classes:,} class(es) now too small for {models}, over the limit of "
               f"{applied.max_suppressed:,} suppressed records (suppression_limit {project.suppression_limit})")
    else:
        why = f"the kept records do not satisfy {models} as a whole"
    return InfeasibleError(
        f"the new data does not satisfy the privacy models at the saved levels {levels}: {why}. Nothing was "
        f"written. Anonymize the new batch with a new search (`eucaim-wizard anonymize`), or release it "
        f"together with more records.")


def apply_to_folder(saved: SavedTransformation, output: str | Path, *, drop_suppressed: bool = False,
                    protect: list[str | Path | None] | None = None, progress: Progress | None = None,
                    keep_formulas: bool | None = None, confirmed_deidentified: bool = False) -> ApplyOutcome:
    """Guard, apply, re-check and write ``anonymized.<ext>`` and ``apply.json`` into ``output``
    (CSV/TSV cells that a spreadsheet would run as formulas prefixed with ``'`` unless
    ``keep_formulas``, by default the project's ``release: {keep_formulas: …}``:
    :mod:`eucaim_wizard.tables.formulas`).

    The new batch passes the de-identification guard as ``anonymize``'s data does (and the
    day check on the released dates); every column must be one the project lists, with its
    role: a column that appears in the new data only is refused, never released unguarded.

    Raises
    ------
    ProjectError
        A column of the new data that the project does not list (exit code 2).
    IdentifiedDataError
        The new batch looks identified and ``confirmed_deidentified`` is false (exit code 2).
    InfeasibleError
        When the new batch does not satisfy the models at the saved levels within the
        suppression limit (exit code 3); nothing is written.
    """
    from .pseudonym import pseudonymize_table
    from .tables import write_table
    from .tables.formulas import release_formulas
    from .tables.output import staged_folder, write_json
    from .verify import verify_export

    from . import guard
    from .released_dates import released_day_findings

    project = saved.project
    table = project.load_table()
    unlisted = [name for name in table.columns if name not in project.attributes]
    if unlisted:
        raise ProjectError(
            f"the new data {project.data_path or ''} has column(s) {', '.join(map(repr, unlisted))} not listed in "
            f"the project, so nothing says how to release them; nothing was written. Give each a role in the "
            f"project file (`identifier` drops it) and apply with --project, or remove them from the data.")
    where = str(project.data_path or "the new data")
    findings = guard.check_table(table, project)
    guard.require_deidentified(findings, where, confirmed=confirmed_deidentified)
    applied = apply_transformation(project, saved.levels, table=table)
    if progress is not None:
        progress(1, 1)
    if not applied.anonymous:
        raise _not_anonymous(applied, project)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ProjectError(f"{output} exists and is not a folder; choose another output folder with -o.")
    result = applied.result
    table = result.table
    kind = table.format.kind
    suffix = {"csv": table.path.suffix if table.path else ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}[kind]
    table_path = output / f"anonymized{suffix or '.csv'}"
    inputs = [*project.input_files, *(protect or [])]
    anonymized = result.anonymized_table(applied.transformation.levels, drop_suppressed=drop_suppressed)
    released = released_day_findings(anonymized, project, dict(applied.transformation.levels))
    guard.require_deidentified(released, where, confirmed=confirmed_deidentified)
    findings += released
    if confirmed_deidentified:
        findings = guard.acknowledged(findings)
    anonymized = pseudonymize_table(anonymized, project)
    if keep_formulas is None:
        keep_formulas = project.release is not None and project.release.keep_formulas
    anonymized, formulas = release_formulas(anonymized, keep=keep_formulas, where=where)
    report_path = output / "apply.json"
    report = {**applied.to_dict(), "data": str(project.data_path), "table": str(table_path), "formulas": formulas,
              "guard": {"confirmed_deidentified": confirmed_deidentified, "findings": [f.to_dict() for f in findings]}}
    protected = [p for p in inputs if p is not None]
    with staged_folder(output, inputs=protected) as stage:  # the table and apply.json together, or neither
        write_table(anonymized, stage / table_path.name, table.format, protect=protected,
                    verify=lambda written: verify_export(written, project, result, drop_suppressed=drop_suppressed,
                                                         neutralised=formulas["neutralised"]))
        write_json(report, stage / report_path.name, inputs=protected)
    return ApplyOutcome(applied, table_path, report_path)


__all__ = ["ApplyError", "ApplyOutcome", "Applied", "SAVED_VERSION", "SavedTransformation", "apply_to_folder",
           "apply_transformation", "load_saved", "missing_values", "saved_transformation"]
