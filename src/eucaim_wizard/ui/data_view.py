"""What the Data and Roles pages show, computed without Streamlit: a preview, each column's
counts, the roles table and the guard's findings by column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import Finding, ProjectError, WizardError
from .session import ROLES, Session

if TYPE_CHECKING:
    from ..tables import Table

PREVIEW_ROWS = 200
#: the columns of the roles table, in order (column, suggestion and findings are read-only)
ROLE_COLUMNS = ("column", "role", "hierarchy", "min level", "max level", "weight", "suggestion", "findings")


def preview(table: Table, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first ``rows`` records, every cell as read (text)."""
    head = table.take(np.arange(min(rows, table.n_rows)))
    return pd.DataFrame({name: head.column(name) for name in head.columns})


def column_profile(table: Table) -> pd.DataFrame:
    """One row per column: distinct values, missing (empty) cells and their share, the most
    frequent value's share (a value shared by few records is never quoted)."""
    rows = []
    for name in table.columns:
        codes, categories = table.codes(name), table.categories(name)
        counts = np.bincount(codes, minlength=len(categories))
        blank = np.array([not str(v).strip() for v in categories], dtype=bool)
        missing = int(counts[blank].sum()) if len(categories) else 0
        top = int(counts.max()) if len(counts) else 0
        rows.append({"column": name, "distinct": int((counts > 0).sum()), "missing": missing,
                     "share missing": missing / table.n_rows if table.n_rows else 0.0,
                     "most frequent share": top / table.n_rows if table.n_rows else 0.0})
    return pd.DataFrame(rows)


def findings_by_column(session: Session) -> dict[str, list[Finding]]:
    """The guard's and the validation's findings about each column (their values hidden: the
    messages never quote data)."""
    from ..validation import validate_project

    table = session.table
    if table is None:
        return {}
    try:
        report = validate_project(session.project(), confirmed_deidentified=session.confirmed_deidentified,
                                  table=table)
        findings = list(report.findings)
    except WizardError as error:  # (a project that does not load yet: the guard alone)
        from .. import guard

        identifiers = [n for n, e in session.attributes.items() if e.get("role") == "identifier"]
        findings = guard.check_table(table, identifiers=identifiers) + [
            Finding("error", "project", str(error))]
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        column = finding.where if finding.where in table.columns else ""
        out.setdefault(column, []).append(finding)
    return out


def hierarchy_label(value: Any) -> str:
    """How the roles table names a hierarchy setting."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return f"builder: {value.get('builder', '?')}"
    return str(value)


def roles_frame(session: Session, findings: dict[str, list[Finding]]) -> pd.DataFrame:
    """The roles table: one row per column with its role, the suggestion and why, the guard's
    findings, its hierarchy and levels."""
    rows = []
    for name, entry in session.attributes.items():
        said = "; ".join(f"{f.severity}: {f.message}" for f in findings.get(name, []))
        rows.append({"column": name, "suggestion": session.reasons.get(name, ""), "findings": said,
                     "role": entry.get("role", "insensitive"), "hierarchy": hierarchy_label(entry.get("hierarchy")),
                     "min level": entry.get("min_level"), "max level": entry.get("max_level"),
                     "weight": float(entry.get("weight", 0.5))})
    frame = pd.DataFrame(rows, columns=list(ROLE_COLUMNS))
    for column in ("min level", "max level"):
        frame[column] = frame[column].astype("Int64")
    return frame


def apply_roles(session: Session, edited: pd.DataFrame) -> list[str]:
    """Write the edited roles table back into the session; returns what changed, in words.

    A quasi-identifier without a hierarchy gets the preset its suggestion names, if any.
    """
    changed = []
    for row in edited.to_dict("records"):
        name = row["column"]
        entry = dict(session.attributes.get(name, {}))
        before = dict(entry)
        role = row.get("role") if row.get("role") in ROLES else "insensitive"
        entry["role"] = role
        label = row.get("hierarchy") if isinstance(row.get("hierarchy"), str) else ""
        if label and not label.startswith("builder:"):
            entry["hierarchy"] = label
        elif not label:  # (cleared: the suggested preset below, if any)
            entry.pop("hierarchy", None)
        if role == "quasi-identifier" and not entry.get("hierarchy"):
            preset = _suggested_preset(session.reasons.get(name, ""))
            if preset:
                entry["hierarchy"] = preset
        for key, column in (("min_level", "min level"), ("max_level", "max level")):
            value = row.get(column)
            entry.pop(key, None)
            if value is not None and not pd.isna(value):
                entry[key] = int(value)
        weight = row.get("weight")
        entry.pop("weight", None)
        if weight is not None and not pd.isna(weight) and float(weight) != 0.5:
            entry["weight"] = float(weight)
        if _settings(entry) != _settings(before):
            session.attributes[name] = entry
            changed.append(name)
    if changed:
        session.selected = None
    return changed


def _settings(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without its unset keys (None, the default weight), for comparing."""
    return {k: v for k, v in entry.items() if v is not None and not (k == "weight" and float(v) == 0.5)}


def _suggested_preset(reason: str) -> str | None:
    """The preset a suggestion's text names (``… (preset:NAME) …``), if any."""
    start = reason.find("(preset:")
    if start < 0:
        return None
    return reason[start + 1:reason.find(")", start)]


def hierarchy_options(session: Session) -> list[str]:
    """What the roles table's hierarchy column offers: every preset, the files and builders in use."""
    from ..hierarchies.presets import PRESET_PREFIX, load_library

    used = [hierarchy_label(e.get("hierarchy")) for e in session.attributes.values() if e.get("hierarchy")]
    presets = [PRESET_PREFIX + name for name in load_library().names()]
    return list(dict.fromkeys([""] + used + presets))


def lattice_size(session: Session) -> int | None:
    """How many transformations the search space has (None: the project does not load yet)."""
    def size() -> int | None:
        try:
            project = session.project()
            total = 1
            for name in project.quasi_identifiers:
                low, high = project.level_range(name, project.load_hierarchy(name))
                total *= high - low + 1
            return total
        except WizardError:
            return None

    try:
        return session.cached("lattice size", size)
    except ProjectError:  # (no table yet)
        return None
