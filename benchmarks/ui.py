"""The browser wizard's speed (issue 25's targets; results to JSON).

1. **First page**: from starting ``eucaim-wizard ui --no-browser`` to the first page rendered
   in Debian's chromium (the sidebar's title drawn).  Target: < 3 s.  Without chromium or
   Playwright, the time to the server's health answer is reported instead, and said so.
2. **Each step's server time** on Adult (30,162 records, 9 quasi-identifiers, ARX's
   hierarchies, k=10, 5 %) and on Adult resampled to 1,000,000 records: each page's script run
   through Streamlit's AppTest (what the server does for one page view), once when the step
   is first opened (its figures computed) and once more (cached, as on a widget change).
   Targets on Adult: every step < 1 s after the search; run + explore < 2 s (the search, the
   listing of the candidates and the Explore page).

    python benchmarks/ui.py [--rows 1000000] [--output benchmarks/results/ui.json]

Needs ../shared/benchmarks/arx-data.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _common import ARX_DATA, RESULTS, machine, write_result  # noqa: E402

APP = Path(__file__).resolve().parents[1] / "src" / "eucaim_wizard" / "ui" / "app.py"
ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
         "salary-class"]
BEFORE = ("data", "roles", "hierarchies", "privacy")
AFTER = ("explore", "risk", "utility", "export")


def project_file(folder: Path, data: Path) -> Path:
    lines = [f"data: {data}", "attributes:"]
    lines += [f"  {q}: {{role: quasi-identifier, hierarchy: {ARX_DATA / f'adult_hierarchy_{q}.csv'}}}" for q in ADULT]
    lines += ["privacy:", "  - k-anonymity: {k: 10}", "suppression_limit: 0.05", "metric: loss", ""]
    path = folder / "project.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def first_page(repeat: int) -> dict:
    """Seconds from the command's start to the first page drawn, in a browser already open (as
    the curator's is), ``repeat`` times; the health check's answer without chromium."""
    from ui_browser import browser_page, why_not, wizard_server

    reason = why_not()
    if reason is not None:
        start = time.perf_counter()
        with wizard_server() as address:
            while True:
                try:
                    urllib.request.urlopen(f"{address}/_stcore/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.02)
        return {"seconds": round(time.perf_counter() - start, 3), "measured": f"health answer ({reason})"}
    times = []
    with browser_page(Path(tempfile.mkdtemp())) as page:
        for _ in range(repeat):
            start = time.perf_counter()
            with wizard_server() as address:
                page.goto(address)
                page.get_by_text("EUCAIM Wizard").first.wait_for()
                page.get_by_text("1. Data").first.wait_for()
                times.append(time.perf_counter() - start)
    return {"seconds": round(statistics.median(times), 3), "each": [round(t, 3) for t in times],
            "measured": "eucaim-wizard ui started → first page drawn in chromium (median)", "target_seconds": 3.0}


def _view(at, step: str) -> tuple[float, float]:
    times = []
    for _ in range(2):  # first view (computing), then cached
        at.session_state["step"] = step
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{step}: {at.exception[0].value}")
    return round(times[0], 3), round(times[1], 3)


def steps(project: Path, name: str) -> dict:
    """Every step's server time on the project, the search and the listing in between."""
    from streamlit.testing.v1 import AppTest

    from eucaim_wizard.ui.loading import open_path
    from eucaim_wizard.ui.session import Session, warm_up

    warm_up()  # (the server does it once, after its first page: the kernels are loaded by the search)
    session = Session.new()
    try:
        start = time.perf_counter()
        open_path(session, project)
        opened = time.perf_counter() - start
        at = AppTest.from_file(str(APP), default_timeout=3600)
        at.session_state["session"] = session
        views = {step: _view(at, step) for step in BEFORE}
        start = time.perf_counter()
        result = session.result()
        search = time.perf_counter() - start
        start = time.perf_counter()
        candidates = session.candidates()
        listing = time.perf_counter() - start
        views.update({step: _view(at, step) for step in AFTER})
        run_explore = search + listing + views["explore"][0]
        case = {"name": name, "records": result.n_records, "lattice": result.lattice_size,
                "listed": len(candidates), "open_seconds": round(opened, 3), "search_seconds": round(search, 3),
                "listing_seconds": round(listing, 3), "run_plus_explore_seconds": round(run_explore, 3),
                "steps": {step: {"first": first, "cached": again} for step, (first, again) in views.items()}}
        print(f"{name}: opened in {opened:.2f} s; search {search:.2f} s, listing {listing:.2f} s; "
              f"run + explore {run_explore:.2f} s")
        for step, (first, again) in views.items():
            print(f"  {step:12s} first view {first:6.3f} s   again {again:6.3f} s")
        return case
    finally:
        session.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="starts of the server timed for the first page")
    parser.add_argument("--output", type=Path, default=RESULTS / "ui.json")
    args = parser.parse_args()
    if not (ARX_DATA / "adult.csv").exists():
        print(f"needs {ARX_DATA / 'adult.csv'}")
        return 1
    from eucaim_wizard.tables import read_table, write_table

    report: dict = {"machine": machine(), "first_page": first_page(args.repeat), "cases": []}
    print(f"first page: {report['first_page']['seconds']:.2f} s ({report['first_page']['measured']})")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "adult").mkdir()
        case = steps(project_file(folder / "adult", ARX_DATA / "adult.csv"), "Adult")
        case["targets"] = {"each step after the search": 1.0, "run + explore": 2.0}
        report["cases"].append(case)
        table = read_table(ARX_DATA / "adult.csv")
        rows = np.random.default_rng(20261208).integers(0, table.n_rows, args.rows)
        big = folder / "big"
        big.mkdir()
        write_table(table.take(rows), big / "adult_big.csv")
        report["cases"].append(steps(project_file(big, big / "adult_big.csv"), f"Adult resampled to {args.rows:,}"))
    write_result(report, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
