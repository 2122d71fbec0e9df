"""Benchmarks of explore and the utility analysis on ARX's Adult (results to JSON).

Adult (30,162 records, 9 QIs with ARX's hierarchies, k=5, 0 % suppression, Loss metric):

* explore: every one of the 12,960 transformations evaluated (risk and loss), filtered,
  sorted and its Pareto front computed, as `eucaim-wizard explore` does — target ≤ 2 s;
* utility: the full analysis of the optimum (quality models, engine metrics, statistics,
  frequencies) with logistic regression, naive Bayes and random forest predicting
  salary-class in 10-fold cross-validation on both tables — target ≤ 60 s on 2 cores.

Times are medians of warm in-process runs (the table read and the search done once before).
The load average is recorded: the machine is shared, and a busy second core shows in the times.

    python benchmarks/utility.py [--repeat 3] [--jobs 2] [--output benchmarks/results/utility.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]
TARGETS = {"explore": 2.0, "utility": 60.0}


def adult_project():
    from eucaim_wizard.project import project_from_dict

    return project_from_dict({
        "data": str(ARX_DATA / "adult.csv"),
        "attributes": {q: {"role": "quasi-identifier", "hierarchy": str(ARX_DATA / f"adult_hierarchy_{q}.csv")}
                       for q in ADULT},
        "privacy": [{"k-anonymity": {"k": 5}}], "suppression_limit": 0.0, "metric": "loss"})


def timed(function, repeat: int) -> tuple[float, list[float], object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the random forest")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "utility.json")
    args = parser.parse_args()
    if not ARX_DATA.exists():
        print(f"skipped: {ARX_DATA} is absent", file=sys.stderr)
        return 0
    from eucaim_wizard import anonymize
    from eucaim_wizard.explore import all_candidates, explore
    from eucaim_wizard.utility import analyze_utility

    load_before = os.getloadavg()
    project = adult_project()
    table = project.load_table()
    result = anonymize(project, table=table)

    def run_explore():
        candidates = all_candidates(result)
        return explore(result, anonymous_only=True, top=20, candidates=candidates)

    explore_seconds, explore_times, exploration = timed(run_explore, args.repeat)
    print(f"explore: {explore_seconds:.2f} s for {exploration.lattice_size:,} transformations "
          f"({exploration.matched:,} anonymous, Pareto front of {len(exploration.pareto)})")

    def run_utility():
        return analyze_utility(result, target="salary-class", folds=10, seed=0, n_jobs=args.jobs)

    utility_seconds, utility_times, report = timed(run_utility, args.repeat)
    classification = report.classification
    print(f"utility: {utility_seconds:.1f} s; relative accuracy {classification.relative_accuracy:.4f}")
    for m in classification.models:
        print(f"  {m.model:<20} accuracy {m.original.accuracy:.4f} -> {m.anonymized.accuracy:.4f}, "
              f"AUC {m.original.macro_auc:.4f} -> {m.anonymized.macro_auc:.4f}")
    cases = {
        "explore": {"median_seconds": round(explore_seconds, 3), "runs": [round(t, 3) for t in explore_times],
                    "target_seconds": TARGETS["explore"], "target_met": explore_seconds <= TARGETS["explore"],
                    "transformations": exploration.lattice_size, "anonymous": exploration.matched,
                    "pareto_front": len(exploration.pareto)},
        "utility": {"median_seconds": round(utility_seconds, 2), "runs": [round(t, 2) for t in utility_times],
                    "target_seconds": TARGETS["utility"], "target_met": utility_seconds <= TARGETS["utility"],
                    "levels": report.levels, "target": "salary-class", "folds": 10, "random_forest_jobs": args.jobs,
                    "relative_accuracy": classification.relative_accuracy,
                    "models": {m.model: {"original_accuracy": m.original.accuracy,
                                         "anonymized_accuracy": m.anonymized.accuracy,
                                         "original_macro_auc": m.original.macro_auc,
                                         "anonymized_macro_auc": m.anonymized.macro_auc}
                               for m in classification.models},
                    "baseline_accuracy": classification.baseline.accuracy,
                    "information_loss": report.quality.information_loss},
    }
    data = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_before": [round(v, 2) for v in load_before],
                        "load_average_after": [round(v, 2) for v in os.getloadavg()]},
            "date": time.strftime("%Y-%m-%d"), "repeat": args.repeat, "cases": cases}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    temporary.replace(args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
