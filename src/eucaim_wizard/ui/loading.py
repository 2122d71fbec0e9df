"""Step 1 of the wizard without Streamlit: open a table, a project file, an ARX project or a
folder of DICOM files into a :class:`~eucaim_wizard.ui.session.Session`.

Every function raises the library's :class:`~eucaim_wizard.errors.WizardError` (one
paragraph naming the file and what to do) on bad input; the page shows it as it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from ..errors import ProjectError
from .session import Session

PROJECT_SUFFIXES = (".yaml", ".yml")
ARX_SUFFIXES = (".deid",)
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")


def open_path(session: Session, path: str | Path, *, confirmed: bool = False) -> str:
    """Open ``path`` by what it is: a project file, an ARX project, a DICOM folder or a
    table; returns what was opened, in words."""
    path = Path(str(path).strip()).expanduser()
    if not str(path).strip() or str(path) == ".":
        raise ProjectError("give the path of a table, a project file (.yaml), an ARX project (.deid) "
                           "or a folder of DICOM files")
    if path.is_dir():
        return open_dicom(session, path, confirmed=confirmed)
    if not path.exists():
        raise ProjectError(f"{path} does not exist; check the path (it is read on the machine the "
                           f"wizard runs on, not uploaded).")
    suffix = path.suffix.lower()
    if suffix in PROJECT_SUFFIXES:
        return open_project(session, path)
    if suffix in ARX_SUFFIXES:
        return open_arx(session, path)
    return open_table(session, path, note=f"opened {path}")


def open_upload(session: Session, name: str, content: bytes) -> str:
    """Open an uploaded file (kept in the session's folder) by its suffix."""
    suffix = Path(name).suffix.lower()
    saved = session.save_upload(name, content)
    if suffix in PROJECT_SUFFIXES:
        raise ProjectError(f"{name} is a project file: its data and hierarchies are files beside it, "
                           f"which an upload does not bring; give its path instead (\"Open a path\").")
    if suffix in ARX_SUFFIXES:
        return open_arx(session, saved)
    return open_table(session, saved, note=f"uploaded {name}")


def open_table(session: Session, path: Path, *, note: str, delimiter: str | None = None,
               encoding: str | None = None, sheet: str | int | None = None) -> str:
    """Read the table at ``path`` and suggest a role for every column."""
    from ..tables import read_table

    table = read_table(path, delimiter=delimiter, encoding=encoding, sheet=sheet)
    session.set_table(table, Path(path).resolve(), note)
    suggest_attributes(session)
    return f"{note}: {table.n_rows:,} rows, {len(table.columns)} columns ({describe_format(session)})"


def describe_format(session: Session) -> str:
    """The detected format, in words."""
    table = session.table
    if table is None:
        return ""
    fmt = table.format
    if fmt.kind == "csv":
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(fmt.delimiter, repr(fmt.delimiter))
        return f"CSV, {delimiter}-separated, {fmt.encoding}"
    if fmt.kind == "xlsx":
        return f"XLSX, sheet {fmt.sheet!r}" if fmt.sheet is not None else "XLSX, first sheet"
    return fmt.kind.upper()


def suggest_attributes(session: Session) -> None:
    """Every column's suggested settings and why: the starting project of ``eucaim-wizard init``
    (presets kept only where the project validates; a quasi-identifier without a usable
    preset is removed until it gets a hierarchy) with the reasons of :mod:`eucaim_wizard.roles`."""
    from ..init import starting_project_text, starting_suggestions

    table = session.table
    assert table is not None and session.data_path is not None
    found = starting_suggestions(table)  # (once: the guard and the suggestions read every value)
    text = starting_project_text(table, session.data_path, session.workdir, suggestions=found)
    attributes = (yaml.safe_load(text) or {}).get("attributes") or {}
    suggestions = {s.column: s for s in found}
    session.attributes = {}
    for name in table.columns:
        entry = dict(attributes.get(name) or {"role": "insensitive"})
        session.attributes[name] = entry
        suggestion = suggestions.get(name)
        if suggestion is not None:
            said = f"suggested: {suggestion.role.value}"
            if suggestion.preset:
                said += f" (preset:{suggestion.preset})"
            if suggestion.role.value == "quasi-identifier" and entry.get("role") != "quasi-identifier":
                said += "; kept out (identifier) until it has a hierarchy that fits"
            session.reasons[name] = f"{said}. {suggestion.reason}"


def open_project(session: Session, path: Path) -> str:
    """Open a project file: its table, settings, models and chosen candidate. Hierarchy files
    are copied into the session's folder, so that the project written back names them beside it."""
    from ..project import load_project

    project = load_project(path)  # (validates: one paragraph on any error)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data_path = project.data_path
    if data_path is None:
        raise ProjectError(f"{path}: its data is not a file; the wizard opens projects whose `data:` names a file")
    fmt = {k: v for k, v in (raw.get("format") or {}).items() if v is not None}
    table = project.load_table()
    session.set_table(table, data_path.resolve(), f"opened the project {path}", fmt=fmt or None)
    attributes = {name: {"role": "insensitive"} for name in table.columns}
    for name, entry in (raw.get("attributes") or {}).items():
        attributes[name] = _local_hierarchy(session, name, dict(entry), project.base_dir)
    session.attributes = attributes
    session.reasons = {name: "from the project file" for name in raw.get("attributes") or {}}
    session.privacy = [dict(model) if isinstance(model, dict) else {str(model): {}} for model in raw.get("privacy") or []]
    session.suppression_limit = float(raw.get("suppression_limit", 0.0))
    session.metric = raw.get("metric", "loss")
    session.release = dict(raw.get("release") or {})
    session.search = dict(raw.get("search") or {})
    levels = ((raw.get("transformation") or {}).get("levels"))
    if isinstance(levels, dict):
        session.selected = {str(k): int(v) for k, v in levels.items()}
    return f"opened the project {path}: {table.n_rows:,} rows, {len(table.columns)} columns, data {data_path}"


def _local_hierarchy(session: Session, name: str, entry: dict[str, Any], base: Path) -> dict[str, Any]:
    """``entry`` with its hierarchy file (if any) copied into the session's folder."""
    from ..release import hierarchy_file_name

    hierarchy = entry.get("hierarchy")
    if isinstance(hierarchy, str) and not hierarchy.startswith("preset:"):
        source = Path(hierarchy) if Path(hierarchy).is_absolute() else base / hierarchy
        target = session.workdir / hierarchy_file_name(name)
        shutil.copyfile(source, target)
        entry["hierarchy"] = target.name
    return entry


def open_arx(session: Session, path: Path) -> str:
    """Open an ARX project (``.deid``): converted by :func:`eucaim_wizard.arx.import_arx` into
    the session's folder, then opened as a project; what ARX used and the wizard cannot
    express is returned with it."""
    from ..arx import import_arx

    imported = import_arx(path, session.workdir / "arx_import.yaml", force=True)
    said = open_project(session, session.workdir / "arx_import.yaml")
    session.data_derived = True
    return f"converted the ARX project {path}; {said}.\n\n{imported.report()}"


def open_dicom(session: Session, folder: Path, *, confirmed: bool = False) -> str:
    """Extract one row per series from the DICOM files under ``folder`` (with the guard: a
    header that looks identified stops here unless ``confirmed``), then open the table."""
    from ..dicom import extract_to_file

    output = session.workdir / "dicom_metadata.csv"
    extract_to_file(folder, output, confirmed=confirmed)
    said = open_table(session, output, note=f"extracted from the DICOM files under {folder}")
    session.data_derived = True
    return said
