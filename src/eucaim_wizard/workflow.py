"""The whole workflow in one call: validate, guard, search, export, risk, utility, report.

:func:`run_workflow` is what ``eucaim-wizard run PROJECT -o OUTDIR`` does:

1. validate the project (data, roles, hierarchies) and run the de-identification guard;
2. measure the re-identification risk of the input;
3. search the optimal anonymous transformation and export the anonymized table, re-checked
   (:func:`eucaim_wizard.release.anonymize_to_folder`: pseudonyms, verification);
4. measure the risk of the output;
5. evaluate every candidate of the lattice (risk against loss, the Pareto front);
6. analyse the utility (quality models, distributions, classification);
7. write ``anonymized.<ext>`` (and ``anonymized.xlsx`` when asked), ``result.json``,
   ``risk.json``, ``utility.json``, ``report.json``, ``report.pdf`` and the hierarchies used
   (``hierarchy_<attribute>.csv``, ARX format).

Everything is first written to a hidden folder inside OUTDIR and moved into place only when
every file is complete, so a failure at any step leaves OUTDIR as it was.  The files depend
only on the inputs and the report's date: a rerun on the same day gives the same bytes
(timings are returned, never written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ProjectError
from .explore import NEIGHBOURHOOD, Choice
from .release import hierarchy_file_name
from .tables.output import staged_folder

if TYPE_CHECKING:
    from .anonymizer import Result
    from .project import Project
    from .risk import RiskAnalysis
    from .utility import UtilityReport

Progress = Callable[[int, int], None]
Step = Callable[[str], None]

#: the steps, in order, with their share of the progress bar
STEPS: tuple[tuple[str, int], ...] = (
    ("validating", 2), ("risk of the input", 4), ("searching and exporting", 8), ("risk of the output", 3),
    ("evaluating the candidates", 12), ("utility", 24), ("writing the report", 8), ("moving the files into place", 1),
)
_NAMES = {"table": None, "result": "result.json", "risk": "risk.json", "utility": "utility.json",
          "report_json": "report.json", "report_pdf": "report.pdf"}


@dataclass
class RunOutcome:
    """What :func:`run_workflow` wrote and computed.

    ``files`` maps ``table``, ``xlsx`` (when asked), ``result``, ``risk``, ``utility``,
    ``report_json``, ``report_pdf`` and ``hierarchy:<attribute>`` to the written paths;
    ``seconds`` holds the time of each step (not written to any file).
    """

    output: Path
    files: dict[str, Path]
    result: Result
    risk_before: RiskAnalysis
    risk_after: RiskAnalysis
    utility: UtilityReport
    report: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)


class _Tracker:
    """Maps each step's own progress onto one bar for the whole run."""

    def __init__(self, progress: Progress | None, step: Step | None):
        self.progress, self.step = progress, step
        self.total = sum(weight for _, weight in STEPS)
        self.done = 0
        self.current = ("", 0)
        self.seconds: dict[str, float] = {}
        self._started = 0.0

    def start(self, name: str) -> None:
        self.finish()
        weight = dict(STEPS)[name]
        self.current = (name, weight)
        self._started = time.perf_counter()
        if self.step is not None:
            self.step(name)
        self._report(0.0)

    def finish(self) -> None:
        name, weight = self.current
        if name:
            self.seconds[name] = round(time.perf_counter() - self._started, 3)
            self.done += weight
            self.current = ("", 0)
            self._report(0.0)

    def sub(self, done: int, total: int) -> None:
        self._report(done / total if total else 1.0)

    def _report(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(min(self.total, round(self.done + fraction * self.current[1])), self.total)


def report_date(date: dt.date | str | None = None) -> str:
    """The report's date as ``YYYY-MM-DD``: ``date``, else ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention) when set, else today (UTC)."""
    if isinstance(date, dt.date):
        return date.isoformat()
    if date is not None:
        try:
            return dt.date.fromisoformat(str(date)).isoformat()
        except ValueError:
            raise ProjectError(f"the report date {date!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def choose_target(project: Project, columns: Sequence[str], target: str | None,
                  classification: bool) -> tuple[str | None, str]:
    """The attribute the classifiers predict, and why (or why there is none).

    Default: the first sensitive attribute of the project.

    Raises
    ------
    ProjectError
        If ``target`` is not a column of the table or is an identifier (never released).
    """
    if not classification:
        return None, "turned off (--no-classification)"
    if target is not None:
        if target not in columns:
            raise ProjectError(f"the classification target {target!r} is not a column of "
                               f"{project.data_path or 'the table'}; its columns are: {', '.join(columns)}.")
        if target in project.identifiers:
            raise ProjectError(f"the classification target {target!r} is an identifier, which is never released; "
                               f"choose a quasi-identifier, sensitive or insensitive column.")
        return target, "chosen for this run"
    sensitive = [name for name in project.sensitive if name in columns]
    if sensitive:
        return sensitive[0], "the first sensitive attribute of the project"
    return None, "the project has no sensitive attribute to predict; give a target attribute (--target NAME)"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_workflow(project: Project | str | Path, output: str | Path, *, xlsx: bool = False,
                 drop_suppressed: bool = False, confirmed_deidentified: bool = False,
                 population: str | int | None = None, threshold: float = 0.2, target: str | None = None,
                 classification: bool = True, folds: int = 10, seed: int = 0, models: Sequence[str] | None = None,
                 n_jobs: int = 1, max_combination: int | None = None, max_candidates: int = 20_000,
                 date: dt.date | str | None = None, choice: Choice | None = None, around: int = NEIGHBOURHOOD,
                 keep_formulas: bool | None = None, progress: Progress | None = None,
                 step: Step | None = None) -> RunOutcome:
    """Validate, guard, search, export and analyse ``project``; write every file into ``output``.

    Parameters
    ----------
    project
        A project, or the path of a project file.
    output
        The output folder (created if needed; files of an earlier run are replaced).
    xlsx, drop_suppressed, keep_formulas
        Also write ``anonymized.xlsx``; leave suppressed records out instead of writing ``*``;
        write CSV cells that begin like a formula as they are (default: the project's
        ``release: {keep_formulas: …}``, else a ``'`` prefix: :mod:`eucaim_wizard.tables.formulas`).
    confirmed_deidentified
        The curator confirms the data is de-identified despite the guard's signs (recorded).
    population, threshold
        The population the table is a sample of (a size or a region, default EU-27) and the
        risk threshold (see :func:`eucaim_wizard.risk.analyze_table`).
    target, classification, folds, seed, models, n_jobs
        The classification analysis: the attribute to predict (default: the first sensitive
        attribute), whether to run it, and its settings (:func:`~eucaim_wizard.utility.analyze_utility`).
    max_combination
        Largest combination of quasi-identifiers for the attribute risk.
    max_candidates
        Every transformation of a lattice up to this size is evaluated for the chart of risk
        against loss and the alternatives; in a larger lattice, those the search checked and
        the optimum's ``around`` nearest (:func:`eucaim_wizard.explore.listed_candidates`).
    date
        The report's date (default: :func:`report_date`).
    choice
        The candidate to release instead of the optimum (levels, or a row of the listing;
        default: the project's ``transformation:``, else the optimum): every output is then
        about it, and the report compares it with the optimum.
    progress, step
        Called with (done, total) for the whole run, and with the name of each step.

    Raises
    ------
    WizardError
        For bad input (exit code 2; the guard's :class:`~eucaim_wizard.guard.IdentifiedDataError`
        among them) or when no transformation is anonymous (InfeasibleError, exit code 3).
        Nothing is written then.
    """
    from . import __version__
    from .risk import analyze_risk, parse_population
    from .risk.sample import check_threshold

    tracker = _Tracker(progress, step)
    tracker.start("validating")
    day = report_date(date)
    check_threshold(threshold)
    chosen_population = parse_population(population)
    if classification and folds < 2:
        raise ProjectError(f"cross-validation needs at least 2 folds, not {folds}: give --folds 2 or more "
                           f"(default 10), or --no-classification to skip it")
    loaded, table, validation = _prepare(project, confirmed_deidentified)
    target, target_reason = choose_target(loaded, table.columns, target, classification)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise ProjectError(f"{output} exists and is not a folder; choose another output folder with -o.")

    tracker.start("risk of the input")
    risk_before = analyze_risk(loaded, table=table, threshold=threshold, population=chosen_population,
                               max_combination=max_combination, progress=tracker.sub)

    # written into a hidden folder inside the output, moved into place only when all is done
    with staged_folder(output, inputs=loaded.input_files) as staging:
        outcome = _analyse_and_stage(
            loaded, staging, tracker, table=table, validation=validation, risk_before=risk_before, xlsx=xlsx,
            drop_suppressed=drop_suppressed, confirmed=confirmed_deidentified, population=chosen_population,
            population_given=str(population) if population is not None else chosen_population.region or "",
            threshold=threshold, target=target, target_reason=target_reason, folds=folds, seed=seed,
            models=models, n_jobs=n_jobs, max_combination=max_combination, max_candidates=max_candidates, day=day,
            version=__version__, choice=choice, around=around, keep_formulas=keep_formulas)
        tracker.start("moving the files into place")
    files = {key: output / path.name for key, path in outcome.pop("files").items()}
    tracker.finish()
    return RunOutcome(output, files, seconds=tracker.seconds, **outcome)


def _prepare(project: Project | str | Path, confirmed: bool):
    """The project (loaded from its file when a path is given), its table (read once: the
    validation, the risk and the search use it) and its validation report."""
    from .project import load_project

    loaded = load_project(project) if isinstance(project, (str, Path)) else project
    table = loaded.load_table()
    return loaded, table, _validate(loaded, confirmed, table)


def _validate(project: Project, confirmed: bool, table):
    """The validation report; the guard's and validation's errors stop the run."""
    from . import guard
    from .validation import validate_project

    report = validate_project(project, confirmed_deidentified=confirmed, table=table)
    guard.require_deidentified(report.findings, str(project.data_path or "the table"), confirmed=confirmed)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        shown = "; ".join(f"{f.where}: {f.message}" if f.where else f.message for f in errors[:3])
        more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
        raise ProjectError(f"{project.source or 'the project'} cannot be used as it is: {shown}{more}. "
                           f"Run `eucaim-wizard validate` for every finding.", errors)
    return report


def _analyse_and_stage(project: Project, staging: Path, tracker: _Tracker, *, table, validation, risk_before, xlsx: bool,
                       drop_suppressed: bool, confirmed: bool, population, population_given: str, threshold: float,
                       target: str | None, target_reason: str, folds: int, seed: int, models, n_jobs: int,
                       max_combination: int | None, max_candidates: int, day: str, version: str,
                       choice: Choice | None, around: int, keep_formulas: bool | None) -> dict[str, Any]:
    """Every step after the risk of the input, writing into ``staging``."""
    from .explore import explore, listed_candidates
    from .risk import analyze_table
    from .release import anonymize_to_folder
    from .utility import MODELS, analyze_utility

    tracker.start("searching and exporting")
    exported = anonymize_to_folder(project, staging, drop_suppressed=drop_suppressed, progress=tracker.sub,
                                   confirmed_deidentified=confirmed, table=table, levels=choice,
                                   keep_formulas=keep_formulas)
    result = exported.result
    applied = exported.transformation
    levels = dict(applied.levels)
    files: dict[str, Path] = {"table": exported.table_path, "result": exported.result_path}

    tracker.start("risk of the output")
    node = result.node_of(levels)
    risk_after = analyze_table(result.anonymized_table(levels), result.quasi_identifiers, threshold=threshold,
                               population=population, max_combination=max_combination,
                               suppressed=result.suppressed_records(node), source=exported.table_path.name,
                               progress=tracker.sub)

    tracker.start("evaluating the candidates")
    # every transformation where the lattice is small, else the search's and the optimum's nearest
    candidates = listed_candidates(result, everything=result.lattice_size <= max_candidates, limit=around,
                                   progress=tracker.sub)
    exploration = explore(result, candidates=candidates)

    tracker.start("utility")
    from . import guard

    utility = analyze_utility(result, levels, target=target, models=tuple(models) if models else tuple(MODELS),
                              folds=folds, seed=seed, n_jobs=n_jobs, progress=tracker.sub,
                              withheld=guard.flagged_columns(validation.findings, table))

    tracker.start("writing the report")
    from .advice import next_steps

    advice = next_steps(analysis=risk_before, project=project, table=table, result=result, levels=levels)
    how = None  # (the choice was resolved by the export: not listed again here)
    if result.optimum is None or dict(applied.levels) != dict(result.optimum.levels):
        given = choice is not None and choice.given
        how = (choice.describe() if given else f"{project.transformation.choice().describe()}, in the project file"
               if project.transformation is not None else "the chosen levels")
    written, report = _write_outputs(
        project, staging, result=result, exported=exported, applied=applied, how=how, advice=advice,
        validation=validation,
        risk_before=risk_before, risk_after=risk_after, utility=utility, exploration=exploration,
        candidates=candidates, xlsx=xlsx, drop_suppressed=drop_suppressed, confirmed=confirmed,
        population_given=population_given, threshold=threshold, target=target, target_reason=target_reason,
        folds=folds, seed=seed, day=day, version=version)
    return {"files": {**files, **written}, "result": result, "risk_before": risk_before, "risk_after": risk_after,
            "utility": utility, "report": report}


def _write_outputs(project: Project, staging: Path, *, result: Result, exported, applied, how: str | None,
                   advice, validation, risk_before, risk_after, utility, exploration, candidates, xlsx: bool,
                   drop_suppressed: bool, confirmed: bool, population_given: str, threshold: float,
                   target: str | None, target_reason: str, folds: int, seed: int, day: str,
                   version: str) -> tuple[dict[str, Path], dict[str, Any]]:
    """The files besides the table: the XLSX copy, the hierarchies and the project file used,
    result.json completed, risk.json, utility.json, report.json and report.pdf; and the report."""
    from .report import OutputFile, Settings, build_report, render_pdf, report_charts
    from .tables import TableFormat, read_table, write_table
    from .tables.formulas import restore_formulas
    from .tables.output import write_bytes, write_json

    files: dict[str, Path] = {}

    saved = json.loads(exported.result_path.read_text(encoding="utf-8"))
    written = read_table(exported.table_path)
    if saved["formulas"]["neutralised"]:  # (an XLSX cell is text, never a formula: no prefix needed)
        written = restore_formulas(written)
    extra = []
    if xlsx and exported.table_path.suffix.lower() != ".xlsx":  # (XLSX bytes depend only on the table)
        files["xlsx"] = staging / "anonymized.xlsx"
        write_table(written, files["xlsx"], TableFormat("xlsx"))
        extra.append({"name": files["xlsx"].name, "sha256": sha256_of(files["xlsx"])})
    hierarchy_files = {}
    for name in result.quasi_identifiers:
        file_name = hierarchy_file_name(name)
        project.load_hierarchy(name).write(staging / file_name, inputs=project.input_files)
        files[f"hierarchy:{name}"] = staging / file_name
        hierarchy_files[name] = file_name
    if project.source is not None:  # the project file as it was, beside what it produced
        files["project"] = staging / f"project{project.source.suffix or '.yaml'}"
        write_bytes(files["project"], project.source.read_bytes(), inputs=project.input_files)
    inputs = project.input_files
    write_json(_result_json(saved, result, hierarchy_files, dict(applied.levels)), exported.result_path, inputs=inputs)
    files["risk"] = staging / "risk.json"
    write_json({"input": risk_before.to_dict(), "output": risk_after.to_dict()}, files["risk"], inputs=inputs)
    files["utility"] = staging / "utility.json"
    write_json(utility.to_dict(), files["utility"], inputs=inputs)
    data_path = project.data_path
    settings = Settings(population=population_given, threshold=threshold, target=target, target_reason=target_reason,
                        folds=folds, seed=seed, drop_suppressed=drop_suppressed, confirmed_deidentified=confirmed)
    output = OutputFile(name=exported.table_path.name, sha256=sha256_of(exported.table_path), rows=written.n_rows,
                        columns=list(written.columns), format=written.format.kind, extra=extra)
    release = getattr(project, "release", None)
    report = build_report(project=project, result=result, validation=validation, guard=saved.get("guard", {}),
                          input_sha256=sha256_of(data_path) if data_path is not None else None,
                          risk_before=risk_before, risk_after=risk_after, utility=utility, exploration=exploration,
                          candidates=candidates, output=output, hierarchy_files=hierarchy_files, settings=settings,
                          date=day, version=version, applied=applied, choice=how, advice=advice,
                          release=None if release is None else release.model_dump(mode="json"),
                          formulas=saved["formulas"],
                          project_sha256=sha256_of(project.source) if project.source is not None else None)
    files["report_json"] = staging / "report.json"
    write_json(report, files["report_json"], inputs=inputs)
    files["report_pdf"] = staging / "report.pdf"
    pdf = render_pdf(report, report_charts(report, exploration, candidates))
    write_bytes(files["report_pdf"], pdf, inputs=inputs)
    return files, report


def _result_json(saved: dict[str, Any], result: Result, hierarchy_files: dict[str, str],
                 levels: dict[str, int] | None = None) -> dict[str, Any]:
    """``result.json`` of the export, without the search's time (it changes from run to run), with
    what ``eucaim-wizard apply`` needs; its hierarchies are the copies in the output folder."""
    from .apply import saved_transformation

    saved = dict(saved)
    saved["search"] = {k: v for k, v in saved["search"].items() if k != "seconds"}
    extra = saved_transformation(result, levels)
    for name, entry in extra["project"]["attributes"].items():
        if name in hierarchy_files:
            entry["hierarchy"] = hierarchy_files[name]
    saved.update(extra)
    return saved


__all__ = ["RunOutcome", "STEPS", "choose_target", "hierarchy_file_name", "report_date", "run_workflow", "sha256_of"]
