"""Commands `explore`, `utility` and `apply`: compare candidates, measure utility, re-apply.

Thin wrappers over :mod:`.explore`, :mod:`.utility` and :mod:`.apply`: parse, call, print
with rich, exit codes (0 done, 2 bad input, 3 the new data is not anonymous at the saved levels).
"""


from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import CONFIRM_HELP, KEEP_FORMULAS_HELP, PICK_HELP, app, choice_from, err, fail, out, progress_bar
from ..tables.output import write_json


def _number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def _short(value: Any) -> str:
    """A statistic in a few characters: text as it is, numbers with 4 significant digits."""
    if value is None:
        return "–"
    return value if isinstance(value, str) else f"{value:.4g}"


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _load(project: Path):
    from ..anonymizer import anonymize
    from ..project import load_project

    loaded = load_project(project)
    with progress_bar("searching the lattice") as progress:
        return loaded, anonymize(loaded, progress=progress)


def _abbreviations(names: list[str], width: int) -> list[str]:
    """Column headers of at most ``width`` characters, distinct: the initials of all words
    but the last, then the last word (``PatientAge`` → ``PAge``, ``marital-status`` → ``mstat``)."""
    import re

    shown: list[str] = []
    for name in names:
        words = [w for w in re.split(r"[_\-\s.]+|(?<=[a-z0-9])(?=[A-Z])", name) if w] or [name]
        head = "".join(w[0] for w in words[:-1])[: max(width - 2, 1)]
        short = (head + words[-1])[:width] if len(name) > width else name
        base, n = short, 2
        while short in shown:
            short = f"{base[:width - len(str(n))]}{n}"
            n += 1
        shown.append(short)
    return shown


def candidate_table(exploration, title: str, rows, *, risk: str = "highest", width: int = 80):
    """The rich table of candidates: ``#`` (the number for ``--pick``), one column per
    quasi-identifier (abbreviated to fit ``width`` columns), then anonymous, loss, suppressed
    and risk; and the legend of the abbreviations."""
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    qis = exploration.quasi_identifiers
    number_width = max(len(str(max(exploration.picks.values(), default=1))), 1)
    fixed = (number_width + 1) + 5 + 7 + 8 + 8  # #, anon, loss, suppressed, risk (each with its space)
    letters = max(2, min(5, (width - fixed - 9) // max(len(qis), 1) - 1))
    headers = _abbreviations(qis, letters)
    how = fixed + len(qis) * (letters + 1) + 9 <= width  # room for how the search knew it
    table = RichTable(title=Text(title), box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      padding=0, title_justify="left")  # (the box draws one space between columns)

    def column(header: str, width: int, justify: str = "right") -> None:
        table.add_column(header, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]

    column("#", number_width)
    for header in headers:
        column(header, len(header))
    column("anon", 4, "left")
    if how:
        column("search", 8, "left")
    column("loss", 6)
    column("suppr.", 7)
    column(f"{'max' if risk == 'highest' else 'avg'} risk", 8)
    for c in rows:
        number = exploration.pick_of(c)
        cells = [str(number) if number is not None else "", *(str(c.levels[q]) for q in qis),
                 Text("yes" if c.anonymous else "no", style="green" if c.anonymous else "red")]
        if how:
            cells.append(c.search)
        cells += [_number(c.information_loss), f"{c.suppressed_records:,}", _number(c.risk(risk))]  # type: ignore[arg-type]
        table.add_row(*cells)
    legend = ", ".join(f"{h} {q}" if h != q else q for h, q in zip(headers, qis))
    return table, Text(f"levels of: {legend}")


@app.command()
def explore(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    top: Annotated[int, typer.Option("--top", help="Show the first N candidates after sorting.")] = 20,
    anonymous_only: Annotated[bool, typer.Option("--anonymous-only",
        help="Only anonymous candidates.")] = False,
    max_loss: Annotated[Optional[float], typer.Option("--max-loss",
        help="Only candidates with at most this information loss.")] = None,
    max_risk: Annotated[Optional[float], typer.Option("--max-risk",
        help="Only candidates whose risk (see --risk) is at most this.")] = None,
    levels: Annotated[Optional[str], typer.Option("--levels",
        help="Only candidates with these levels, e.g. age=2,sex=0.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="loss, risk or suppressed.")] = "loss",
    risk: Annotated[str, typer.Option("--risk",
        help="Risk for --max-risk and the Pareto front: highest or average.")] = "highest",
    every: Annotated[bool, typer.Option("--all",
        help="List every transformation of the lattice (default: those the search checked and the "
             "optimum's nearest, see --around).")] = False,
    around: Annotated[int, typer.Option("--around",
        help="How many transformations nearest the optimum the default listing evaluates.")] = 500,
    json_path: Annotated[Optional[Path], typer.Option("--json",
        help="Also write the listing and the Pareto front as JSON.")] = None,
    chart: Annotated[Optional[Path], typer.Option("--chart",
        help="Write the risk/loss chart (.png or .svg).")] = None,
) -> None:
    """List candidate transformations: levels, anonymous or not, loss, suppression and risk.

    By default the transformations the search checked and the optimum's nearest (--around N),
    so that the listing takes seconds whatever the lattice's size; --all evaluates every
    transformation (the table view of ARX's lattice). Filtered, sorted and shown with the
    Pareto front of risk against information loss among the anonymous candidates that match.
    Risks are prosecutor risks of the kept records: highest = 1/smallest class, average =
    classes/kept records. The # column numbers the anonymous candidates in the sort order:
    `run`/`anonymize --pick N` (with the same --sort and --all) release row N.

    Example: eucaim-wizard explore examples/demo/project.yaml --anonymous-only --top 10 --chart front.png
    """
    from ..errors import ProjectError, WizardError
    from ..explore import NEIGHBOURHOOD, explore as run_explore, listed_candidates, parse_levels, pareto_chart, save_figure

    try:
        if around < 1:
            raise ProjectError(f"--around {around}: give how many transformations near the optimum to list (1 or more)")
        loaded, result = _load(project)
        filters: dict[str, Any] = dict(anonymous_only=anonymous_only, max_loss=max_loss, max_risk=max_risk,
                                       levels=parse_levels(levels, loaded.quasi_identifiers) if levels else None,
                                       sort=sort, risk=risk)
        size = result.lattice_size
        pace = result.seconds / max(result.checked, 1)
        if every:
            err.print(f"listing all {size:,} transformations (the search's pace suggests up to "
                      f"{_duration(pace * size)}; compiled where the models allow, faster)", markup=False)
        elif size > around + result.checked:
            err.print(f"listing the {result.checked:,} transformations the search checked and the {around:,} nearest "
                      f"the optimum, of {size:,}; --all lists every one (up to {_duration(pace * size)} at the "
                      f"search's pace)", markup=False)
        with progress_bar("evaluating the transformations") as progress:
            everything = listed_candidates(result, everything=every, limit=around, progress=progress,
                                           levels=filters["levels"])
        exploration = run_explore(result, top=top, candidates=everything, **filters)
        protect = [project, *loaded.input_files]
        if chart is not None:  # every matching candidate as a point, not only the top N
            matching = run_explore(result, candidates=everything, **filters)
            save_figure(pareto_chart(exploration, everything=matching.candidates), chart, protect=protect)
        if json_path is not None:
            write_json(exploration.to_dict(), json_path, inputs=protect)
    except WizardError as error:
        fail(error)
    # (--pick numbers the default listing; one narrowed by --levels or --around is not it)
    by_number = levels is None and around == NEIGHBOURHOOD
    _print_listing(project, result, exploration, everything, sort=sort, risk=risk, every=every, by_number=by_number)
    for path, what in ((chart, "chart"), (json_path, "JSON")):
        if path is not None:
            out.print(f"wrote {what} {path}", markup=False)


def _print_listing(project: Path, result, exploration, everything, *, sort: str, risk: str, every: bool,
                   by_number: bool) -> None:
    """The listing, the Pareto front, the line that releases the first anonymous row, and what
    to do next."""
    from ..advice import emptied, sentences
    from .risk import print_next_steps

    width = min(out.rich.width, 100)
    table, legend = candidate_table(exploration, f"Candidates of {project} (sorted by {sort})",
                                    exploration.candidates, risk=risk, width=width)
    out.print(table)
    out.rich.print(legend, soft_wrap=False)
    scope = "" if exploration.listed == exploration.lattice_size else f" listed ({exploration.lattice_size:,} in the lattice)"
    out.print(f"{exploration.matched:,} of {exploration.listed:,} transformations{scope} match; "
              f"showing {len(exploration.candidates):,}", markup=False)
    front, _ = candidate_table(exploration, f"Pareto front: {risk} risk against information loss",
                               exploration.pareto, risk=risk, width=width)
    out.print(front)
    first = next((c for c in exploration.candidates if c.anonymous), None) or next(
        (c for c in everything if exploration.pick_of(c) == 1), None)  # (the best when none is shown)
    if first is not None:
        number = exploration.pick_of(first)
        flags = (" --sort " + sort if sort != "loss" else "") + (" --all" if every else "")
        if by_number:
            out.print(f"to release a row: eucaim-wizard run {project} -o OUTDIR --pick {number}{flags}", markup=False)
            out.print(f"  or by its levels: --levels {first.levels_text}", markup=False)
        else:
            out.print(f"to release the first row: eucaim-wizard run {project} -o OUTDIR --levels {first.levels_text}",
                      markup=False)
    if first is not None:
        print_next_steps(sentences(emptied(result, first.levels)))



def _duration(seconds: float) -> str:
    """A rough duration: "2 s", "3 min", "1.5 h"."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _print_utility(report) -> None:
    from rich.table import Table as RichTable
    from rich.text import Text

    t = report.transformation
    levels = ", ".join(f"{q}={level}" for q, level in t.levels.items())
    out.print(f"transformation {levels}: {'anonymous' if t.anonymous else 'NOT anonymous'}; "
              f"{t.suppressed_records:,} records suppressed", markup=False)
    for note in report.notes:
        out.print(Text(f"note: {note}", style="yellow"))
    quality = RichTable(title=Text("Attribute quality (ARX's models, 1 = original, higher is better)"))
    for column in ("attribute", "level", "missings", "gen. intensity", "granularity", "NU entropy", "squared error"):
        quality.add_column(column, justify="left" if column == "attribute" else "right")
    for q in report.quality.attributes:
        quality.add_row(Text(q.attribute), str(q.level), _number(q.missings), _number(q.generalization_intensity),
                        _number(q.granularity), _number(q.non_uniform_entropy), _number(q.squared_error))
    out.print(quality)
    d = report.quality.dataset
    dataset = RichTable(title=Text("Dataset quality and information loss"))
    dataset.add_column("measure")
    dataset.add_column("value", justify="right")
    for name, value in (("ambiguity", d.ambiguity), ("average class size", d.average_class_size),
                        ("discernibility", d.discernibility),
                        ("record-level squared error", d.record_level_squared_error)):
        dataset.add_row(f"{name} (quality)", _number(value))
    for label, value in report.quality.information_loss.items():
        dataset.add_row(Text(f"{label} (information loss)"), f"{value:.6g}")
    out.print(dataset)
    stats = RichTable(title=Text("Summary statistics (o: original, a: anonymized)"))
    for column in ("attribute", "", "scale", "missing", "distinct", "mode", "min", "median", "max", "mean", "sd"):
        stats.add_column(column, justify="left" if column in ("attribute", "", "scale", "mode") else "right",
                         overflow="fold")
    for before, after in zip(report.statistics["original"], report.statistics["anonymized"]):
        for side, summary in (("o", before), ("a", after)):
            stats.add_row(Text(summary.attribute if side == "o" else ""), side, summary.scale,
                          f"{summary.missing:,}", f"{summary.distinct:,}", Text(summary.mode or "–"),
                          _short(summary.minimum), Text(_short(summary.median)), _short(summary.maximum),
                          _short(summary.mean), _short(summary.sd), end_section=side == "a")
    out.print(stats)
    if report.contingency is not None:
        for side, table in zip(("original", "anonymized"), report.contingency):
            grid = RichTable(title=Text(f"Contingency ({side}): {table.row_attribute} × {table.column_attribute}"))
            grid.add_column(table.row_attribute)
            for column in table.columns:
                grid.add_column(Text(column), justify="right")
            for row, counts in zip(table.rows, table.counts):
                grid.add_row(Text(row), *[f"{c:,}" for c in counts])
            out.print(grid)
    c = report.classification
    if c is None:
        out.print(Text("classification skipped: give --target ATTRIBUTE to measure it", style="dim"))
        return
    grid = RichTable(title=Text(f"Classification of {c.target} ({c.folds}-fold CV, seed {c.seed})"))
    for column in ("model", "table", "accuracy", "Brier score", "Brier skill", "macro AUC", "rel. accuracy"):
        grid.add_column(column, justify="left" if column in ("model", "table") else "right")
    b = c.baseline
    grid.add_row("majority", "both", _number(b.accuracy), _number(b.brier_score), "0", _number(b.macro_auc), "",
                 end_section=True)
    for m in c.models:
        for side, performance in (("original", m.original), ("anonymized", m.anonymized)):
            grid.add_row(m.model if side == "original" else "", side, _number(performance.accuracy),
                         _number(performance.brier_score), _number(performance.brier_skill_score),
                         _number(performance.macro_auc), _number(m.relative_accuracy) if side == "anonymized" else "",
                         end_section=side == "anonymized")
    out.print(grid)
    out.print(Text(f"relative accuracy (anonymized / original, mean of the models): {_number(c.relative_accuracy)}",
                   style="bold"))
    if not any((m.original.brier_skill_score or 0.0) > 0 for m in c.models):
        out.print(Text(f"no model predicts {c.target} better than the majority class ({_number(b.accuracy)}) on the "
                       f"original (every Brier skill <= 0): the relative accuracy compares two guesses; choose a target "
                       f"the other attributes can predict", style="yellow"))


@app.command()
def utility(
    project: Annotated[Path, typer.Argument(help="The project file (YAML).")],
    levels: Annotated[Optional[str], typer.Option("--levels",
        help="The transformation to analyse (default: the project's choice, else the optimum): "
             "age=2,sex=0, or one level per quasi-identifier in the order `explore` lists them.")] = None,
    pick: Annotated[Optional[int], typer.Option("--pick", help=PICK_HELP)] = None,
    sort: Annotated[str, typer.Option("--sort", help="The listing's order for --pick: loss, risk or suppressed.")] = "loss",
    every: Annotated[bool, typer.Option("--all", help="--pick counts in the listing of every transformation.")] = False,
    target: Annotated[Optional[str], typer.Option("--target",
        help="Attribute to predict in the classification analysis.")] = None,
    features: Annotated[Optional[str], typer.Option("--features",
        help="Attributes to predict from, e.g. age,sex (default: quasi-identifiers and insensitive "
             "attributes).")] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the folds and the random forest.")] = 0,
    jobs: Annotated[int, typer.Option("--jobs", help="Threads growing the random forest's trees.")] = 1,
    frequencies: Annotated[Optional[str], typer.Option("--frequencies",
        help="Print frequency tables of these attributes, e.g. age,sex.")] = None,
    contingency: Annotated[Optional[str], typer.Option("--contingency",
        help="Print a contingency table of two attributes, e.g. sex,salary-class.")] = None,
    json_path: Annotated[Optional[Path], typer.Option("--json",
        help="Also write the whole analysis as JSON.")] = None,
) -> None:
    """Measure what the anonymized table is still good for, compared with the original.

    Prints ARX's attribute- and dataset-level quality models and the engine's information-loss
    values, summary statistics of both tables, optional frequency and contingency tables, and
    (with --target) the cross-validated accuracy, Brier score and ROC AUC of logistic
    regression, naive Bayes and random forest on both tables, with the relative accuracy.

    Example: eucaim-wizard utility examples/demo/project.yaml --target Modality --contingency PatientSex,Modality
    """
    from rich.table import Table as RichTable
    from rich.text import Text

    from .. import guard
    from ..errors import ProjectError, WizardError
    from ..release import chosen_levels
    from ..utility import analyze_utility

    try:
        pair = _names(contingency)
        if pair is not None and len(pair) != 2:
            raise ProjectError(f"--contingency takes two attributes separated by a comma, not {contingency!r}")
        shown = _names(frequencies) or []
        choice = choice_from(levels, pick, sort, every)
        loaded, result = _load(project)
        chosen = chosen_levels(result, choice)
        withheld = guard.flagged_columns(guard.check_table(result.table, loaded), result.table)
        with progress_bar("classifying") as progress:
            report = analyze_utility(
                result, chosen, target=target, features=_names(features),
                frequency_attributes=None if not shown else list(dict.fromkeys(
                    [q for q in result.quasi_identifiers if q not in withheld] + shown + ([target] if target else []))),
                contingency_attributes=tuple(pair) if pair else None, folds=folds, seed=seed, n_jobs=jobs,
                progress=progress, withheld=withheld)
        if json_path is not None:
            write_json(report.to_dict(), json_path, inputs=[project, *loaded.input_files])
    except WizardError as error:
        fail(error)
    _print_utility(report)
    for name in shown:
        pair_tables = report.frequencies[name]
        grid = RichTable(title=Text(f"Frequencies of {name}"))
        for column in ("table", "value", "records", "share"):
            grid.add_column(column, justify="right" if column in ("records", "share") else "left")
        for side, table in pair_tables.items():
            for value, count in zip(table.values, table.counts):
                grid.add_row(side, Text(value), f"{count:,}", f"{count / table.records:.1%}")
        out.print(grid)
    if json_path is not None:
        out.print(f"wrote {json_path}", markup=False)


@app.command(name="apply")
def apply_command(
    result_json: Annotated[Path, typer.Argument(
        help="The result.json written by `anonymize` (or a project file, with --levels).")],
    data: Annotated[Path, typer.Argument(help="The new table (same columns as the anonymized one's input).")],
    output: Annotated[Path, typer.Option("-o", "--output",
        help="Folder for anonymized.<ext> and apply.json.")],
    project: Annotated[Optional[Path], typer.Option("--project",
        help="Take roles, hierarchies and privacy models from this project file.")] = None,
    levels: Annotated[Optional[str], typer.Option("--levels",
        help="Levels to apply instead of the saved ones, e.g. age=3,sex=0.")] = None,
    drop_suppressed: Annotated[bool, typer.Option("--drop-suppressed",
        help="Remove suppressed records instead of writing '*'.")] = False,
    keep_formulas: Annotated[bool, typer.Option("--keep-formulas", help=KEEP_FORMULAS_HELP)] = False,
    confirmed: Annotated[bool, typer.Option("--i-confirm-deidentified", help=CONFIRM_HELP)] = False,
) -> None:
    """Re-apply a saved transformation to new data, without a new search.

    Generalizes DATA with the saved levels and hierarchies, checks the privacy models on
    it, suppresses the records of classes now too small (up to the suppression limit) and
    writes OUTPUT/anonymized.<ext> and OUTPUT/apply.json. Stops, writing nothing, when the new
    data looks identified (the guard, as for anonymize), has a column the project does not
    list, or values missing from a hierarchy (exit 2), or when too many records are in
    classes now too small (exit 3). In place of result.json, a project file with --levels
    applies a candidate chosen with `eucaim-wizard explore`.

    Example: eucaim-wizard apply examples/demo/project.yaml examples/demo/imaging_studies.csv --levels PatientSex=0,PatientAge=4,StudyDate=3,Modality=0,BodyPartExamined=0,Manufacturer=3 -o out/batch

    After `eucaim-wizard anonymize examples/demo/project.yaml -o out/demo`:
    eucaim-wizard apply out/demo/result.json new_batch.csv -o out/new_batch
    """
    from rich.text import Text

    from ..apply import apply_to_folder, load_saved
    from ..errors import WizardError
    from ..explore import parse_levels

    try:
        saved = load_saved(result_json, data, project=project, levels=parse_levels(levels) if levels else None)
        with progress_bar("applying") as progress:
            outcome = apply_to_folder(saved, output, drop_suppressed=drop_suppressed,
                                      protect=[result_json, project], progress=progress, keep_formulas=keep_formulas or None,
                                      confirmed_deidentified=confirmed)
    except WizardError as error:
        fail(error)
    applied = outcome.applied
    t = applied.transformation
    levels_text = ", ".join(f"{q}={level}" for q, level in t.levels.items())
    out.print(f"applied {levels_text} to {applied.result.n_records:,} records: anonymous; "
              f"{t.suppressed_records:,} suppressed (limit {applied.max_suppressed:,}); "
              f"{t.equivalence_classes:,} classes, smallest {t.min_class_size}", markup=False)
    if applied.failing_classes:
        out.print(Text(f"{applied.failing_classes:,} class(es) of the new data were too small for "
                       f"{', '.join(map(str, saved.project.privacy))}: their {applied.failing_records:,} "
                       f"record(s) are suppressed", style="yellow"))
    out.print(f"wrote {outcome.table_path} and {outcome.report_path}", markup=False)
