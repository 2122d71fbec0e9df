"""``extract``: a folder of DICOM files into a table, with the de-identification guard."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, err, fail, out, progress_bar


@app.command()
def extract(
    dicom_dir: Annotated[Path, typer.Argument(help="Folder of DICOM files (any depth, with or without .dcm), or one file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Table to write (.csv, .tsv, .xlsx, .parquet).")],
    level: Annotated[str, typer.Option("--level", help="One row per 'series' (EUCAIM ETL) or per 'study'.")] = "series",
    tags: Annotated[Optional[str], typer.Option(
        "--tags", help="DICOM keywords to extract, comma-separated (default: the EUCAIM ETL columns, "
                       "the quasi-identifiers and the de-identification markers); +Keyword,... adds to the default.")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="Side report (JSON) to write; default: beside the table, <name>.report.json.")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, help="Processes reading files (default: one per CPU on large trees).")] = None,
    confirmed: Annotated[bool, typer.Option(
        "--i-confirm-deidentified", help="Extract even if the headers look identified (the findings are kept in the report).")] = False,
) -> None:
    """Read the DICOM headers under a folder into a table, one row per series (or study).

    Columns are named by DICOM keyword; values are normalised (numbers without float noise,
    PatientAge as 045Y, dates as YYYYMMDD, several values joined with a backslash). Files
    that are not DICOM are counted; damaged ones are listed in the side report with the
    reason. Stops with exit code 2 when the headers look identified (PatientIdentityRemoved
    not YES, real-looking names, vendor UIDs, days other than 01, ...) unless
    --i-confirm-deidentified is given, and when no file could be read.

    Example: eucaim-wizard extract examples/dicom -o series.csv --level series
    """
    from rich.markup import escape

    from ..dicom import extract_to_file
    from ..errors import WizardError

    try:
        with progress_bar("reading DICOM headers") as progress:
            outcome = extract_to_file(dicom_dir, output, report=report, confirmed=confirmed, level=level,
                                      tags=tags.split(",") if tags is not None else None, workers=workers,
                                      progress=progress)
    except WizardError as error:
        fail(error)
    result = outcome.extraction
    rows = "series" if result.level == "series" else "study" if result.table.n_rows == 1 else "studies"
    out.print(f"read {result.files_read:,} DICOM file(s) into {result.table.n_rows:,} {rows} "
              f"x {len(result.tags)} columns in {result.seconds:.1f} s; wrote {outcome.table_path} "
              f"and {outcome.report_path}", markup=False)
    if result.non_dicom:
        out.print(f"ignored {result.non_dicom:,} file(s) that are not DICOM images", markup=False)
    if result.skipped:
        first = result.skipped[0]
        err.print(f"[yellow]warning:[/] {len(result.skipped):,} file(s) could not be read (e.g. "
                  f"{escape(first.path)}: {escape(first.reason)}); all are listed in "
                  f"{escape(str(outcome.report_path))}", markup=True, highlight=False)
    for conflict in result.conflicts:
        out.print(f"note: {conflict.keyword} differs between files of {conflict.rows:,} row(s) (e.g. row "
                  f"{conflict.example_row}); the first file's value was kept", markup=False)
    shown = [f for f in result.findings if f.severity != "info"]
    if result.looks_identified:  # only reached with --i-confirm-deidentified
        err.print(f"[yellow]warning:[/] the headers look identified; extracted because "
                  f"--i-confirm-deidentified was given (the findings are in "
                  f"{escape(str(outcome.report_path))}):", markup=True, highlight=False)
        for finding in shown[:8]:
            err.print(f"  - {finding.message}", markup=False, highlight=False)
        if len(shown) > 8:
            err.print(f"  ... and {len(shown) - 8} more", markup=False, highlight=False)
    else:
        for finding in shown:
            err.print(f"[yellow]warning:[/] {escape(finding.message)}", markup=True, highlight=False)
