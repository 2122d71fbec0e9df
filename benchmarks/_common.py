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


def write_result(report: dict, path: Path) -> None:
    """Write ``report`` as JSON to ``path`` atomically, and say so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)
    print(f"wrote {path}")
