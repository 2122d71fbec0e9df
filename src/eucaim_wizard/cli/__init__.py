"""The command line: a thin layer over the library (parse, call, print, exit code).

One module per group of commands, each registering its commands on the one typer app of
:mod:`.common` (with the consoles, one-paragraph errors and progress bars every command
shares); importing this package registers them all, in the order ``--help`` lists them.
"""

from . import project, run, explore, hierarchies, risk, arx, dicom  # noqa: F401  (registers the commands)
from .common import app


def main() -> None:
    """Entry point of the ``eucaim-wizard`` console script."""
    app()


__all__ = ["app", "main"]
