"""Scale benchmark: Adult resampled to 10 million rows, k=10, 5 % suppression (results to JSON).

Draws 10,000,000 records of ARX's Adult table with replacement (seeded), writes them as a
CSV, and times the whole `eucaim-wizard anonymize` process on it (reading, encoding, search,
writing and re-checking the output), with its peak resident memory.  Target: under 60 s and
under 4 GiB on 2 cores.  Needs ../shared/benchmarks/arx-data.

    python benchmarks/scale.py [--rows 10000000] [--output benchmarks/results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "scale.json")
    args = parser.parse_args()
    if not ARX_DATA.exists():
        print(f"skipped: {ARX_DATA} is absent", file=sys.stderr)
        return 0
    from eucaim_wizard import read_table, write_table

    adult = read_table(ARX_DATA / "adult.csv")
    rows = np.random.default_rng(20261127).integers(0, adult.n_rows, args.rows)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        data = folder / "adult_big.csv"
        write_table(adult.take(rows), data)
        made = time.perf_counter() - start
        print(f"wrote {args.rows:,} rows ({data.stat().st_size / 2**20:.0f} MiB) in {made:.1f} s")
        del adult
        lines = [f"data: {json.dumps(str(data))}", "attributes:"]
        for name in ADULT:
            lines.append(f"  {name}: {{role: quasi-identifier, hierarchy: "
                         f"{json.dumps(str(ARX_DATA / f'adult_hierarchy_{name}.csv'))}}}")
        lines += ["privacy:", "  - k-anonymity: {k: 10}", "suppression_limit: 0.05", ""]
        project = folder / "project.yaml"
        project.write_text("\n".join(lines), encoding="utf-8")
        command = [sys.executable, "-m", "eucaim_wizard", "anonymize", str(project), "-o", str(folder / "out")]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        result = json.loads((folder / "out" / "result.json").read_text(encoding="utf-8"))
    print(done.stdout.strip())
    print(f"whole process: {seconds:.1f} s, peak RSS {peak_kib / 2**20:.2f} GiB (target 60 s, 4 GiB)")
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "rows": args.rows, "k": 10, "suppression_limit": 0.05,
        "seconds": round(seconds, 2), "peak_rss_gib": round(peak_kib / 2**20, 3),
        "target_seconds": 60, "target_rss_gib": 4,
        "target_met": seconds < 60 and peak_kib / 2**20 < 4,
        "optimum": result["optimum"], "search": result["search"],
    }
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
