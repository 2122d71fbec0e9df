"""A quasi-identifier with 1,000,000 distinct values (issue 24, class 9): `run` against
`anonymize` on the same project, each a fresh process, time and peak memory (results to JSON).

The table: 1,000,000 synthetic records, `code` 0…999,999 (a hierarchy file of four levels:
the code, its thousand, its hundred thousand, `*`), `sex`, and a sensitive `diagnosis`;
k = 5, 5 %.  `run` was 7x slower than `anonymize` (218 s / 2.8 GB against 30 s / 1.4 GB):
its JSON outputs listed every distinct value (report.json 61 MB, utility.json 107 MB) and
the hierarchy was serialised again for each of its six digests.

    python benchmarks/distinct.py [--rows 1000000] [--output benchmarks/results/distinct.json]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, machine, write_result  # noqa: E402


def _write(folder: Path, rows: int) -> Path:
    rng = random.Random(1)
    with (folder / "data.csv").open("w") as out:
        out.write("code,sex,diagnosis\n")
        out.writelines(f"{i},{'FM'[i % 2]},{'ABC'[rng.randrange(3)]}\n" for i in range(rows))
    with (folder / "h.csv").open("w") as out:
        out.writelines(f"{i};{i // 1000 * 1000}-{i // 1000 * 1000 + 999};"
                       f"{i // 100000 * 100000}-{i // 100000 * 100000 + 99999};*\n" for i in range(rows))
    (folder / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  code: {role: quasi-identifier, hierarchy: h.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: 'preset:sex'}\n  diagnosis: {role: sensitive}\n"
        "privacy:\n  - k-anonymity: {k: 5}\nsuppression_limit: 0.05\n")
    return folder / "project.yaml"


def _timed(command: list[str]) -> dict:
    """Wall time and peak RSS of one child process (wait4's rusage: that child alone)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024), "exit": status >> 8}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "distinct.json")
    args = parser.parse_args()
    command = [sys.executable, "-m", "eucaim_wizard"]
    report: dict = {"machine": machine(), "rows": args.rows, "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        project = _write(Path(folder), args.rows)
        for name, extra in (("anonymize", []), ("run", ["--no-classification"])):
            out = Path(folder) / name
            report["cases"][name] = case = _timed([*command, name, str(project), "-o", str(out), *extra])
            sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.suffix == ".json"}
            case["json_bytes"] = sizes
            print(f"{name:9}: {case['seconds']:6.1f} s, peak {case['peak_rss_mb']:,} MB, exit {case['exit']}; "
                  f"JSON {sizes}")
            shutil.rmtree(out, ignore_errors=True)
    report["run_over_anonymize"] = round(report["cases"]["run"]["seconds"] / report["cases"]["anonymize"]["seconds"], 2)
    print(f"run / anonymize: {report['run_over_anonymize']}x")
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
