"""The command line: a thin layer over the library (parse, call, print, exit code).

One module per group of commands, each registering its commands on the one typer app of
:mod:`.common` (with the consoles, one-paragraph errors and progress bars every command
shares); importing this package registers them all, in the order ``--help`` lists them.
"""

from . import project, run, explore, hierarchies, risk, arx, dicom, ui  # noqa: F401  (registers the commands)
from .common import app


def main() -> None:
    """Entry point of the ``eucaim-wizard`` console script.

    The library turns the errors it expects into one-paragraph :class:`~eucaim_wizard.errors.
    WizardError`s; an operating-system error that still reaches here (a file the system
    refuses to read or write) is said in one paragraph too, with its path, never as a
    traceback (exit code 2)."""
    import sys

    try:
        app()
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        sys.stderr.write(f"error: the operating system refused{where}: {error.strerror or error}. Check the path, "
                         f"the permissions and the free space, and run again.\n")
        raise SystemExit(2) from None


__all__ = ["app", "main"]
