"""The Export page's work, without Streamlit: the release of the selected candidate written by
:func:`eucaim_wizard.workflow.run_workflow` (the same files as ``eucaim-wizard run``), and the
project bundle that reproduces it from the command line."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .session import Session

if TYPE_CHECKING:
    from ..workflow import RunOutcome

Progress = Callable[[int, int], None]

#: what the page offers, in order: (key of RunOutcome.files, label)
DOWNLOADS = (("table", "Anonymized table"), ("xlsx", "Anonymized table (XLSX)"), ("parquet", "Anonymized table (Parquet)"),
             ("report_pdf", "Report (PDF)"), ("result", "result.json"), ("risk", "risk.json"),
             ("utility", "utility.json"), ("report_json", "report.json"))


def release_levels(session: Session) -> dict[str, int] | None:
    """The levels the project file names: the selected candidate's when it is not the optimum
    (``transformation: {levels: …}``), else none (the run releases the optimum)."""
    chosen = session.chosen_levels()
    result = session.result()
    if chosen is None or (result.optimum is not None and chosen == dict(result.optimum.levels)):
        return None
    return chosen


def prepare_release(session: Session, output: Path | None = None, *, xlsx: bool = True, parquet: bool = True,
                    drop_suppressed: bool = False, classification: bool = True, folds: int = 10,
                    progress: Progress | None = None, step: Callable[[str], None] | None = None) -> RunOutcome:
    """Write the release of the session's selected candidate into ``output`` (default: a
    folder in the session's temporary folder, replaced), as ``eucaim-wizard run`` would from
    the project file the session writes (that file is among the outputs)."""
    from ..project import load_project
    from ..workflow import run_workflow

    project_path = session.write_project(levels=release_levels(session))
    project = load_project(project_path)
    target = output if output is not None else session.workdir / "release"
    if output is None and target.exists():
        shutil.rmtree(target)
    outcome = run_workflow(project, target, xlsx=xlsx, drop_suppressed=drop_suppressed,
                           confirmed_deidentified=session.confirmed_deidentified, population=session.population,
                           threshold=session.threshold, classification=classification, folds=folds,
                           progress=progress, step=step)
    if parquet and outcome.files["table"].suffix.lower() != ".parquet":
        outcome.files["parquet"] = _parquet_copy(outcome, session.workdir / "parquet")
    return outcome


def _parquet_copy(outcome: RunOutcome, folder: Path) -> Path:
    """The anonymized table as Parquet (read back from the written file, so the cells are the
    same), kept apart from the release folder."""
    from ..tables import TableFormat, read_table, write_table
    from ..tables.formulas import restore_formulas

    folder.mkdir(exist_ok=True)
    table = read_table(outcome.files["table"])
    saved = outcome.report.get("formulas") or {}
    if saved.get("neutralised"):
        table = restore_formulas(table)
    path = folder / "anonymized.parquet"
    write_table(table, path, TableFormat("parquet"))
    return path


def hierarchy_files(outcome: RunOutcome) -> dict[str, Path]:
    """Attribute → the hierarchy written with the release (ARX CSV)."""
    return {key.split(":", 1)[1]: path for key, path in outcome.files.items() if key.startswith("hierarchy:")}


def project_bundle(session: Session, outcome: RunOutcome) -> bytes:
    """A zip of ``project.yaml`` and the hierarchy files it names: put the data beside them and
    ``eucaim-wizard run project.yaml -o OUTDIR`` gives the same release."""
    project_path = outcome.files.get("project") or session.workdir / "project.yaml"
    text = project_path.read_text(encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.yaml", text)
        for entry in session.attributes.values():
            name = entry.get("hierarchy")
            if entry.get("role") == "quasi-identifier" and isinstance(name, str) and not name.startswith("preset:"):
                path = session.workdir / name
                if path.exists():
                    archive.write(path, name)
        if session.data_derived and session.data_path is not None:  # (made here: the curator has no copy)
            archive.write(session.data_path, session.data_path.name)
        archive.writestr("README.txt", reproduce_note(session))
    return buffer.getvalue()


def reproduce_note(session: Session) -> str:
    """How to reproduce the release from the command line."""
    data = session.data_path.name if session.data_path is not None else "the data file"
    where = (f"{data} (made by the wizard, in this bundle) is beside project.yaml" if session.data_derived else
             f"put {data} beside project.yaml (when it was uploaded; a path opened is named in full)")
    return (f"The release as configuration: project.yaml names the table, the roles, the hierarchies, the "
            f"privacy models and the chosen candidate.\n\nTo reproduce it, {where}, and run:\n\n"
            f"    eucaim-wizard run project.yaml -o release\n\n"
            f"The anonymized table is then byte-identical to the one downloaded from the wizard.\n")
