"""Benchmarks of the privacy models beyond k against ARX 3.9.2 (results to JSON).

Adult (30,162 records), sensitive attribute `occupation`, the 8 other attributes as
quasi-identifiers with ARX's hierarchies, 5 % suppression, Loss metric: warm in-process
median of `anonymize()` on an already read table.  Needs ../shared/benchmarks/arx-data.

    python benchmarks/privacy.py [--repeat 5] [--output benchmarks/results/privacy.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "privacy.json")
    args = parser.parse_args()
    if not ARX_DATA.exists():
        print(f"skipped: {ARX_DATA} is absent", file=sys.stderr)
        return 0
    from eucaim_wizard import Project, anonymize, read_hierarchy, read_table
    from eucaim_wizard.privacy import DistinctLDiversity, KAnonymity, TCloseness

    table = read_table(ARX_DATA / "adult.csv")
    attributes = {q: {"role": "quasi-identifier", "hierarchy": read_hierarchy(ARX_DATA / f"adult_hierarchy_{q}.csv")}
                  for q in QIS}
    attributes["occupation"] = {"role": "sensitive"}
    # (name, models, ARX 3.9.2 seconds on this machine class, from the issue)
    cases = [
        ("distinct l=3 + k=5", [DistinctLDiversity(attribute="occupation", l=3), KAnonymity(k=5)], 0.50),
        ("equal-distance t=0.2", [TCloseness(attribute="occupation", t=0.2)], 2.08),
        ("equal-distance t=0.2 + k=5", [TCloseness(attribute="occupation", t=0.2), KAnonymity(k=5)], 1.21),
    ]
    results = []
    for name, models, arx in cases:
        project = Project(data=table, attributes=attributes, privacy=models, suppression_limit=0.05)
        anonymize(project)  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = anonymize(project)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        results.append({
            "case": name, "median_seconds": round(median, 3), "fastest_seconds": round(min(times), 3),
            "arx_seconds": arx, "target_seconds": arx / 2, "target_met": median <= arx / 2,
            "checked": result.checked, "lattice_size": result.lattice_size,
            "levels": result.optimum.levels, "information_loss": result.optimum.information_loss,
            "suppressed": result.optimum.suppressed_records,
        })
        print(f"{name}: {median:.3f} s median, {min(times):.3f} s fastest (ARX {arx} s, target {arx / 2:.2f} s); "
              f"{result.checked} of {result.lattice_size} checked")
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                          "load_average": os.getloadavg()},
              "adult_occupation_sensitive": results}
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
