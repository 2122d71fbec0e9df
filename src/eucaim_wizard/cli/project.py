"""Commands `init`, `validate`, `anonymize` and `check`: a project from its start to its release."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import (KEEP_FORMULAS_HELP, CONFIRM_HELP, LEVELS_HELP, PICK_HELP, STEPS_HELP, STRATEGY_HELP, TIME_LIMIT_HELP,
                     app, choice_from, fail, out, progress_bar, search_line, with_search)


@app.command()
def init(
    data: Annotated[Path, typer.Argument(help="The table (CSV/TSV/XLSX/Parquet).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Project file to write.")] = Path("project.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing project file.")] = False,
    delimiter: Annotated[Optional[str], typer.Option(
        "--delimiter", help="CSV field separator, e.g. ';' or '\\t' (detected if not given).")] = None,
    encoding: Annotated[Optional[str], typer.Option(
        "--encoding", help="CSV text encoding, e.g. cp1252 (detected if not given).")] = None,
    sheet: Annotated[Optional[str], typer.Option(
        "--sheet", help="XLSX sheet: its name, or its 0-based index (default: the first).")] = None,
) -> None:
    """Write a starting project file for a table: every column with a suggested role.

    Roles come from the column names (DICOM keywords, common clinical names) and the values
    (dates, DICOM ages, ICD-10 codes, country codes, ...); a quasi-identifier gets a preset
    hierarchy (hierarchy: preset:NAME); a comment above each column says why. The data file
    is only read, and an existing project file is kept unless --force is given.

    Example: eucaim-wizard init examples/demo/imaging_studies.csv -o studies.yaml
    """
    from ..errors import WizardError
    from ..init import write_starting_project

    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    try:
        written = write_starting_project(data, output, force=force, delimiter=delimiter, encoding=encoding,
                                         sheet=int(sheet) if sheet is not None and sheet.isdigit() else sheet)
    except WizardError as error:
        fail(error)
    out.print(f"wrote {written}: review the roles, attach a hierarchy to every quasi-identifier, "
              f"then run `eucaim-wizard validate {written}`", markup=False)


@app.command()
def validate(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    confirmed: Annotated[bool, typer.Option("--i-confirm-deidentified", help=CONFIRM_HELP)] = False,
) -> None:
    """Check the data, the roles and every hierarchy; print a table of findings.

    Reports values of the data missing from a hierarchy (with record counts), hierarchies
    that are not trees, unknown columns and level ranges outside a hierarchy. Exit code 0
    when the project is usable, 2 when it is not.

    Example: eucaim-wizard validate examples/demo/project.yaml
    """
    from rich.table import Table as RichTable
    from rich.text import Text

    from ..errors import WizardError
    from ..validation import validate_project

    try:
        report = validate_project(project, confirmed_deidentified=confirmed)
    except WizardError as error:
        fail(error)
    for note in report.notes:
        out.print(Text(note, style="dim"))
    if report.findings:
        # Text cells: data values in messages are shown as they are, never read as markup
        table = RichTable(title=Text(f"Findings for {project}"), show_lines=True)
        for column in ("severity", "where", "finding", "records"):
            table.add_column(column, overflow="fold", justify="right" if column == "records" else "left")
        colour = {"error": "red", "warning": "yellow", "info": "blue"}
        for finding in report.findings:
            table.add_row(
                Text(finding.severity, style=colour[finding.severity]),
                Text(finding.where),
                Text.assemble((finding.code, "bold"), ": ", finding.message),
                "" if finding.records is None else f"{finding.records:,}",
            )
        out.print(table)
    out.print(Text(report.summary, style="bold red" if not report.usable else "bold green"))
    if not report.usable:
        raise typer.Exit(2)


@app.command()
def anonymize(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for anonymized.<ext> and result.json.")],
    drop_suppressed: Annotated[bool, typer.Option("--drop-suppressed", help="Remove suppressed records instead of writing '*'.")] = False,
    confirmed: Annotated[bool, typer.Option("--i-confirm-deidentified", help=CONFIRM_HELP)] = False,
    levels: Annotated[Optional[str], typer.Option("--levels", help=LEVELS_HELP)] = None,
    pick: Annotated[Optional[int], typer.Option("--pick", help=PICK_HELP)] = None,
    sort: Annotated[str, typer.Option("--sort", help="The listing's order for --pick: loss, risk or suppressed.")] = "loss",
    every: Annotated[bool, typer.Option("--all", help="--pick counts in the listing of every transformation.")] = False,
    keep_formulas: Annotated[bool, typer.Option("--keep-formulas", help=KEEP_FORMULAS_HELP)] = False,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help=STRATEGY_HELP)] = None,
    time_limit: Annotated[Optional[str], typer.Option("--time-limit", help=TIME_LIMIT_HELP)] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, help=STEPS_HELP)] = None,
) -> None:
    """Find the optimal anonymous transformation and write the anonymized table.

    Writes OUTPUT/anonymized.<ext> (same format as the input, identifiers removed) and
    OUTPUT/result.json. Exit code 3 when no transformation satisfies the privacy models.

    Example: eucaim-wizard anonymize examples/demo/project.yaml -o out/demo
    """
    from ..errors import WizardError
    from ..release import anonymize_to_folder

    try:
        loaded = with_search(project, strategy, time_limit, steps)
        chosen = choice_from(levels, pick, sort, every)
        with progress_bar("searching the lattice") as progress:
            outcome = anonymize_to_folder(loaded, output, drop_suppressed=drop_suppressed, progress=progress,
                                          confirmed_deidentified=confirmed, levels=chosen,
                                          keep_formulas=keep_formulas or None)
    except WizardError as error:
        fail(error)
    result = outcome.result
    applied = outcome.transformation
    shown = ", ".join(f"{name}={level}" for name, level in applied.levels.items())
    optimum = result.optimum
    which = "" if optimum is not None and applied.levels == optimum.levels else " (chosen, not the optimum)"
    out.print(
        f"anonymous{which}: {shown}; information loss {applied.information_loss:.4f} ({result.metric_label}); "
        f"{applied.suppressed_records:,} of {result.n_records:,} records suppressed; "
        f"{applied.equivalence_classes:,} classes, smallest {applied.min_class_size}",
        markup=False,
    )
    for entry in result.privacy_report(result.node_of(applied.levels)):
        out.print(f"  {_model_line(entry)}", markup=False)
    out.print(f"checked {result.checked:,} of {result.lattice_size:,} transformations in {result.seconds:.2f} s",
              markup=False)
    if search_line(result):
        out.print(search_line(result), markup=False)
    out.print(f"wrote {outcome.table_path} and {outcome.result_path}", markup=False)


def _model_line(entry: dict) -> str:
    """``k-anonymity (k=5): holds, achieved k=69`` from a model's report entry."""
    name = next(key for key in entry if key not in ("holds", "achieved", "violating_classes",
                                                     "violating_records", "example_rows"))
    params = ", ".join(f"{k}={v}" for k, v in entry[name].items())
    achieved = ", ".join(f"{k}={_number(v)}" for k, v in (entry.get("achieved") or {}).items())
    verdict = "holds" if entry["holds"] else "does NOT hold"
    return f"{name} ({params}): {verdict}" + (f"; achieved {achieved}" if achieved else "")


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@app.command()
def check(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    data: Annotated[Optional[Path], typer.Option(
        "--data", help="Check this table instead of the project's data (e.g. a file anonymized elsewhere).")] = None,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Also write the verdicts as JSON.")] = None,
) -> None:
    """Does the table, as it is, satisfy the project's privacy models?

    Groups the records by their quasi-identifier values as they are (no generalization;
    records with '*' in every quasi-identifier count as suppressed) and checks every model:
    whether it holds, the value achieved (smallest k or l, largest t, ...) and the classes and
    records that violate it. Exit code 0 when every model holds, 1 when one does not.

    Example: eucaim-wizard check examples/demo/project.yaml --data out/demo/anonymized.csv
    """
    from ..check import check_table
    from ..errors import WizardError
    from ..tables.output import refuse_inputs, write_json
    from ..project import load_project
    from ..tables import read_table

    try:
        loaded = load_project(project)
        inputs = [project, *loaded.input_files, data]
        if json_path is not None:
            refuse_inputs(json_path, inputs)  # before the work, not after it
        table = loaded.load_table() if data is None else read_table(data)
        report = check_table(loaded, table)
        if json_path is not None:
            write_json(report.to_dict(), json_path, inputs=inputs)
    except WizardError as error:
        fail(error)
    source = data or loaded.data_path or "the table"
    out.print(f"{source}: {report.records:,} records, {report.classes:,} classes; "
              f"{report.suppressed_records:,} suppressed (limit {report.max_suppressed:,})"
              + ("" if report.suppression_ok else " -- over the limit"), markup=False)
    for model in report.models:
        entry = model.to_dict()
        line = _model_line(entry)
        if model.violating_classes:
            rows = ", ".join(str(r + 1) for r in model.example_rows)
            line += (f"; {model.violating_records:,} records in {model.violating_classes:,} classes violate it "
                     f"(e.g. data rows {rows})")
        out.print(f"  {line}", markup=False)
    out.print("all models hold" if report.holds else "NOT every model holds", markup=False)
    if not report.holds:
        raise typer.Exit(1)
