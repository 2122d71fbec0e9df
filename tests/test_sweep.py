"""The compiled evaluation of a whole lattice (k-anonymity, Loss) gives what evaluating each
transformation on its own gives."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.engine.sweep import Sweep, SweepFigures
from eucaim_wizard.privacy import DistinctLDiversity, EntropyLDiversity, KAnonymity, TCloseness


@st.composite
def hierarchies(draw, name: str):
    """A random tree hierarchy over 2–12 values with 1–4 levels."""
    n_values = draw(st.integers(2, 12))
    n_levels = draw(st.sampled_from([1, 2, 3, 3, 4, 4]))
    groups = list(range(n_values))
    columns = [[f"{name}{v}" for v in range(n_values)]]
    for level in range(1, n_levels):
        n_groups = max(groups) + 1
        parent = [draw(st.integers(0, max(0, n_groups - 2))) for _ in range(n_groups)]
        groups = [parent[g] for g in groups]
        columns.append([f"{name}L{level}-{g}" for g in groups])
    return Hierarchy([[columns[level][v] for level in range(n_levels)] for v in range(n_values)], name=name)


@st.composite
def projects(draw, models=("k",)):
    """A random project: 1–5 quasi-identifiers, up to 120 records, a sensitive attribute of
    2–6 values, privacy models drawn from ``models`` (k-anonymity, distinct l-diversity,
    equal-distance t-closeness), Loss with a random gs-factor and aggregate."""
    n_qis = draw(st.integers(1, 5))
    names = [f"q{i}" for i in range(n_qis)]
    hs = [draw(hierarchies(name)) for name in names]
    n_rows = draw(st.integers(1, 120))
    data = {name: [h.values()[draw(st.integers(0, h.n_values - 1))] for _ in range(n_rows)]
            for name, h in zip(names, hs)}
    n_sensitive = draw(st.integers(2, 6))
    data["s"] = [f"s{draw(st.integers(0, n_sensitive - 1))}" for _ in range(n_rows)]
    attributes = {"s": {"role": "sensitive"}}
    for name, h in zip(names, hs):
        low = draw(st.sampled_from([0, 0, draw(st.integers(0, h.n_levels - 1))]))
        high = draw(st.sampled_from([h.n_levels - 1, h.n_levels - 1, draw(st.integers(low, h.n_levels - 1))]))
        attributes[name] = {"role": "quasi-identifier", "hierarchy": h, "min_level": low, "max_level": high,
                            "weight": draw(st.sampled_from([0.5, 0.1, 1.0]))}
    makers = {"k": lambda: KAnonymity(k=draw(st.integers(1, 8))),
              "l": lambda: DistinctLDiversity(attribute="s", l=draw(st.integers(1, 3))),
              "t": lambda: TCloseness(attribute="s", t=draw(st.sampled_from([0.05, 0.2, 0.4, 0.6, 1.0])))}
    kinds = draw(st.lists(st.sampled_from(models), min_size=1, max_size=3))
    name = draw(st.sampled_from(["loss", "loss", "loss", "precision", "height", "aecs", "discernibility"]))
    params = {"gs_factor": draw(st.sampled_from([0.5, 0.0, 0.25, 1.0]))}
    if name in ("loss", "precision", "height"):
        params["aggregate"] = draw(st.sampled_from(["geometric-mean", "arithmetic-mean", "sum", "maximum"]))
    metric = {name: params}
    return Project(data=Table.from_columns(data), attributes=attributes, privacy=[makers[kind]() for kind in kinds],
                   suppression_limit=draw(st.sampled_from([0.0, 0.05, 0.25, 1.0])), metric=metric)


ROUNDING = 1.5e-10  # 1e-10, the last decimal kept, and the error of representing it


def rounding(result) -> float:
    """How far two losses of one transformation summed in another order may be apart: a step
    of each attribute's 10-decimal rounding (the aggregate adds them up, e.g. ``sum``)."""
    return ROUNDING * max(len(result.quasi_identifiers), 1)


def figures(t):
    return t.levels, t.anonymous, t.suppressed_records, t.equivalence_classes, t.min_class_size


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(models=("k", "l", "t")))
def test_the_sweep_equals_evaluating_each_transformation(project):
    result = anonymize(project)
    assert result._sweep is not None  # k-anonymity, distinct-l, equal-distance t; scored from the sweep
    swept = result.evaluate_all(workers=1)
    numpy_path = result.evaluate_all(workers=1, compiled=False)
    for node, (listed, other) in enumerate(zip(swept, numpy_path)):
        one = result.evaluate(node)
        assert figures(listed) == figures(one) == figures(other)
        assert listed.information_loss == pytest.approx(one.information_loss, abs=rounding(result))
        assert listed.information_loss == pytest.approx(other.information_loss, abs=rounding(result))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(models=("k", "l", "t")), st.data())
def test_a_sub_lattice_starts_from_the_base_table(project, data):
    """The upper part of the lattice along one attribute (what the second thread evaluates):
    its lowest nodes have no predecessor inside, and are rolled up from the base table in
    every attribute at once."""
    result = anonymize(project)
    lattice, sweep = result.lattice, result._sweep
    everything = sweep.run(np.arange(lattice.size))
    a = data.draw(st.integers(0, len(lattice.span) - 1))
    cut = data.draw(st.integers(int(lattice.low[a]), int(lattice.high[a])))
    upper = np.flatnonzero(lattice.levels[:, a] >= cut)
    part = sweep.run(upper)
    for name in ("classes", "suppressed", "kept", "smallest", "use_kept", "failing"):
        assert (getattr(part, name)[upper] == getattr(everything, name)[upper]).all(), name
    np.testing.assert_allclose(part.parts[upper], everything.parts[upper], rtol=1e-12, atol=1e-9)


def _wide_project(n_values: int, n_qis: int = 2, k: int = 2) -> Project:
    """``n_qis`` attributes of ``n_values`` values each (two levels), 600 records."""
    rng = np.random.default_rng(7)
    attributes, data = {}, {}
    for i in range(n_qis):
        values = [f"v{j}" for j in range(n_values)]
        hierarchy = Hierarchy([[v, f"g{j % 5}", "*"] for j, v in enumerate(values)], name=f"q{i}")
        attributes[f"q{i}"] = {"role": "quasi-identifier", "hierarchy": hierarchy}
        data[f"q{i}"] = [values[j] for j in rng.integers(0, n_values, 600)]
    return Project(data=Table.from_columns(data), attributes=attributes, privacy=[KAnonymity(k=k)],
                   suppression_limit=0.1)


@pytest.mark.parametrize("n_values, code_type", [(40, np.uint8), (300, np.uint16), (70_000, np.int32)])
def test_codes_are_held_in_the_narrowest_integers(n_values, code_type):
    result = anonymize(_wide_project(n_values))
    assert result._sweep._code_type is code_type
    for listed, one in zip(result.evaluate_all(workers=1), map(result.evaluate, range(result.lattice_size))):
        assert figures(listed) == figures(one)
        assert listed.information_loss == pytest.approx(one.information_loss, abs=rounding(result))


def test_keys_past_62_bits_are_evaluated_in_numpy():
    # eight attributes of 300 values: 300**8 possible rows, more than a 62-bit key holds
    result = anonymize(_wide_project(300, n_qis=8))
    assert not Sweep.applies(result.frequency) and result._sweep is None
    listed = result.evaluate_all(workers=1)
    assert [figures(t) for t in listed[:20]] == [figures(result.evaluate(node)) for node in range(20)]


def test_only_the_models_with_compiled_verdicts_are_swept():
    table = Table.from_columns({"a": ["1", "2", "1", "2"], "s": ["x", "y", "x", "y"]})
    h = Hierarchy([["1", "*"], ["2", "*"]])
    attributes = {"a": {"role": "quasi-identifier", "hierarchy": h}, "s": {"role": "sensitive"}}

    def result(models, **options):
        return anonymize(Project(data=table, attributes=attributes, privacy=models, **options))

    for models in ([KAnonymity(k=2)], [KAnonymity(k=2), DistinctLDiversity(attribute="s", l=2)],
                   [TCloseness(attribute="s", t=0.3)]):
        assert result(models)._sweep is not None
    for metric in ("precision", "height", "aecs", "discernibility"):  # scored from the sweep's counts
        assert result([KAnonymity(k=2)], metric={metric: {}})._sweep is not None
    others = [result([KAnonymity(k=2)], metric={"entropy": {}}),  # needs the classes
              result([KAnonymity(k=2)], metric={"discernibility": {"monotonic": True}}),
              result([EntropyLDiversity(attribute="s", l=2)]),
              result([TCloseness(attribute="s", t=0.3, distance="ordered")])]
    for other in others:
        assert other._sweep is None
        assert [figures(t) for t in other.evaluate_all()] == [figures(other.evaluate(n)) for n in range(2)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(models=("k", "l", "t")))
def test_a_search_that_sweeps_finds_what_it_finds_without(project):
    """The search switches to the sweep after a share of the lattice (here: at once): the
    same optimum, statuses, checks and figures as node by node."""
    from eucaim_wizard.engine.evaluator import Evaluator

    with patch.object(Evaluator, "_SWEEP_AFTER", 10**9), patch.object(Evaluator, "_SWEEP_WEAK", 10**9):
        plain = anonymize(project)
    with patch.object(Evaluator, "_SWEEP_AFTER", 0), patch.object(Evaluator, "_SWEEP_SHARE", 0.0), \
            patch.object(Evaluator, "_SWEEP_LEFT", 10**9):
        swept = anonymize(project)
    assert plain.evaluator.swept is None
    assert (swept.evaluator.swept is not None) == (plain.checked > 0)  # (the bounds may settle everything)
    assert swept.outcome.optimum == plain.outcome.optimum
    assert (swept.outcome.status == plain.outcome.status).all()
    np.testing.assert_array_equal(swept.outcome.loss, plain.outcome.loss)
    assert swept.outcome.evaluations.keys() == plain.outcome.evaluations.keys()
    for node, evaluation in plain.outcome.evaluations.items():
        other = swept.outcome.evaluations[node]
        assert (other.anonymous, other.information_loss, other.fails_below) == \
            (evaluation.anonymous, evaluation.information_loss, evaluation.fails_below)
        if evaluation.suppressed is not None:  # (screened nodes have no figures without the sweep)
            assert (other.suppressed, other.classes, other.min_class_size, other.suppresses_nothing) == \
                (evaluation.suppressed, evaluation.classes, evaluation.min_class_size, evaluation.suppresses_nothing)
    if plain.optimum is not None:
        assert swept.optimum == plain.optimum


@pytest.mark.parametrize("workers", [1, 2])
def test_sweeping_some_nodes_gives_their_figures_as_sweeping_all(monkeypatch, workers):
    """A search hands over the nodes it may still need (the bottom, known to fail, is
    skipped): each node swept gives the figures it has in a sweep of the whole lattice, also
    where none of its predecessors was swept (it starts from the base table), in one process
    or split in two."""
    import eucaim_wizard.engine.parallel as parallel_module

    monkeypatch.setattr(parallel_module, "PARALLEL_NODES", 1)
    result = anonymize(_wide_project(40, n_qis=4))
    sweep = result._sweep
    everything = sweep.run_all(workers=workers)
    lattice = result.lattice
    chosen = np.flatnonzero((lattice.height >= 3) | (np.arange(lattice.size) % 5 == 0))
    some = sweep.run_all(workers=workers, nodes=chosen)
    assert 0 < len(chosen) < lattice.size
    for name in SweepFigures.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(some, name)[chosen], getattr(everything, name)[chosen])
    others = np.setdiff1d(np.arange(lattice.size), chosen)
    assert (some.classes[others] == 0).all() and (everything.classes > 0).all()


def test_the_sweep_reports_progress_by_height():
    result = anonymize(_wide_project(40, n_qis=3))
    calls = []
    result.evaluate_all(lambda done, total: calls.append((done, total)), workers=1)
    heights = len(np.unique(result.lattice.height))
    assert len(calls) == heights and calls[-1] == (result.lattice_size, result.lattice_size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_sweep_that_would_take_too_much_memory_gives_way_to_numpy(monkeypatch):
    """Past MAX_BYTES for the classes of two heights the sweep gives up (None) and the
    caller evaluates node by node: the same figures, the same search."""
    import eucaim_wizard.engine.parallel as parallel_module
    import eucaim_wizard.engine.sweep as sweep_module
    from eucaim_wizard.engine.evaluator import Evaluator

    monkeypatch.setattr(parallel_module, "PARALLEL_NODES", 1)  # workers=2 splits the lattice, even here
    project = _wide_project(40, n_qis=3)
    expected = anonymize(project)
    listed = [figures(t) for t in expected.evaluate_all(workers=1)]
    sweep = expected._sweep
    monkeypatch.setattr(sweep_module, "MAX_BYTES", 600 * sweep._row_bytes)  # a few hundred classes
    assert sweep.run_all(workers=1) is None and sweep.run_all(workers=2) is None
    fresh = anonymize(project)
    assert [figures(t) for t in fresh.evaluate_all(workers=1)] == listed
    with patch.object(Evaluator, "_SWEEP_AFTER", 0), patch.object(Evaluator, "_SWEEP_SHARE", 0.0):
        searched = anonymize(project)
    assert searched.evaluator.swept is None and searched.outcome.optimum == expected.outcome.optimum
    monkeypatch.setattr(sweep_module, "MAX_BYTES", 100)  # not even the base table
    assert anonymize(project)._sweep is None


def test_deciding_whether_a_sweep_applies_does_not_load_numba():
    """numba (0.4 s to import) is loaded by a Sweep only, not to read the models' form."""
    import subprocess
    import sys

    code = ("import sys\nfrom eucaim_wizard.engine.sweep import sweep_models\n"
            "from eucaim_wizard.privacy import KAnonymity\n"
            "assert sweep_models([KAnonymity(k=2)], {}) is not None\n"
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_search_sweeps_only_when_much_work_is_left(arx_data):
    """After a sixteenth of the lattice the search weighs the work left: with Precision (Adult,
    k=10, 5 %) only ~50 candidates remain, so it goes on node by node; with t-closeness nearly
    the whole lattice is left, and it sweeps.  The optimum is the same either way."""
    from eucaim_wizard.engine.evaluator import Evaluator
    from eucaim_wizard.tables import read_table

    table = read_table(arx_data / "adult.csv")
    qis = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]
    attributes = {q: {"role": "quasi-identifier", "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv")}
                  for q in qis}
    precision = Project(data=table, attributes={**attributes, "occupation": {
        "role": "quasi-identifier", "hierarchy": str(arx_data / "adult_hierarchy_occupation.csv")}},
        privacy=[KAnonymity(k=10)], suppression_limit=0.05, metric={"precision": {}})
    result = anonymize(precision)
    assert result.evaluator.swept is None and result.checked == 859
    with patch.object(Evaluator, "_SWEEP_LEFT", 10**9):  # sweeping anyway: the same optimum
        assert anonymize(precision).optimum == result.optimum
    closeness = Project(data=table, attributes={**attributes, "occupation": {"role": "sensitive"}},
                        privacy=[TCloseness(attribute="occupation", t=0.2)], suppression_limit=0.04,
                        metric={"entropy": {"monotonic": True}})
    assert anonymize(closeness).evaluator.swept is not None
