"""``eucaim-wizard hierarchies list|show|export|convert|repair``: the preset hierarchy library,
and rewriting a hierarchy file in ARX's form (repairing it where it is not a tree)."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, fail, out

hierarchies_app = typer.Typer(
    name="hierarchies",
    help=("The EUCAIM preset hierarchies: list them, show one, export one as an ARX CSV file; convert or "
          "repair a hierarchy file into a valid ARX CSV file.\n\n"
          "Use a preset in a project file as `hierarchy: preset:NAME`.\n\n"
          "Example: eucaim-wizard hierarchies show manufacturer"),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(hierarchies_app)


@hierarchies_app.command("list")
def list_presets() -> None:
    """List the presets: name, kind (static file or builder), levels and what they fit.

    Example: eucaim-wizard hierarchies list
    """
    from rich.table import Table as RichTable
    from rich.text import Text

    from ..errors import WizardError
    from ..hierarchies.presets import load_library

    try:
        library = load_library()
    except WizardError as error:
        fail(error)
    table = RichTable(title=Text(f"{len(library)} preset hierarchies (use as `hierarchy: preset:NAME`)"))
    for column in ("name", "kind", "levels", "fits", "what it is"):
        table.add_column(column, overflow="fold")
    for preset in library:
        table.add_row(preset.name, preset.kind, str(preset.n_levels), Text(", ".join(preset.kinds)),
                      Text(preset.title))
    out.print(table)


@hierarchies_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The preset, e.g. manufacturer (see `hierarchies list`).")],
    rows: Annotated[int, typer.Option("--rows", help="How many example rows to print.")] = 8,
) -> None:
    """Describe a preset: its levels, the columns it fits, its source, and example rows.

    Example: eucaim-wizard hierarchies show age-dicom
    """
    from rich.table import Table as RichTable
    from rich.text import Text

    from ..errors import WizardError
    from ..hierarchies.presets import load_library

    try:
        preset = load_library().get(name)
        example = preset.apply(list(preset.examples)).hierarchy if preset.examples else preset.hierarchy()
    except WizardError as error:
        fail(error)
    out.print(Text(f"{preset.name}: {preset.title}", style="bold"))
    if preset.builder is not None:
        out.print(Text(f"kind: builder {preset.builder.to_dict()}"))
    else:
        out.print(Text(f"kind: static, {preset.file.name} ({preset.hierarchy().n_values:,} values)"))
    out.print(Text(f"fits: {', '.join(preset.kinds)}; columns such as {', '.join(preset.columns)}"))
    out.print(Text(f"source: {preset.source}"))
    out.print(Text("levels:"))
    for level, description in enumerate(preset.levels):
        out.print(Text(f"  {level}  {description}"))
    table = RichTable(title=Text(f"example rows (hierarchy: preset:{preset.name})"))
    for level in range(example.n_levels):
        table.add_column(f"level {level}", overflow="fold")
    for row in example.table.tolist()[:rows]:
        table.add_row(*(Text(cell if cell else "(empty)") for cell in row))
    out.print(table)


@hierarchies_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="The preset, e.g. sex.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The ARX hierarchy CSV to write.")],
    data: Annotated[Optional[Path], typer.Option(
        "--data", help="Build the preset for the values of a column of this table (needed for date, time, ...).")] = None,
    column: Annotated[Optional[str], typer.Option("--column", help="The column of --data.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a preset as an ARX hierarchy CSV file (';', no header, one root).

    Static presets are written whole; with --data and --column, any preset is fitted to the
    column's values (one row per value, unknown values in the Unknown branch, as in a project).

    Example: eucaim-wizard hierarchies export age-dicom --data studies.csv --column PatientAge -o age.csv
    """
    from ..errors import HierarchyError, WizardError
    from ..hierarchies.presets import load_library
    from ..tables import read_table

    try:
        if (data is None) != (column is None):
            raise HierarchyError("give both --data TABLE and --column NAME, or neither.")
        _refuse_existing(output, force)
        from ..tables.output import refuse_inputs

        refuse_inputs(output, [data])
        preset = load_library().get(name)
        if data is None:
            hierarchy, unknown = preset.hierarchy(), ()
        else:
            table = read_table(data)
            if column not in table.columns:
                raise HierarchyError(f"{data} has no column {column!r}; its columns are: {', '.join(table.columns)}.")
            result = preset.apply(table.categories(column).tolist(), column=column)
            hierarchy, unknown = result.hierarchy, result.unknown
        hierarchy.write(output, inputs=[data])
    except WizardError as error:
        fail(error)
    out.print(f"wrote {output}: {hierarchy.n_values:,} values, {hierarchy.n_levels} levels (0-{hierarchy.n_levels - 1})",
              markup=False)
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:10])
        out.print(f"{len(unknown)} value(s) not recognised, in the Unknown branch: {shown}"
                  f"{', …' if len(unknown) > 10 else ''}", markup=False)


def _refuse_existing(output: Path, force: bool) -> None:
    """Never replace a file the user did not name with --force."""
    from ..errors import HierarchyError

    if output.exists() and not force:
        raise HierarchyError(f"{output} exists; choose another file or add --force to replace it.")


def _read_for_rewrite(path: Path, header: Optional[bool]):
    from ..hierarchies.hierarchy import read_hierarchy

    return read_hierarchy(path, has_header=header)


HEADER_HELP = ("Whether the first row is a header (default: detected; the detection is said). "
               "--no-header keeps a first row of values that looks like a header.")


@hierarchies_app.command("convert")
def convert(
    source: Annotated[Path, typer.Argument(help="A hierarchy file: any delimiter, with or without a header.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The ARX hierarchy CSV to write.")],
    header: Annotated[Optional[bool], typer.Option("--header/--no-header", help=HEADER_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Rewrite a valid hierarchy in ARX's form (';', no header, UTF-8); see `repair` for one
    that is not a tree or has several roots.

    Example: eucaim-wizard hierarchies convert age_levels.tsv -o age.csv
    """
    from ..errors import HierarchyError, WizardError

    try:
        _refuse_existing(output, force)
        hierarchy = _read_for_rewrite(source, header)
        errors = [f for f in hierarchy.findings() if f.severity == "error"]
        if errors:
            raise HierarchyError(f"{source} is not a valid hierarchy ({errors[0].code}: {errors[0].message}); "
                                 f"`eucaim-wizard hierarchies repair {source} -o {output}` fixes it and says how.")
        hierarchy.write(output, inputs=[source])
    except WizardError as error:
        fail(error)
    for note in hierarchy.notes:
        out.print(f"note: {note}", markup=False)
    out.print(f"wrote {output}: {hierarchy.n_values:,} values, {hierarchy.n_levels} levels, ARX form", markup=False)


@hierarchies_app.command("repair")
def repair(
    source: Annotated[Path, typer.Argument(help="A hierarchy file that `validate` finds broken.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The ARX hierarchy CSV to write.")],
    header: Annotated[Optional[bool], typer.Option("--header/--no-header", help=HEADER_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a valid ARX hierarchy from a broken one and say every change: repeated rows
    dropped, the first row kept for a value with several, labels under two parents made
    distinct per parent (a tree), a single root '*' added, empty labels filled.

    Example: eucaim-wizard hierarchies repair seed/Ethnicity_F_H.csv -o ethnicity.csv
    """
    from ..errors import WizardError
    from ..hierarchies.repair import repair as repair_hierarchy

    try:
        _refuse_existing(output, force)
        read = _read_for_rewrite(source, header)
        fixed_notes = list(read.notes)
        fixed, changes = repair_hierarchy(read)
        fixed.write(output, inputs=[source])
    except WizardError as error:
        fail(error)
    for note in fixed_notes:
        out.print(f"note: {note}", markup=False)
    for change in changes or ["nothing to repair: the hierarchy was valid (rewritten in ARX's form)"]:
        out.print(f"- {change}", markup=False)
    out.print(f"wrote {output}: {fixed.n_values:,} values, {fixed.n_levels} levels", markup=False)
