"""The best-effort search (engine/heuristic.py): it finds the optimum wherever the optimal
search can run and proves it, runs on lattices far past the optimal search's limit within its
limits, and says what it proves; the metrics' per-node bounds; the ``search:`` setting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.project_settings import SearchSettings
from eucaim_wizard.privacy import KAnonymity

from test_search import exhaustive_optimum, projects

ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
         "salary-class"]


def best_first(project: Project, **limits) -> Project:
    """``project`` searched best-first (generous limits unless given)."""
    settings_ = SearchSettings(strategy="best-first", time_limit=limits.get("time_limit", 600),
                               steps=limits.get("steps"))
    return project.model_copy(update={"search": settings_})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_best_first_finds_and_proves_the_exhaustive_optimum(project):
    result = anonymize(best_first(project))
    assert result.outcome.strategy == "best-first"
    assert result.outcome.optimum == exhaustive_optimum(result)
    assert result.outcome.proven_optimal and result.outcome.stopped is None
    assert result.outcome.gap == 0.0


@pytest.mark.parametrize("k, limit, metric", [(2, 0.0, "loss"), (5, 0.0, "loss"), (10, 0.05, "loss"),
                                              (100, 0.05, "loss"), (5, 0.04, {"entropy": {"monotonic": True}}),
                                              (5, 0.0, "precision")])
def test_best_first_equals_the_optimal_search_on_adult(arx_data, k, limit, metric):
    from eucaim_wizard.tables import read_table

    table = read_table(arx_data / "adult.csv")
    attributes = {q: {"role": "quasi-identifier", "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv")}
                  for q in ADULT}
    project = Project(data=table, attributes=attributes, privacy=[KAnonymity(k=k)], suppression_limit=limit,
                      metric=metric)
    optimal, effort = anonymize(project), anonymize(best_first(project))
    assert effort.outcome.proven_optimal and effort.outcome.gap == 0.0
    assert effort.optimum.levels == optimal.optimum.levels
    assert effort.optimum.information_loss == optimal.optimum.information_loss


def test_best_first_equals_the_optimal_search_on_the_seed_pack_project(seed_pack, tmp_path):
    from eucaim_wizard.arx import import_arx
    from eucaim_wizard.project import load_project

    imported = import_arx(seed_pack / "examples" / "synth_data_for_demo_project.deid", tmp_path / "p.yaml")
    project = load_project(imported.project_path)
    optimal, effort = anonymize(project), anonymize(best_first(project))
    assert effort.outcome.proven_optimal
    assert effort.optimum.levels == optimal.optimum.levels


def wide_project(n_qis: int = 20, rows: int = 3_000, metric="loss", **search) -> Project:
    """``n_qis`` quasi-identifiers of 4–6 levels each (20: 5.97·10¹³ transformations); value ``v``
    is ``v >> j`` at level ``j``, skewed so that a few values are frequent."""
    rng = np.random.default_rng(26)
    columns, attributes = {}, {}
    for i in range(n_qis):
        levels = 4 + i % 3
        values = 2 ** (levels - 2)
        rows_ = [[str(v)] + [f"{v >> j}x{j}" for j in range(1, levels - 1)] + ["*"] for v in range(values)]
        attributes[f"q{i}"] = {"role": "quasi-identifier", "hierarchy": Hierarchy(rows_, name=f"q{i}")}
        weights = 1.0 / np.arange(1, values + 1) ** 0.8
        columns[f"q{i}"] = [str(v) for v in rng.choice(values, rows, p=weights / weights.sum())]
    return Project(data=Table.from_columns(columns), attributes=attributes, privacy=[KAnonymity(k=5)],
                   suppression_limit=0.05, metric=metric, search=SearchSettings(**search))


def test_a_lattice_of_6e13_transformations_is_searched_within_its_limit():
    """Past the optimal search's 5,000,000: ``auto`` runs best-first, with a step limit (the
    same answer every run); the answer is anonymous on the released table (checked
    independently), not claimed optimal, and the gap bounds what a better answer could gain."""
    from eucaim_wizard.check import check_table

    seen = []
    project = wide_project(steps=300, time_limit=None)
    result = anonymize(project, on_best=seen.append)
    outcome = result.outcome
    assert result.lattice_size == 59_719_680_000_000 and outcome.strategy == "best-first"
    assert result.checked == 300 and outcome.stopped == "the step limit (300 checks)"
    assert not outcome.proven_optimal and outcome.gap is not None and outcome.gap >= 0
    assert seen and seen[-1] == pytest.approx(result.optimum.information_loss)
    assert result.optimum.suppressed_records <= 0.05 * 3_000
    released = result.anonymized_table(dict(result.optimum.levels))
    assert check_table(project, released, reference=project.data).holds
    summary = result.to_dict()["search"]
    assert summary["strategy"] == "best-first" and summary["proven_optimal"] is False
    assert summary["stopped"] == "the step limit (300 checks)"
    # the same limits, the same answer
    again = anonymize(project)
    assert again.optimum.levels == result.optimum.levels


def test_optimal_is_refused_past_its_limit_and_validate_says_which_search_runs(tmp_path):
    from eucaim_wizard.validation import validate_project

    with pytest.raises(ProjectError, match=r"59,719,680,000,000 transformations.*strategy: best-first"):
        anonymize(wide_project(strategy="optimal"))
    report = validate_project(wide_project(time_limit="2m"))
    (finding,) = [f for f in report.findings if f.code == "best-effort-search"]
    assert finding.severity == "info" and "a best-first search will run" in finding.message
    assert "stopping after 120 s" in finding.message and report.usable
    report = validate_project(wide_project(strategy="optimal"))
    assert [f.severity for f in report.findings if f.code == "lattice-too-large"] == ["error"]


def test_the_search_setting_reads_times_and_refuses_nonsense():
    assert SearchSettings(time_limit="30s").time_limit == 30
    assert SearchSettings(time_limit="2m").time_limit == 120
    assert SearchSettings(time_limit="1.5h").time_limit == 5400
    assert SearchSettings(time_limit=45).time_limit == 45
    assert SearchSettings().resolve(5_000_000) == "optimal" and SearchSettings().resolve(5_000_001) == "best-first"
    with pytest.raises(Exception, match="not a time"):
        SearchSettings(time_limit="soon")
    with pytest.raises(Exception):
        SearchSettings(strategy="genetic-ish")


@pytest.mark.parametrize("metric", ["loss", "precision", "height", "entropy", "discernibility", "aecs",
                                    {"loss": {"aggregate": "maximum"}}, {"loss": {"aggregate": "sum"}},
                                    {"precision": {"aggregate": "arithmetic-mean"}}])
def test_the_bound_of_one_node_is_the_bound_array_to_the_last_bit(metric):
    """A best-effort search reads ``bound_of(node)``; the optimal search the whole array."""
    from eucaim_wizard.pipeline import build_pipeline

    pipeline = build_pipeline(wide_project(n_qis=5, rows=400, metric=metric))
    lattice, first = pipeline.lattice, pipeline.metric
    each = [first.bound_of(node) for node in range(lattice.size)]  # (before the array exists)
    assert "bound" not in first.__dict__
    assert np.array_equal(np.array(each), np.asarray(first.bound, dtype=float))


def _write_wide(folder, n_qis: int = 20) -> None:
    """``wide_project`` as files: data.csv, one hierarchy per attribute, project.yaml (auto)."""
    project = wide_project(n_qis)
    table = project.data
    lines = [",".join(table.columns)] + [",".join(row) for row in zip(*(table.column(c) for c in table.columns))]
    (folder / "data.csv").write_text("\n".join(lines) + "\n")
    attributes = []
    for name in table.columns:
        project.attributes[name].hierarchy.write(folder / f"h_{name}.csv")
        attributes.append(f"  {name}: {{role: quasi-identifier, hierarchy: h_{name}.csv}}")
    (folder / "project.yaml").write_text("data: data.csv\nattributes:\n" + "\n".join(attributes) +
                                         "\nprivacy:\n  - k-anonymity: {k: 5}\nsuppression_limit: 0.05\n")


def test_the_command_line_runs_and_says_what_a_best_effort_search_proves(tmp_path):
    import json

    from typer.testing import CliRunner

    from eucaim_wizard.cli import app

    _write_wide(tmp_path)
    done = CliRunner().invoke(app, ["anonymize", str(tmp_path / "project.yaml"), "-o", str(tmp_path / "out"),
                                    "--steps", "200"])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert " of 59,719,680,000,000 transformations in " in said
    assert "best-first search: stopped at the step limit (200 checks); the best found is kept, not proven optimal" \
        in said
    search = json.loads((tmp_path / "out" / "result.json").read_text())["search"]
    assert search["strategy"] == "best-first" and search["proven_optimal"] is False and search["gap"] >= 0
    refused = CliRunner().invoke(app, ["anonymize", str(tmp_path / "project.yaml"), "-o", str(tmp_path / "out2"),
                                       "--strategy", "optimal"])
    assert refused.exit_code == 2 and "more than the 5,000,000 an optimal search can hold" in " ".join(
        refused.output.split())
    assert not (tmp_path / "out2").exists()


def test_the_whole_run_and_its_report_say_what_the_best_first_search_proves(tmp_path):
    """``run`` on a lattice of 6·10¹³: the report's search section names the best-first search,
    the limit that stopped it and the gap, and does not call its answer the optimum."""
    import json

    from pypdf import PdfReader

    from eucaim_wizard.workflow import run_workflow

    _write_wide(tmp_path)
    project = tmp_path / "project.yaml"
    project.write_text(project.read_text() + "search: {strategy: best-first, steps: 100}\n")
    outcome = run_workflow(project, tmp_path / "out", classification=False, date="2026-12-08")
    search = json.loads(outcome.files["report_json"].read_text())["search"]
    assert search["strategy"]["strategy"] == "best-first" and search["strategy"]["proven_optimal"] is False
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(outcome.files["report_pdf"]).pages).split())
    assert "Checked by the best-first search" in text
    assert "stopped at the step limit (100 checks): the best found, not proven optimal" in text
    assert "it is not proven to be the optimum" in text
