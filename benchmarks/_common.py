"""What every benchmark script shares: where the reference data is, and writing results."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
RESULTS = REPO / "benchmarks" / "results"


def machine() -> dict:
    """The machine a result was measured on (load average included: the machine is shared)."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average": os.getloadavg()}


def reference_milliseconds(repeat: int = 15) -> float:
    """Median time of a fixed workload like the engine's (counts, gathers and a sort of 30,000
    small codes, and a Python loop), in milliseconds: how fast the machine runs at the time
    of a measurement.  This shared virtual machine has slow spells (the same code taking
    1.5-3 times as long for minutes); a figure measured in one is told by this reference."""
    import statistics
    import time

    import numpy as np

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 80, 30_000).astype(np.int32)
    shares = rng.random(80)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(10):
            np.bincount(codes, minlength=80)
            np.take(shares, codes)
            np.sort(codes.astype(np.int64) << 15)
        sum(i * i for i in range(20_000))
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def write_result(report: dict, path: Path) -> None:
    """Write ``report`` as JSON to ``path`` atomically, and say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
    print(f"wrote {path}")
