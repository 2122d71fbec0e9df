"""Best-effort search on lattices past the optimal search (issue 26): eucaim-wizard's best-first
against ARX 3.9.2's best-effort algorithms, with the same time limit, in the same minutes.

Tables: seeded synthetic tables of 100,000 records with 15 and 20 quasi-identifiers of 4–6
levels each (value ``v`` of an attribute is ``v >> j`` at level ``j``, ``*`` at the top; values
skewed so that a few are frequent): 2.5·10¹⁰ and 6.0·10¹³ transformations.  k=5, 5 %
suppression, Loss (gs-factor 0.5, geometric mean), the same for both tools.  The tables and
hierarchies are written as CSV for ARX (``benchmarks/arx/ArxCompare.java``, with
``algorithm=bottom-up|top-down|binary|genetic`` and ``time=MS``: ARX's
``setAlgorithm(BEST_EFFORT_*)`` and ``setHeuristicSearchTimeLimit``; one warm-up run in the
JVM, then the measured run).

Written for each table and limit: each tool's best loss and levels, and the time
eucaim-wizard took to reach a loss at least as good as ARX's best (its ``on_best`` times).
Needs ``java``/``javac`` and ../shared/arx (says so and stops where absent).

    python benchmarks/heuristic_compare.py [--rows 100000] [--limits 5 20]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, machine, write_result  # noqa: E402

ARX_DIR = REPO.parent / "shared" / "arx"
ALGORITHMS = ("bottom-up", "top-down", "genetic")


def wide_table(folder: Path, n_qis: int, rows: int) -> tuple[Path, dict[str, Path]]:
    """The synthetic table and its hierarchies, written for both tools (``;``-separated)."""
    rng = np.random.default_rng(26)
    columns, hierarchies = {}, {}
    for i in range(n_qis):
        levels = 4 + i % 3
        values = 2 ** (levels - 2)
        name = f"q{i}"
        lines = [";".join([str(v)] + [f"{v >> j}x{j}" for j in range(1, levels - 1)] + ["*"]) for v in range(values)]
        hierarchies[name] = folder / f"h_{name}.csv"
        hierarchies[name].write_text("\n".join(lines) + "\n")
        weights = 1.0 / np.arange(1, values + 1) ** 0.8
        columns[name] = rng.choice(values, rows, p=weights / weights.sum()).astype(str)
    data = folder / f"wide{n_qis}.csv"
    with open(data, "w") as out:
        out.write(";".join(columns) + "\n")
        for row in zip(*columns.values()):
            out.write(";".join(row) + "\n")
    return data, hierarchies


def ours(data: Path, hierarchies: dict[str, Path], seconds: float) -> dict:
    from eucaim_wizard import Project, anonymize
    from eucaim_wizard.privacy import KAnonymity
    from eucaim_wizard.project_settings import SearchSettings
    from eucaim_wizard.tables import read_table

    table = read_table(data)
    project = Project(data=table, privacy=[KAnonymity(k=5)], suppression_limit=0.05,
                      attributes={q: {"role": "quasi-identifier", "hierarchy": str(h)} for q, h in hierarchies.items()},
                      search=SearchSettings(strategy="best-first", time_limit=seconds))
    found = []
    start = time.perf_counter()
    result = anonymize(project, table=table, on_best=lambda loss: found.append((time.perf_counter() - start, loss)))
    optimum = result.optimum
    return {"loss": optimum.information_loss if optimum else None, "levels": optimum.levels if optimum else None,
            "suppressed": optimum.suppressed_records if optimum else None, "checked": result.checked,
            "seconds": round(result.seconds, 3), "gap": result.outcome.gap, "found": found,
            "lattice": result.lattice_size}


def arx(classes: Path, data: Path, hierarchies: dict[str, Path], algorithm: str, seconds: float) -> dict:
    jars = f"{classes}:{ARX_DIR / 'libarx-3.9.2.jar'}:{ARX_DIR / 'lib'}/*"
    args = ["java", "-Xmx8g", "-cp", jars, "ArxCompare", f"data={data}", "sep=;", "k=5", "suppression=0.05",
            "runs=2", f"algorithm={algorithm}", f"time={int(seconds * 1000)}",
            *[f"qi={q}={h}" for q, h in hierarchies.items()]]
    done = subprocess.run(args, capture_output=True, text=True, timeout=seconds * 6 + 300)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--limits", type=float, nargs="+", default=[5.0, 20.0])
    parser.add_argument("--tables", type=int, nargs="+", default=[15, 20])
    parser.add_argument("--output", type=Path, default=RESULTS / "heuristic_compare.json")
    args = parser.parse_args()
    if shutil.which("javac") is None or not (ARX_DIR / "libarx-3.9.2.jar").exists():
        print(f"needs java/javac and {ARX_DIR}")
        return 1
    report: dict = {"machine": machine(), "rows": args.rows, "k": 5, "suppression_limit": 0.05,
                    "metric": "Loss, gs-factor 0.5, geometric mean", "cases": []}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        classes = folder / "classes"
        subprocess.run(["javac", "--release", "11", "-cp", f"{ARX_DIR / 'libarx-3.9.2.jar'}:{ARX_DIR / 'lib'}/*",
                        "-d", str(classes), str(REPO / "benchmarks" / "arx" / "ArxCompare.java")], check=True)
        for n_qis in args.tables:
            data, hierarchies = wide_table(folder, n_qis, args.rows)
            for seconds in args.limits:
                case = {"quasi_identifiers": n_qis, "time_limit": seconds, "eucaim_wizard": ours(data, hierarchies, seconds)}
                mine = case["eucaim_wizard"]
                print(f"{n_qis} QIs ({mine['lattice']:.2e}), {seconds:g} s: eucaim-wizard best-first loss "
                      f"{mine['loss']:.6f} ({mine['checked']:,} checks, gap {mine['gap']:.3g})")
                for algorithm in ALGORITHMS:
                    theirs = case[f"arx_{algorithm}"] = arx(classes, data, hierarchies, algorithm, seconds)
                    loss = theirs.get("loss")
                    reached = next((t for t, l in mine["found"] if loss is not None and l <= loss + 1e-12), None)
                    theirs["eucaim_wizard_reached_it_after_s"] = None if reached is None else round(reached, 3)
                    print(f"    ARX {algorithm:9s}: loss {loss if loss is not None else theirs.get('error')}; "
                          f"ours reached it after {reached if reached is None else round(reached, 2)} s")
                mine["found"] = [(round(t, 3), l) for t, l in mine["found"]][-20:]
                report["cases"].append(case)
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
