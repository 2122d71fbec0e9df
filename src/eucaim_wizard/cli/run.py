"""``eucaim-wizard run``: the whole workflow in one command, with one progress display."""


import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import (KEEP_FORMULAS_HELP, CONFIRM_HELP, LEVELS_HELP, PICK_HELP, STEPS_HELP, STRATEGY_HELP, TIME_LIMIT_HELP,
                     app, choice_from, err, fail, out, search_line, with_search)


class _RunProgress:
    """One rich progress bar on stderr for the whole run, its label the current step
    (shown only on a terminal)."""

    def __init__(self):
        self._bar = None
        self._task = None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                                 console=err.rich, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("starting", total=1)
        return self

    def step(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=name)

    def __call__(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command()
def run(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for every output (created if needed).")],
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Also write the anonymized table as anonymized.xlsx.")] = False,
    drop_suppressed: Annotated[bool, typer.Option(
        "--drop-suppressed", help="Remove suppressed records instead of writing '*'.")] = False,
    confirmed: Annotated[bool, typer.Option("--i-confirm-deidentified", help=CONFIRM_HELP)] = False,
    population: Annotated[Optional[str], typer.Option(
        "--population", help="The population the table is a sample of: a number of people, or a region "
                             "(EU-27, a member state such as ES or Spain, USA). Default: EU-27.")] = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Highest acceptable probability of re-identifying one record.")] = 0.2,
    target: Annotated[Optional[str], typer.Option(
        "--target", help="Attribute the classifiers predict (default: the first sensitive attribute).")] = None,
    no_classification: Annotated[bool, typer.Option(
        "--no-classification", help="Skip the classification analysis (the slowest step).")] = False,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds of the classification.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and the random forest.")] = 0,
    jobs: Annotated[int, typer.Option("--jobs", help="Processes for the random forest.")] = 1,
    date: Annotated[Optional[str], typer.Option(
        "--date", help="Date of the report, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set, else today).")] = None,
    levels: Annotated[Optional[str], typer.Option("--levels", help=LEVELS_HELP)] = None,
    pick: Annotated[Optional[int], typer.Option("--pick", help=PICK_HELP)] = None,
    sort: Annotated[str, typer.Option("--sort", help="The listing's order for --pick: loss, risk or suppressed.")] = "loss",
    every: Annotated[bool, typer.Option("--all", help="--pick counts in the listing of every transformation.")] = False,
    keep_formulas: Annotated[bool, typer.Option("--keep-formulas", help=KEEP_FORMULAS_HELP)] = False,
    strategy: Annotated[Optional[str], typer.Option("--strategy", help=STRATEGY_HELP)] = None,
    time_limit: Annotated[Optional[str], typer.Option("--time-limit", help=TIME_LIMIT_HELP)] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", min=1, help=STEPS_HELP)] = None,
) -> None:
    """Validate, anonymize, analyse risk and utility, and write the PDF report: the whole job.

    Runs validate -> de-identification guard -> risk of the input -> optimal search -> export
    (re-checked) -> risk of the output -> every candidate's risk and loss -> utility
    (quality, distributions, classification), then writes into OUTPUT: anonymized.<ext>
    (+ anonymized.xlsx with --xlsx), result.json, risk.json, utility.json, report.json,
    report.pdf, hierarchy_<attribute>.csv for every quasi-identifier and a copy of the
    project file. With --levels or --pick (or `transformation:` in the project file) the
    whole run is about that candidate instead of the optimum, and the report compares the
    two. Nothing is written unless every step succeeds; a rerun with the same inputs on the
    same day writes the same bytes. Exit code 2 for bad input, 3 when no transformation is
    anonymous.

    Example: eucaim-wizard run examples/demo/project.yaml -o out/demo
    """
    from ..errors import WizardError
    from ..workflow import run_workflow

    started = time.perf_counter()
    try:
        choice = choice_from(levels, pick, sort, every)
        with _RunProgress() as progress:
            outcome = run_workflow(
                with_search(project, strategy, time_limit, steps), output, xlsx=xlsx, drop_suppressed=drop_suppressed, confirmed_deidentified=confirmed,
                population=population, threshold=threshold, target=target, classification=not no_classification,
                folds=folds, seed=seed, n_jobs=jobs, date=date, choice=choice, keep_formulas=keep_formulas or None,
                progress=progress,
                step=progress.step)
    except WizardError as error:
        fail(error)
    _summary(outcome, time.perf_counter() - started)


def _summary(outcome, seconds: float) -> None:
    from rich.text import Text

    from ..report import _format as f

    report = outcome.report
    s = report["summary"]
    chosen = s.get("chosen")
    lines = [
        f"anonymous: {f.levels(s['transformation'])}" + (f" (chosen: {chosen['how']}; not the optimum)" if chosen else ""),
        f"suppressed {f.count(s['suppressed_records'])} of {f.count(s['records'])} records "
        f"({f.share(s['suppressed_share'])})",
    ]
    for model in s["privacy"]:
        achieved = f"; achieved {f.parameters(model['achieved'])}" if model["achieved"] else ""
        lines.append(f"  {model['model']} ({f.parameters(model['parameters'])}): "
                     f"{'holds' if model['holds'] else 'does NOT hold'}{achieved}")
    lines += [
        f"highest risk {f.decimal(s['highest_risk']['before'])} -> {f.decimal(s['highest_risk']['after'])}, "
        f"average risk {f.decimal(s['average_risk']['before'])} -> {f.decimal(s['average_risk']['after'])}",
        f"information loss {f.decimal(s['information_loss']['value'])} ({s['information_loss']['metric']})",
        "relative classification accuracy " + (
            f"not measured: {report['configuration']['classification']['reason']}" if s["relative_accuracy"] is None else
            f"{f.decimal(s['relative_accuracy'])} (target {s['classification_target']})" + (
                "; but no model beats the majority-class baseline, so it says little"
                if not report["utility"]["classification"].get("models_beating_baseline", 1) else "")),
    ]
    if search_line(outcome.result):
        lines.append(search_line(outcome.result))
    for line in lines:
        out.print(Text(line))
    from .risk import print_next_steps

    print_next_steps([a["text"] for a in s.get("next_steps", [])])
    # one line per file, never folded: the paths can be copied
    out.print(Text(f"written to {outcome.output}:", style="bold"))
    labels = {"table": "anonymized table", "xlsx": "anonymized table (Excel)", "report_pdf": "report (PDF)",
              "report_json": "report (JSON)", "result": "search and transformation", "risk": "risk, input and output",
              "utility": "utility", "project": "the project file used"}
    for key in ("table", "xlsx", "report_pdf", "report_json", "result", "risk", "utility", "project"):
        if key in outcome.files:
            out.print(Text(f"  {labels[key] + ':':<28}{outcome.files[key]}"))
    hierarchies = [path.name for key, path in outcome.files.items() if key.startswith("hierarchy:")]
    out.print(Text(f"  {'hierarchies (ARX CSV):':<28}{', '.join(hierarchies)}"))
    out.print(Text(f"done in {seconds:.1f} s", style="dim"))
