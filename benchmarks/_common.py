"""What every benchmark script shares: where the reference data is, and writing results."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ARX_DATA = REPO.parent / "shared" / "benchmarks" / "arx-data"
RESULTS = REPO / "benchmarks" / "results"


def machine() -> dict:
    """The machine a result was measured on (load average included: the machine is shared)."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_average": os.getloadavg()}


class Reference:
    """A fixed workload like the engine's (counts, gathers and a sort of 30,000 small codes,
    and a Python loop): timed between the measured calls, it tells how fast the machine ran
    while they ran.  This shared virtual machine has slow spells (the same code taking
    1.5-3 times as long for minutes); a figure measured in one is told by its reference."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self._codes = rng.integers(0, 80, 30_000).astype(np.int32)
        self._shares = rng.random(80)
        self.seconds: list[float] = []

    def run(self) -> None:
        """Time the workload once (kept in ``seconds``)."""
        start = time.perf_counter()
        for _ in range(10):
            np.bincount(self._codes, minlength=80)
            np.take(self._shares, self._codes)
            np.sort(self._codes.astype(np.int64) << 15)
        sum(i * i for i in range(20_000))
        self.seconds.append(time.perf_counter() - start)

    def milliseconds(self) -> float:
        """The median of the timings so far, in milliseconds."""
        return round(statistics.median(self.seconds) * 1000, 2)


def write_result(report: dict, path: Path) -> None:
    """Write ``report`` as JSON to ``path`` atomically, and say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
    print(f"wrote {path}")
