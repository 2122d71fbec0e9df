"""Listing candidates (`explore`): the whole Adult lattice, and the default listing of a
3.4 M-transformation lattice (issue 21's targets; results to JSON).

1. Adult (30,162 records, 9 quasi-identifiers, ARX's hierarchies, k=10, 5 %, Loss): every one
   of the 12,960 transformations evaluated in-process after the search
   (:func:`eucaim_wizard.explore.listed_candidates` with ``everything=True``), warm median.
   Target: at most 1 s.  Needs ../shared/benchmarks/arx-data.
2. A seeded synthetic table (20,000 records) with 10 quasi-identifiers whose hierarchies have
   10, 6, 6, 5, 5, 4, 4, 4, 3 and 2 levels: 3,456,000 transformations.  The default listing
   (the transformations the search checked and the optimum's 500 nearest), after the search.
   Target: at most 5 s.

    python benchmarks/explore.py [--repeat 3] [--output benchmarks/results/explore.json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ARX_DATA, RESULTS, machine, write_result  # noqa: E402

ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
         "salary-class"]
LEVELS = [10, 6, 6, 5, 5, 4, 4, 4, 3, 2]


def wide_project():
    """The synthetic 10-attribute project: value ``v`` of an attribute with ``L`` levels is
    ``v // 2**j`` at level ``j`` and ``*`` at the top; values skewed (a few frequent)."""
    from eucaim_wizard import Hierarchy, Project, Table
    from eucaim_wizard.privacy import KAnonymity

    rng = np.random.default_rng(21)
    columns, attributes = {}, {}
    for i, levels in enumerate(LEVELS):
        values = 2 ** (levels - 2) if levels > 2 else 3
        rows = [[str(v)] + [f"{v >> j}x{j}" for j in range(1, levels - 1)] + ["*"] for v in range(values)]
        name = f"q{i}"
        attributes[name] = {"role": "quasi-identifier", "hierarchy": Hierarchy(rows, name=name)}
        weights = 1.0 / np.arange(1, values + 1) ** 0.8
        columns[name] = [str(v) for v in rng.choice(values, 20_000, p=weights / weights.sum())]
    return Project(data=Table.from_columns(columns), attributes=attributes, privacy=[KAnonymity(k=5)],
                   suppression_limit=0.05)


def timed(function, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS / "explore.json")
    args = parser.parse_args()
    from eucaim_wizard import Project, anonymize
    from eucaim_wizard.explore import listed_candidates
    from eucaim_wizard.privacy import KAnonymity
    from eucaim_wizard.tables import read_table

    report: dict = {"machine": machine(), "repeat": args.repeat, "cases": []}
    if (ARX_DATA / "adult.csv").exists():
        table = read_table(ARX_DATA / "adult.csv")
        attributes = {q: {"role": "quasi-identifier", "hierarchy": str(ARX_DATA / f"adult_hierarchy_{q}.csv")}
                      for q in ADULT}
        project = Project(data=table, attributes=attributes, privacy=[KAnonymity(k=10)], suppression_limit=0.05)
        result = anonymize(project, table=table)
        listed = listed_candidates(result, everything=True)  # warm: numba's kernels loaded
        times, searches = [], []
        for _ in range(args.repeat):  # each listing on a fresh result: nothing evaluated yet
            start = time.perf_counter()
            result = anonymize(project, table=table)
            searches.append(time.perf_counter() - start)
            start = time.perf_counter()
            listed = listed_candidates(result, everything=True)
            times.append(time.perf_counter() - start)
        seconds, search = statistics.median(times), statistics.median(searches)
        report["cases"].append({"name": "Adult, every transformation", "lattice": result.lattice_size,
                                "listed": len(listed), "seconds": round(seconds, 3), "each": [round(t, 3) for t in times],
                                "search_seconds": round(search, 3), "target_seconds": 1.0})
        print(f"Adult: {len(listed):,} transformations listed in {seconds:.3f} s "
              f"(after a {search:.3f} s search; target 1 s)")
    else:
        print(f"skipped Adult: {ARX_DATA / 'adult.csv'} not found")
    project = wide_project()
    search, result = timed(lambda: anonymize(project), 1)
    seconds, listed = timed(lambda: listed_candidates(result), args.repeat)
    report["cases"].append({"name": "10 quasi-identifiers, default listing", "lattice": result.lattice_size,
                            "checked": result.checked, "listed": len(listed), "seconds": round(seconds, 3),
                            "search_seconds": round(search, 3), "target_seconds": 5.0})
    print(f"10 QIs: {result.lattice_size:,} transformations, search {search:.2f} s ({result.checked:,} checked); "
          f"default listing of {len(listed):,} in {seconds:.2f} s (target 5 s)")
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
