"""``eucaim-wizard risk``: re-identification risk of a project's table (or of its anonymized output)."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import app, fail, out, progress_bar


@app.command()
def risk(
    project: Annotated[Path, typer.Argument(help="The project file (YAML): which columns are quasi-identifiers.")],
    data: Annotated[Optional[Path], typer.Option(
        "--data", help="Analyse this table instead of the project's data, e.g. the anonymized output "
                       "(rows with '*' in every quasi-identifier count as suppressed).")] = None,
    population: Annotated[Optional[str], typer.Option(
        "--population", help="The population the table is a sample of: a number of people, or a region "
                             "(EU-27, a member state such as ES or Spain, USA). Default: EU-27.")] = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", help="Highest acceptable probability of re-identifying one record; records above "
                            "it are 'at risk' (0.2 = classes of fewer than 5).")] = 0.2,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Write every figure to this JSON file.")] = None,
    max_combination: Annotated[Optional[int], typer.Option(
        "--max-combination", help="Largest combination of quasi-identifiers for attribute risk "
                                  "(default: all when there are at most 10).")] = None,
    no_attributes: Annotated[bool, typer.Option("--no-attributes", help="Skip the attribute risk.")] = False,
) -> None:
    """Re-identification risk: attacker models, population uniqueness, which attributes drive it.

    Prints every figure with a sentence saying what it means for this table. As in ARX,
    suppressed records form no class of their own, and a missing value is a value of its
    own. --json writes every figure (and every attribute combination) to a file.

    Example: eucaim-wizard risk examples/demo/project.yaml --population ES
    """
    from ..errors import WizardError
    from ..tables.output import refuse_inputs, write_json
    from ..project import load_project
    from ..risk import RiskError, analyze_risk
    from ..risk.sample import check_threshold
    from ..tables import read_table

    try:
        check_threshold(threshold)
        if max_combination is not None and max_combination < 1:
            raise RiskError(f"--max-combination must be at least 1, not {max_combination}")
        loaded = load_project(project)
        inputs = [project, *loaded.input_files, data]
        if json_path is not None:
            refuse_inputs(json_path, inputs)  # before the work, not after it
        table = read_table(data) if data is not None else None
        with progress_bar("attribute combinations") as progress:
            analysis = analyze_risk(loaded, table=table, threshold=threshold, population=population,
                                       attributes=not no_attributes, max_combination=max_combination,
                                       progress=progress)
        if json_path is not None:
            write_json(analysis.to_dict(), json_path, inputs=inputs)
        from ..advice import next_steps, sentences

        # the levels to advise are read from the project's own data (an output given by --data
        # is generalized already)
        advice = next_steps(analysis=analysis, project=loaded, table=loaded.load_table() if data is None else None)
    except WizardError as error:
        fail(error)
    _print(analysis)
    print_next_steps(sentences(advice))
    if json_path is not None:
        out.print(f"wrote {json_path}", markup=False)


def print_next_steps(sentences) -> None:
    """The advice's sentences, under "What to do next" (nothing when there is none)."""
    from rich.text import Text

    if not sentences:
        return
    out.print(Text("What to do next", style="bold"))
    for sentence in sentences:
        out.print(Text(f"  - {sentence}"))


def _print(analysis) -> None:
    from rich.table import Table as RichTable
    from rich.text import Text

    sample = analysis.sample
    records = sample.records + sample.suppressed_records
    head = (f"Re-identification risk of {analysis.source}: {records:,} records "
            f"({sample.suppressed_records:,} suppressed); quasi-identifiers: {', '.join(analysis.quasi_identifiers)}")
    if analysis.population is not None:
        region = analysis.population.region
        head += f"; population {region + ' ' if region else ''}{analysis.population.population_size:,}"
    out.print(Text(head + f"; threshold {sample.threshold:g}", style="bold"))
    groups = {"": [], "distribution": [], "population": [], "attributes": []}
    for item in analysis.explain():
        groups.get(item.key.split(".")[0], groups[""]).append(item)
    titles = {"": "Records and attackers", "distribution": "Risk distribution (records per band of risk)",
              "population": "Population uniqueness", "attributes": "Which attributes drive the risk "
              "(distinction: distinct values / records; separation: share of record pairs that differ)"}
    for name, items in groups.items():
        if not items:
            continue
        table = RichTable(title=Text(titles[name]), show_lines=False, title_justify="left")
        table.add_column("figure" if name != "attributes" else "quasi-identifiers", overflow="fold")
        table.add_column("value", overflow="fold")
        table.add_column("what it means", overflow="fold", ratio=1)
        for item in items:
            table.add_row(Text(item.label), Text(item.value), Text(item.sentence))
        out.print(table)
