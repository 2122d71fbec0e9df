"""Refresh the screenshots of the browser wizard that docs/ui.md shows (docs/ui/*.png).

Runs the end-to-end test (tests/test_ui_e2e.py: the whole flow on the shipped imaging example
in Debian's chromium) with ``EUCAIM_UI_SCREENSHOTS=docs/ui``, which photographs every step.

    python scripts/ui_screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    env = dict(os.environ, EUCAIM_UI_SCREENSHOTS=str(ROOT / "docs" / "ui"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                           "tests/test_ui_e2e.py"], cwd=ROOT, env=env)
    if done.returncode == 0:
        print(f"screenshots written to {ROOT / 'docs' / 'ui'}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
