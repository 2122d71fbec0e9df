"""The command line: a thin layer over the library (parse, call, print, exit code).

Heavy modules are imported inside the commands, so that ``--help`` and short jobs start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

app = typer.Typer(
    name="eucaim-wizard",
    help=(
        "Statistical de-identification of tabular health data (k-anonymity and extensions), "
        "giving the same answers as ARX.\n\n"
        "Typical session:\n\n"
        "  eucaim-wizard init data.csv -o project.yaml   # a starting project\n\n"
        "  eucaim-wizard validate project.yaml           # data, roles, hierarchies\n\n"
        "  eucaim-wizard anonymize project.yaml -o out/  # optimal k-anonymous table"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def _fail(error: Exception) -> None:
    """Print a user error as one paragraph and exit with its code (never a traceback)."""
    from .errors import WizardError

    code = error.exit_code if isinstance(error, WizardError) else 2
    err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
    raise typer.Exit(code)


@app.command()
def init(
    data: Annotated[Path, typer.Argument(help="The table (CSV/TSV/XLSX/Parquet).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Project file to write.")] = Path("project.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing project file.")] = False,
) -> None:
    """Write a starting project file for a table: every column with a suggested role.

    Example: eucaim-wizard init examples/clinical.csv -o clinical.yaml
    """
    from .errors import WizardError
    from .init import write_starting_project

    try:
        written = write_starting_project(data, output, force=force)
    except WizardError as error:
        _fail(error)
    out.print(f"wrote {written}: review the roles, attach a hierarchy to every quasi-identifier, "
              f"then run `eucaim-wizard validate {written}`")


@app.command()
def validate(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
) -> None:
    """Check the data, the roles and every hierarchy; print a table of findings.

    Exit code 0 when the project is usable, 2 when it is not.

    Example: eucaim-wizard validate examples/adult/project.yaml
    """
    from rich.table import Table as RichTable

    from .errors import WizardError
    from .validation import validate_project

    try:
        report = validate_project(project)
    except WizardError as error:
        _fail(error)
    for note in report.notes:
        out.print(f"[dim]{note}[/]")
    if report.findings:
        table = RichTable(title=f"Findings for {project}", show_lines=False)
        for column in ("severity", "where", "finding", "records"):
            table.add_column(column, overflow="fold")
        colour = {"error": "red", "warning": "yellow", "info": "blue"}
        for finding in report.findings:
            table.add_row(
                f"[{colour[finding.severity]}]{finding.severity}[/]",
                finding.where,
                finding.message,
                "" if finding.records is None else f"{finding.records:,}",
            )
        out.print(table)
    out.print(report.summary)
    if not report.usable:
        raise typer.Exit(2)


@app.command()
def anonymize(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for anonymized.<ext> and result.json.")],
    drop_suppressed: Annotated[bool, typer.Option("--drop-suppressed", help="Remove suppressed records instead of writing '*'.")] = False,
) -> None:
    """Find the optimal anonymous transformation and write the anonymized table.

    Writes OUTPUT/anonymized.<ext> (same format as the input, identifiers removed) and
    OUTPUT/result.json. Exit code 3 when no transformation satisfies the privacy models.

    Example: eucaim-wizard anonymize examples/adult/project.yaml -o out/adult
    """
    from .errors import WizardError
    from .project import load_project
    from .run import anonymize_to_folder

    try:
        loaded = load_project(project)
        with _progress("searching the lattice") as progress:
            outcome = anonymize_to_folder(loaded, output, drop_suppressed=drop_suppressed, progress=progress)
    except WizardError as error:
        _fail(error)
    result = outcome.result
    optimum = result.optimum
    levels = ", ".join(f"{name}={level}" for name, level in optimum.levels.items())
    out.print(
        f"anonymous: {levels}; information loss {optimum.information_loss:.4f} ({result.metric_label}); "
        f"{optimum.suppressed_records:,} of {result.n_records:,} records suppressed; "
        f"{optimum.equivalence_classes:,} classes, smallest {optimum.min_class_size}"
    )
    out.print(f"checked {result.checked:,} of {result.lattice_size:,} transformations in {result.seconds:.2f} s")
    out.print(f"wrote {outcome.table_path} and {outcome.result_path}")


class _progress:
    """A rich progress bar on stderr that appears only when the work takes over a second."""

    def __init__(self, label: str):
        self.label = label
        self._bar = None
        self._task = None
        self._start = 0.0

    def __enter__(self):
        import time

        self._start = time.perf_counter()
        return self

    def __call__(self, done: int, total: int) -> None:
        import time

        if self._bar is None:
            if time.perf_counter() - self._start < 1.0 or not sys.stderr.isatty():
                return
            from rich.progress import Progress

            self._bar = Progress(console=err, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def main() -> None:
    """Entry point of the ``eucaim-wizard`` console script."""
    app()


if __name__ == "__main__":
    main()
