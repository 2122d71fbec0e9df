"""Commands ``import-arx`` and ``export-arx``: the way in from ARX projects, and back."""


from pathlib import Path
from typing import Annotated

import typer

from .common import CONFIRM_HELP, app, fail, out


@app.command("import-arx")
def import_arx_command(
    project: Annotated[Path, typer.Argument(help="The ARX project file (.deid) saved by the ARX GUI.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The project file to write (YAML); "
                                         "data and hierarchy CSVs are written beside it.")],
    force: Annotated[bool, typer.Option("--force", help="Replace output files that already exist.")] = False,
) -> None:
    """Turn an ARX project into a project file with its data and hierarchies.

    Carries over roles, hierarchies (as ARX stores them), level limits, privacy models,
    suppression limit, metric and weights. Every ARX setting that cannot be carried over is
    listed (in this report and as comments at the top of the project file), and ARX's own
    saved result, if the file holds one, is shown for comparison with `anonymize`.

    \b
    Example: eucaim-wizard import-arx ../shared/seed-pack/examples/synth_data_for_demo_project.deid -o demo/project.yaml
    """
    from rich.text import Text

    from ..arx import import_arx
    from ..errors import WizardError

    try:
        imported = import_arx(project, output, force=force)
    except WizardError as error:
        fail(error)
    styles = {"Check": "yellow", "Not carried": "yellow"}
    for line in imported.report().splitlines():
        style = next((s for prefix, s in styles.items() if line.startswith(prefix)), "bold" if not
                     line.startswith(" ") else "")
        out.print(Text(line, style=style))
    written = [imported.project_path, imported.data_path, *imported.hierarchy_paths.values()]
    out.print(Text(f"wrote {', '.join(str(p) for p in written)}"))
    out.print(Text(f"next: eucaim-wizard validate {imported.project_path}", style="bold green"))


@app.command("export-arx")
def export_arx_command(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for data.csv, the hierarchy "
                                         "CSVs and ARX.md (created if missing).")],
    force: Annotated[bool, typer.Option("--force", help="Replace files that already exist there.")] = False,
    confirmed: Annotated[bool, typer.Option("--i-confirm-deidentified", help=CONFIRM_HELP)] = False,
) -> None:
    """Write the data, the hierarchies (ARX format) and ARX.md, the steps to set the project up in ARX.

    ARX.md lists each attribute's type, hierarchy file, level limits and weight, the privacy
    models with their parameters, the suppression limit and the quality model, as they are
    entered in the ARX GUI. Identifier columns are left out of data.csv; the data passes the
    de-identification guard first, as for a release.

    Example: eucaim-wizard export-arx examples/demo/project.yaml -o out/arx
    """
    from rich.text import Text

    from ..arx import export_arx
    from ..errors import WizardError

    try:
        exported = export_arx(project, output, force=force, confirmed_deidentified=confirmed)
    except WizardError as error:
        fail(error)
    written = [exported.description_path, exported.data_path, *exported.hierarchy_paths.values()]
    out.print(Text(f"wrote {', '.join(str(p) for p in written)}"))
    out.print(Text(f"next: follow {exported.description_path} in the ARX GUI", style="bold green"))
