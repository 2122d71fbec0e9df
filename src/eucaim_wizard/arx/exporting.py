"""``export_arx``: describe a project for ARX (data, hierarchies in ARX's format, ARX.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from ..hierarchies.hierarchy import Hierarchy
from ..tables.output import staged_folder, write_text
from .importing import _check_targets, _safe_name


# --- describing a project for ARX -------------------------------------------------------
_ARX_TYPES = {"identifier": "Identifying", "quasi-identifier": "Quasi-identifying",
              "sensitive": "Sensitive", "insensitive": "Insensitive"}
_ARX_MODELS = {
    "k-anonymity": "k-Anonymity", "distinct-l-diversity": "l-Diversity (distinct)",
    "entropy-l-diversity": "l-Diversity (entropy)", "recursive-cl-diversity": "l-Diversity (recursive-(c,l))",
    "t-closeness": "t-Closeness", "delta-disclosure": "δ-Disclosure privacy", "beta-likeness": "β-Likeness",
    "average-risk": "Average re-identification risk", "sample-uniqueness": "Sample uniqueness", "k-map": "k-Map",
}
_ARX_METRICS = {"loss": "Loss", "precision": "Precision", "height": "Height", "discernibility": "Discernibility",
                "aecs": "Average equivalence class size", "entropy": "Non-uniform entropy"}


@dataclass
class ArxExport:
    """What :func:`export_arx` wrote."""

    folder: Path
    data_path: Path
    hierarchy_paths: dict[str, Path]
    description_path: Path


def export_arx(project: Any, output: str | os.PathLike, *, force: bool = False,
               confirmed_deidentified: bool = False) -> ArxExport:
    """Write what the ARX GUI needs to reproduce a project: data, hierarchies and instructions.

    Writes into the folder ``output`` (created if missing): ``data.csv`` (``;``-separated,
    identifier columns left out: ARX would remove them anyway), ``hierarchy_<attribute>.csv``
    in ARX's format (``;``, no header) for every attribute with a hierarchy, and ``ARX.md``,
    the settings to make in the ARX GUI step by step (types, hierarchies, level limits,
    privacy models, suppression limit, metric, weights). No ``.deid`` is written: ARX loads
    its projects from Java-serialized GUI objects (``input/config.dat``), which cannot be
    produced faithfully without ARX.

    Parameters
    ----------
    project
        A :class:`~eucaim_wizard.project.Project` or the path of a project file.
    output
        The folder to write into.
    force
        Replace files that already exist there.
    confirmed_deidentified
        Go on although the de-identification guard finds signs of identified data in what
        ``data.csv`` would hold (as ``anonymize --i-confirm-deidentified``).

    Raises
    ------
    IdentifiedDataError
        The data looks identified and ``confirmed_deidentified`` is false: nothing is written.
    """
    from ..project import Project, Role, load_project
    from ..tables import TableFormat, write_table

    if not isinstance(project, Project):
        project = load_project(project)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} is a file; give a folder for the ARX files.")
    from .. import guard

    table = project.load_table()
    # data.csv leaves the tool as the input of another: the same guard as a release
    guard.require_deidentified(guard.check_table(table, project), str(project.data_path or "the table"),
                               confirmed=confirmed_deidentified)
    with_hierarchy = [n for n, a in project.attributes.items() if a.hierarchy is not None
                      and a.role in (Role.QUASI_IDENTIFIER, Role.SENSITIVE)]
    hierarchies = {name: project.load_hierarchy(name) for name in with_hierarchy}
    files: dict[str, str] = {}
    for name in with_hierarchy:
        candidate, n = f"hierarchy_{_safe_name(name)}.csv", 2
        while candidate in files.values():
            candidate, n = f"hierarchy_{_safe_name(name)}_{n}.csv", n + 1
        files[name] = candidate
    keep = [c for c in table.columns if c not in project.identifiers]
    targets = [folder / "ARX.md", folder / "data.csv"] + [folder / f for f in files.values()]
    inputs = project.input_files
    with staged_folder(folder, inputs=inputs) as staging:  # every file together or none
        _check_targets(targets, inputs, force, f"Exporting to {folder}")
        write_table(table.select(keep), staging / "data.csv", TableFormat("csv", delimiter=";"))
        for name, file in files.items():
            Hierarchy(hierarchies[name].table, name=name).write(staging / file)
        write_text(staging / "ARX.md", _description(project, table, keep, files, hierarchies), inputs=inputs)
    return ArxExport(folder, folder / "data.csv", {n: folder / f for n, f in files.items()}, folder / "ARX.md")


def _model_text(model: Any) -> str:
    (key, params), = model.to_config().items()
    name = _ARX_MODELS.get(key, key)
    values = ", ".join(f"{k} = {v}" for k, v in params.items())
    return f"{name}: {values}" if values else name


def _description(project, table, keep, files, hierarchies) -> str:
    metric = project.metric
    source = project.source.name if project.source else "a project built in code"
    lines = [
        "# Configuring this project in ARX", "",
        f"Written by `eucaim-wizard export-arx` from {source}. ARX (arx.deidentifier.org) cannot read",
        "eucaim-wizard projects directly; these files and steps reproduce the configuration in the",
        "ARX GUI (version 3.9), so that both tools can be run on the same configuration.", "",
        "## 1. Data", "",
        "File > New project, then File > Import data: `data.csv` (CSV, separator `;`, first row holds",
        f"the attribute names; {table.n_rows:,} records, {len(keep)} columns).",
    ]
    if project.identifiers:
        lines.append(f"Identifier columns are left out of `data.csv` (ARX would remove them from its output "
                     f"anyway): {', '.join(project.identifiers)}.")
    lines += ["", "## 2. Attributes", "",
              "In the *Configure transformation* perspective, select each attribute and set its type; for",
              "quasi-identifiers load the hierarchy file (hierarchy editor, *Load*) and set the minimum and",
              "maximum generalization level.", "",
              "| attribute | ARX type | hierarchy file | levels | min | max | weight |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in keep:
        attribute = project.attributes.get(name)
        role = attribute.role.value if attribute else "insensitive"
        file = files.get(name, "")
        levels = f"0–{hierarchies[name].n_levels - 1}" if name in hierarchies else ""
        low = high = weight = ""
        if attribute is not None and attribute.role.value == "quasi-identifier" and name in hierarchies:
            low, high = project.level_range(name, hierarchies[name])
            weight = f"{attribute.weight:g}"
        lines.append(f"| {name} | {_ARX_TYPES[role]} | {f'`{file}`' if file else ''} | {levels} | {low} | {high} "
                     f"| {weight} |")
    lines += ["", "## 3. Privacy models", "", "Add each model (*Privacy models*, `+`):", ""]
    lines += [f"- {_model_text(model)}" for model in project.privacy] or ["- (none: add one before anonymizing)"]
    aggregate = metric.aggregate_function
    lines += ["", "## 4. General settings and quality model", "",
              f"- Suppression limit: {project.suppression_limit:.4g} ({project.suppression_limit:.1%} of the records)",
              f"- Quality model: {_ARX_METRICS[metric.name]}" + (" (monotonic variant)" if metric.monotonic else ""),
              f"- Generalization/suppression factor (gs-factor): {metric.gs_factor:g}",
              f"- Aggregate function: {aggregate.replace('-', ' ')}",
              "- Attribute weights: as in the table above (ARX's default is 0.5)",
              "- Search: optimal (not heuristic); transformation: global", "",
              "## 5. Run", "",
              "Click *Anonymize*. ARX's optimum should be the one `eucaim-wizard anonymize` reports, with",
              "the same information loss. ARX scores",
              "hierarchies built with its redaction or interval builders from the builder's domain",
              "model; these files are plain tables, so ARX scores them from their rows, as eucaim-wizard does.", ""]
    return "\n".join(lines)
