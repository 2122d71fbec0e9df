"""``python -m eucaim_wizard``: the command line."""

from .cli import main

main()
