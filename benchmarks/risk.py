"""Benchmarks of the risk analysis against ARX 3.9.2's published Adult figures (results to JSON).

Adult (30,162 records, all 9 QIs, population USA = 317,238,626): warm in-process medians of
the sample measures, sample + population measures (from the class sizes, and from the
table), the attribute risk of all 511 QI combinations, and the whole `eucaim-wizard risk`
process; the figures next to ARX's.  Needs ../shared/benchmarks/arx-data.

    python benchmarks/risk.py [--repeat 15] [--output benchmarks/results/risk.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]
# ARX 3.9.2 on Adult, all 9 QIs, population USA (issue 5)
ARX = {"classes": 19502, "average_class_size": 1.5466, "highest_risk": 1.0, "records_at_highest_risk": 15512,
       "average_risk": 0.646575, "lowest_risk": 0.022222, "records_at_lowest_risk": 45,
       "sample_uniques": 0.514290, "pitman": 0.0388962, "zayatz": 0.2645647, "snb": "did not converge",
       "dankar_model": "pitman", "separation_min": 0.168, "separation_max": 0.978,
       "seconds_sample_and_population": 0.009, "seconds_attributes_511": 1.0}


def seconds(function, repeat: int) -> tuple[float, float]:
    """(median, fastest) of ``repeat`` warm runs: the fastest shows the cost on a quiet core
    when other jobs share the machine."""
    function()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "risk.json")
    args = parser.parse_args()
    if not ARX_DATA.exists():
        print(f"skipped: {ARX_DATA} is absent", file=sys.stderr)
        return 0
    import numpy as np

    from eucaim_wizard.risk import ClassHistogram, analyze_table, attribute_risks, risk_from_class_sizes
    from eucaim_wizard.risk.population import SolverSettings
    from eucaim_wizard.risk.sample import sample_risk
    from eucaim_wizard.tables import read_table

    table = read_table(ARX_DATA / "adult.csv")
    full = analyze_table(table, ADULT, population="USA")
    arx_snb = analyze_table(table, ADULT, population="USA", attributes=False,
                            solver=SolverSettings(snb_as_arx=True)).population.snb
    # the class sizes, as the engine holds them for every transformation
    key = np.zeros(table.n_rows, dtype=np.int64)
    for name in ADULT:
        key = key * len(table.categories(name)) + table.codes(name)
    sizes = np.unique(key, return_counts=True)[1]
    histogram = ClassHistogram.from_class_sizes(sizes)
    codes = [table.codes(name) for name in ADULT]
    radices = [len(table.categories(name)) for name in ADULT]
    ones = np.ones(table.n_rows, dtype=np.int64)

    timings = {
        "sample_from_class_sizes": seconds(lambda: sample_risk(histogram), args.repeat),
        "sample_and_population_from_class_sizes": seconds(
            lambda: risk_from_class_sizes(sizes, population="USA"), args.repeat),
        "sample_and_population_arx_snb_from_class_sizes": seconds(
            lambda: risk_from_class_sizes(sizes, population="USA", solver=SolverSettings(snb_as_arx=True)),
            args.repeat),
        "sample_and_population_from_table": seconds(
            lambda: analyze_table(table, ADULT, population="USA", attributes=False), args.repeat),
        "attributes_511_combinations": seconds(
            lambda: attribute_risks(codes, radices, ones, ADULT), max(3, args.repeat // 3)),
    }
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "adult.yaml"
        lines = [f"data: {json.dumps(str(ARX_DATA / 'adult.csv'))}", "attributes:"]
        lines += [f"  {q}: {{role: quasi-identifier, hierarchy: {json.dumps(str(ARX_DATA / f'adult_hierarchy_{q}.csv'))}}}"
                  for q in ADULT]
        project.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [sys.executable, "-m", "eucaim_wizard", "risk", str(project), "--population", "USA",
                   "--json", str(Path(folder) / "risk.json")]
        wall = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            wall.append(time.perf_counter() - start)
        timings["whole_process"] = (statistics.median(wall), min(wall))

    s, u = full.sample, full.population
    singles = [a.separation for a in full.attributes if len(a.qis) == 1]
    ours = {"classes": s.classes.count, "average_class_size": s.classes.average_size, "highest_risk": s.highest_risk,
            "records_at_highest_risk": s.prosecutor.records_at_highest_risk, "average_risk": s.average_risk,
            "lowest_risk": s.lowest_risk, "records_at_lowest_risk": s.records_at_lowest_risk,
            "sample_uniques": s.sample_uniques, "pitman": u.pitman, "zayatz": u.zayatz,
            "snb": u.snb, "snb_arx_equations": arx_snb if arx_snb is not None else "did not converge",
            "dankar_model": u.dankar_model, "separation_min": min(singles), "separation_max": max(singles)}
    targets = {
        "sample_and_population_from_class_sizes": ARX["seconds_sample_and_population"] / 2,
        "attributes_511_combinations": ARX["seconds_attributes_511"] / 2,
    }
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "figures": {"eucaim_wizard": ours, "arx_3_9_2": ARX},
        "pitman_relative_difference": abs(u.pitman - ARX["pitman"]) / ARX["pitman"],
        "zayatz_relative_difference": abs(u.zayatz - ARX["zayatz"]) / ARX["zayatz"],
        "load_average": os.getloadavg()[0],
        "median_seconds": {name: round(value[0], 5) for name, value in timings.items()},
        "fastest_seconds": {name: round(value[1], 5) for name, value in timings.items()},
        "targets_seconds": targets,
        "targets_met_median": {name: timings[name][0] <= target for name, target in targets.items()},
        "targets_met_fastest": {name: timings[name][1] <= target for name, target in targets.items()},
    }
    for name, (median, fastest) in timings.items():
        target = f" (target {targets[name] * 1000:.1f} ms)" if name in targets else ""
        print(f"{name}: median {median * 1000:.2f} ms, fastest {fastest * 1000:.2f} ms{target}")
    print(f"load average {report['load_average']:.1f} on {os.cpu_count()} cores")
    print(f"Pitman {u.pitman:.9f} (ARX 0.0388962), Zayatz {u.zayatz:.9f} (ARX 0.2645647), SNB {u.snb} "
          f"(ARX's equations: {ours['snb_arx_equations']})")
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
