"""Benchmark of `eucaim-wizard run` on the three shipped examples (results to JSON).

The target (issue 9): `make demo` runs the whole workflow -- validation, guard, risk, search,
export, every candidate, utility with classification, report -- on examples/imaging,
examples/clinical and examples/demo in under a minute on a fresh clone.  Each example runs
as its own process (start-up included), with the step times the workflow measures, for
each number of cross-validation folds given.

    python benchmarks/workflow.py [--folds 10 5] [--output benchmarks/results/workflow.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, machine, write_result  # noqa: E402

EXAMPLES = ("imaging", "clinical", "demo")
TARGET_SECONDS = 60.0

_STEPS = """
import json, sys
from eucaim_wizard.workflow import run_workflow
outcome = run_workflow(sys.argv[1], sys.argv[2], folds=int(sys.argv[3]))
print(json.dumps(outcome.seconds))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, nargs="+", default=[10])
    parser.add_argument("--output", type=Path, default=RESULTS / "workflow.json")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "eucaim_wizard", "run"]
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for folds in args.folds:
            total = 0.0
            for name in EXAMPLES:
                project = REPO / "examples" / name / "project.yaml"
                start = time.perf_counter()
                subprocess.run([*cli, str(project), "-o", f"{folder}/{name}", "--folds", str(folds)], check=True,
                               capture_output=True)
                wall = time.perf_counter() - start
                steps = json.loads(subprocess.run([sys.executable, "-c", _STEPS, str(project), f"{folder}/{name}-steps",
                                                   str(folds)], check=True, capture_output=True, text=True).stdout)
                total += wall
                runs.append({"example": name, "folds": folds, "seconds": round(wall, 2), "steps": steps})
                print(f"{name:9s} folds={folds:2d}: {wall:6.2f} s  {steps}")
            print(f"all three, folds={folds}: {total:.1f} s (target {TARGET_SECONDS:.0f} s)")
            runs.append({"example": "all three", "folds": folds, "seconds": round(total, 2),
                         "within_target": total <= TARGET_SECONDS})
    write_result({"benchmark": "eucaim-wizard run on the shipped examples", "target_seconds": TARGET_SECONDS,
                  "machine": machine(), "runs": runs}, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
