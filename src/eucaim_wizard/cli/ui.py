"""``ui``: the browser wizard (:mod:`eucaim_wizard.ui`)."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, err, out


@app.command()
def ui(
    target: Annotated[Optional[Path], typer.Argument(
        help="Open this first: a project file (.yaml), a table (CSV/TSV/XLSX/Parquet), an ARX project "
             "(.deid) or a folder of DICOM files.")] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1.")] = 8501,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser; only print the address.")] = False,
    upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, help="Largest upload accepted, in MB.")] = 1024,
) -> None:
    """Start the browser wizard on this machine (127.0.0.1 only) and open it.

    Every step of the workflow in pages: data, roles, hierarchies, privacy models, the
    search, the candidates (risk against loss, the lattice), risk, utility and export,
    including the project file that reproduces the release from the command line. Nothing
    leaves the machine; uploads and results stay in a temporary folder removed when the
    server stops (Ctrl+C). Needs the `ui` extra: pip install 'eucaim-wizard[ui]'.

    Example: eucaim-wizard ui examples/imaging/project.yaml
    """
    from importlib.util import find_spec

    if find_spec("streamlit") is None or find_spec("altair") is None:
        err.print("error: the browser wizard needs Streamlit; install it with pip install 'eucaim-wizard[ui]' "
                  "(make setup installs it).", markup=False)
        raise typer.Exit(2) from None
    if target is not None and not target.exists():
        err.print(f"error: {target} does not exist; give a project file, a table, an ARX project or a DICOM folder.",
                  markup=False)
        raise typer.Exit(2)
    from ..ui import free_port, launch

    chosen = free_port(port)
    if chosen != port:
        err.print(f"port {port} is taken; using {chosen}", markup=False)

    def announce(address: str) -> None:
        out.print(f"The EUCAIM Wizard is served at {address} (this machine only); press Ctrl+C to stop.",
                  markup=False)

    raise typer.Exit(launch(target, port=chosen, open_browser=not no_browser, upload_mb=upload_mb, announce=announce))
