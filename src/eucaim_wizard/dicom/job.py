"""``extract_to_file``: extract a DICOM tree and write the table and its side report."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import guard
from ..errors import TableError
from .extraction import extract
from .model import DicomError, Extraction, Progress
from .reading import _sniff


# -- the job: extract and write -----------------------------------------------------------
@dataclass
class ExtractionOutcome:
    """What :func:`extract_to_file` wrote."""

    extraction: Extraction
    table_path: Path
    report_path: Path


def default_report_path(output: Path) -> Path:
    """``table.csv`` → ``table.report.json`` (beside the table)."""
    return output.with_name(f"{output.stem}.report.json")


def extract_to_file(root: str | os.PathLike, output: str | os.PathLike, *,
                    report: str | os.PathLike | None = None, confirmed: bool = False,
                    level: str = "series", tags: Sequence[str] | None = None, workers: int | None = None,
                    progress: Progress | None = None, profile: str | None = "eucaim") -> ExtractionOutcome:
    """Extract ``root`` into the table ``output`` (CSV/TSV/XLSX/Parquet by suffix) and write
    the side report (JSON) beside it: both appear together or not at all.

    The report is written in every case -- also when the run stops -- with the skipped files
    (path + reason), the conflicts and the guard's findings.

    Raises
    ------
    DicomError
        When no DICOM file could be read (the report says why, file by file).
    IdentifiedDataError
        When the headers look identified and ``confirmed`` is false; nothing but the report
        is written.
    TableError
        When an output would replace an input file, or its folder does not exist.
    """
    from ..tables.output import staged_files, write_json
    from ..tables import write_table

    root, output = Path(root), Path(output)
    report_path = Path(report) if report is not None else default_report_path(output)
    if report_path.resolve() == output.resolve():
        raise TableError(f"The report and the table are both {output}; give the report another name.")
    for path in (output, report_path):  # (the inputs are the DICOM files under root: checked here)
        _refuse_input(path, root)
        if not path.parent.is_dir():
            raise TableError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    extraction = extract(root, level=level, tags=tags, workers=workers, progress=progress, profile=profile)
    data = extraction.to_dict()
    data["confirmed_deidentified"] = confirmed
    if extraction.files_read == 0:
        data["table"] = None
        write_json(data, report_path, inputs=[])
        if not extraction.files_seen and not extraction.skipped:
            raise DicomError(f"No DICOM file could be read under {root}: it holds no files. Give the "
                             f"folder that holds the DICOM files (any depth is walked).")
        example = (f"; e.g. {extraction.skipped[0].path}: {extraction.skipped[0].reason}"
                   if extraction.skipped else "")
        raise DicomError(
            f"No DICOM file could be read under {root}: {extraction.files_seen:,} file(s) seen, "
            f"{extraction.non_dicom:,} not DICOM, {len(extraction.skipped):,} unreadable{example}. "
            f"Every file's reason is in {report_path}.")
    if not confirmed:
        try:
            guard.require_deidentified(extraction.findings, f"The DICOM headers under {root}")
        except guard.IdentifiedDataError as error:
            data["table"] = None
            write_json(data, report_path, inputs=[])
            raise guard.IdentifiedDataError(f"{error} Every finding is in {report_path}.",
                                            error.findings) from None
    data["table"] = str(output)
    with staged_files([output, report_path], inputs=[]) as (table_temp, report_temp):  # both or neither
        write_table(extraction.table, table_temp)
        write_json(data, report_temp, inputs=[])
    return ExtractionOutcome(extraction, output, report_path)


def _refuse_input(path: Path, root: Path) -> None:
    """Refuse an output that is one of the DICOM files being read."""
    if not path.exists():
        return
    inside = path.resolve() == root.resolve() or root.resolve() in path.resolve().parents
    if inside and path.is_file() and _sniff(str(path)) != "other":
        raise TableError(f"Refusing to write {path}: it is one of the DICOM files read from {root}, "
                         f"and the tool never writes over its input. Choose another output file.")
