"""Instructions one warm `anonymize()` executes, counted by valgrind (results to JSON).

This machine's speed drifts by a third or more from one minute to the next, so wall times
alone cannot show a 10 % change; the number of instructions can (to a few per cent: the
same code counts ±5–10 % apart on the small cases from run to run).  For each case the script
runs a child process that calls `anonymize()` twice (a warm-up and one warm call) and one that
calls it `2 + calls` times, both under `valgrind --tool=callgrind`, and reports (difference of
the totals) / calls: the instructions of one warm call, start-up and reading excluded (the
figures in README.md were counted this way, calls = 3).  Needs valgrind and
../shared/benchmarks/arx-data.  Slow: about a minute per case and call under valgrind.

    python benchmarks/instructions.py [--cases k2,k5,k100,k100s5,t,tk] [--calls 3]
        [--output benchmarks/results/instructions.json]

Cases: ``kK`` Adult with k=K at 0 % suppression, ``kKs5`` at 5 % (all 9 QIs, as run.py);
``t`` equal-distance t=0.2 on `occupation`, ``tk`` the same with k=5 (as privacy.py).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ARX_DATA, RESULTS, machine, write_result  # noqa: E402

# the child: build the case's project, warm up once, then call anonymize() n more times
CHILD = r"""
import sys
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
case, n = sys.argv[1], int(sys.argv[2])
from eucaim_wizard import anonymize, load_project
if case.startswith("k"):
    from run import project_file
    k, _, rest = case[1:].partition("s")
    project = load_project(project_file(Path({folder!r}), int(k), 0.05 if rest else 0.0))
    table = project.load_table()
    run = lambda: anonymize(project, table=table)
else:
    from privacy import QIS
    from eucaim_wizard import Project, read_hierarchy, read_table
    from eucaim_wizard.privacy import KAnonymity, TCloseness
    arx = Path({arx!r})
    attributes = {{q: {{"role": "quasi-identifier", "hierarchy": read_hierarchy(arx / f"adult_hierarchy_{{q}}.csv")}}
                  for q in QIS}}
    attributes["occupation"] = {{"role": "sensitive"}}
    models = [TCloseness(attribute="occupation", t=0.2)] + ([KAnonymity(k=5)] if case == "tk" else [])
    project = Project(data=read_table(arx / "adult.csv"), attributes=attributes, privacy=models,
                      suppression_limit=0.05)
    run = lambda: anonymize(project)
run()
for _ in range(n):
    run()
"""


def instructions(script: Path, case: str, n: int) -> int:
    """Instructions of a child process running ``case`` with ``n`` warm calls."""
    completed = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, str(script), case, str(n)],
        capture_output=True, text=True)
    match = re.search(r"Collected\s*:\s*(\d+)", completed.stderr)
    if completed.returncode != 0 or match is None:
        raise RuntimeError(f"case {case}: the child under valgrind failed (exit code {completed.returncode}) or "
                           f"printed no instruction count; its last output:\n{completed.stderr[-2000:]}")
    return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="k2,k5,k100,k100s5,t,tk")
    parser.add_argument("--calls", type=int, default=3, help="warm calls measured (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS / "instructions.json")
    args = parser.parse_args()
    if not ARX_DATA.exists():
        print(f"skipped: {ARX_DATA} is absent", file=sys.stderr)
        return 0
    if shutil.which("valgrind") is None:
        print("skipped: valgrind is not installed (e.g. `apt install valgrind`)", file=sys.stderr)
        return 0
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if not re.fullmatch(r"k\d+(s5)?|t|tk", c)]
    if unknown:
        print(f"unknown case(s) {', '.join(unknown)}: use kK, kKs5, t or tk (e.g. --cases k2,k100s5,tk)",
              file=sys.stderr)
        return 2
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "child.py"
        script.write_text(CHILD.format(benchmarks=str(Path(__file__).resolve().parent), folder=folder,
                                       arx=str(ARX_DATA)), encoding="utf-8")
        for case in cases:
            once = instructions(script, case, 1)
            more = instructions(script, case, 1 + args.calls)
            per_call = (more - once) // args.calls
            results[case] = {"instructions_per_call": per_call, "calls": args.calls}
            print(f"{case}: {per_call / 1e6:,.0f} M instructions per warm anonymize()")
    write_result({"machine": machine(), "cases": results}, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
