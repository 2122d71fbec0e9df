"""Hostile inputs (issue 22, class 2): `eucaim-wizard init` on CSV files with one huge line —
a header line with no line break, and a first record holding one huge cell — of 16, 32, 64
and 128 MB.  Each must be refused with one paragraph (exit 2) in a time that does not grow
with the line (the sample is bounded; was 4x longer at each doubling, a 200 MB line hung).

    python benchmarks/hostile.py [--output benchmarks/results/hostile.json]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, RESULTS, machine, write_result  # noqa: E402

SIZES_MB = (16, 32, 64, 128)


def _write(path: Path, kind: str, megabytes: int) -> None:
    with path.open("wb") as out:
        if kind == "record":
            out.write(b"a,b\n")
        chunk = b"x" * (1 << 20)
        for _ in range(megabytes):
            out.write(chunk)
        out.write(b",1\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS / "hostile.json")
    args = parser.parse_args()
    command = [sys.executable, "-m", "eucaim_wizard"]
    report: dict = {"machine": machine(), "cases": []}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("header", "record"):
            for megabytes in SIZES_MB:
                path = Path(folder) / f"{kind}{megabytes}.csv"
                _write(path, kind, megabytes)
                before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                start = time.perf_counter()
                done = subprocess.run([*command, "init", str(path), "-o", str(path.with_suffix(".yaml"))],
                                      capture_output=True, text=True, cwd=REPO, timeout=600)
                seconds = time.perf_counter() - start
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
                case = {"line": kind, "megabytes": megabytes, "seconds": round(seconds, 2), "exit": done.returncode,
                        "peak_rss_mb": round(max(peak, before) / 1024), "message": done.stderr.strip()[:160]}
                report["cases"].append(case)
                print(f"{kind:6} {megabytes:4} MB: exit {done.returncode} in {seconds:5.2f} s "
                      f"({case['message'][:90]})")
                path.unlink()
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
