"""anonymize(): ARX's published optima and scores on Adult, hand-computed metrics, limits, outputs.

The Adult oracles are ARX 3.9's own test expectations (TestAnonymizationKAnonymity,
TestAnonymizationHeuristic, TestUtilityMetrics; facts gathered in the project notes), on
../shared/benchmarks/arx-data.  Level vectors are in the column order of adult.csv.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard import Hierarchy, Project, Table, anonymize, load_project
from eucaim_wizard.errors import InfeasibleError, ProjectError
from eucaim_wizard.metrics import parse_metric
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.release import anonymize_to_folder
from eucaim_wizard.tables import read_table

ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]


def adult_project(arx_data, qis=ADULT, **overrides) -> Project:
    attributes = {q: {"role": "quasi-identifier", "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv")} for q in qis}
    config = {"data": str(arx_data / "adult.csv"), "attributes": attributes, "privacy": [{"k-anonymity": {"k": 5}}]}
    config.update(overrides)
    return Project(**config)


@pytest.fixture(scope="module")
def adult_table(arx_data):
    return read_table(arx_data / "adult.csv")


# ARX's expected global optima: (metric, k, suppression limit, score, levels)
ARX_OPTIMA = [
    ({"entropy": {"monotonic": True}}, 5, 0.04, 255559.85455731067, [1, 0, 1, 1, 3, 2, 2, 0, 1]),
    ({"entropy": {"monotonic": True}}, 100, 0.04, 379417.3460570988, [1, 1, 1, 1, 3, 2, 2, 1, 1]),
    ({"entropy": {"monotonic": True}}, 5, 0.0, 407289.5388925293, [1, 2, 1, 1, 3, 2, 2, 1, 1]),
    ({"entropy": {"monotonic": True}}, 100, 0.0, 453196.8932458743, [0, 4, 1, 1, 3, 2, 2, 1, 1]),
    ("loss", 5, 1.0, 0.22041192847984292, [0, 3, 0, 0, 2, 1, 1, 1, 0]),
    ("loss", 5, 0.04, 0.26611081915757495, [0, 3, 0, 1, 1, 1, 1, 2, 0]),
]


@pytest.mark.parametrize("metric, k, limit, score, levels", ARX_OPTIMA)
def test_adult_optimum_equals_arx(arx_data, adult_table, metric, k, limit, score, levels):
    project = adult_project(arx_data, privacy=[KAnonymity(k=k)], suppression_limit=limit, metric=metric)
    result = anonymize(project, table=adult_table)
    assert list(result.optimum.levels.values()) == levels
    assert result.optimum.information_loss == score  # to the last digit


def test_adult_default_loss_k5_matches_the_issue_example(arx_data, adult_table):
    result = anonymize(adult_project(arx_data), table=adult_table)
    optimum = result.optimum
    assert result.lattice_size == 12960
    assert optimum.levels["age"] == 4 and optimum.levels["sex"] == 0
    assert optimum.information_loss == pytest.approx(0.5731509655590044, abs=1e-15)
    assert (optimum.suppressed_records, optimum.equivalence_classes, optimum.min_class_size) == (0, 24, 69)
    assert result.metric_label == "Loss (0.5/1.0/1.0)"


# ARX TestUtilityMetrics: losses of given transformations, 8 QIs (occupation not a QI), k=5
EIGHT = [q for q in ADULT if q != "occupation"]
ARX_SCORES = [
    ("aecs", 0.0, [0, 0, 0, 0, 0, 0, 0, 0], 29.113899613899616),
    ("aecs", 0.0, [0, 3, 1, 0, 0, 1, 1, 0], 53.38407079646018),
    ("aecs", 0.05, [1, 3, 0, 2, 2, 0, 2, 0], 150.81),
    ({"discernibility": {}}, 0.0, [0, 0, 1, 0, 3, 2, 0, 0], 1.10335369e8),
    ({"discernibility": {}}, 0.05, [0, 3, 1, 1, 1, 2, 0, 0], 3.4129719e7),
    ({"discernibility": {"monotonic": True}}, 0.0, [1, 0, 1, 1, 3, 2, 2, 0], 8461812.0),
    ({"precision": {}}, 0.0, [1, 0, 0, 1, 2, 1, 2, 1], 0.6099534734655084),
    ({"precision": {}}, 0.05, [0, 4, 1, 1, 3, 1, 0, 1], 0.6261686890789736),
    ({"precision": {"monotonic": True}}, 0.05, [0, 4, 0, 0, 1, 1, 2, 1], 0.47916666666666663),
    ({"entropy": {}}, 0.0, [0, 1, 0, 1, 0, 2, 1, 1], 199996.96695661292),
    ({"entropy": {}}, 0.05, [0, 4, 0, 0, 3, 1, 0, 0], 281042.4101515442),
    ("height", 0.0, [0, 4, 1, 1, 3, 0, 2, 0], 11.0),
]


@pytest.mark.parametrize("metric, limit, levels, score", ARX_SCORES)
def test_adult_transformation_scores_equal_arx(arx_data, adult_table, metric, limit, levels, score):
    project = adult_project(arx_data, qis=EIGHT, suppression_limit=limit, metric=metric)
    result = anonymize(project, table=adult_table)
    node = result.node_of(dict(zip(EIGHT, levels)))
    assert result.evaluate(node).information_loss == score


def _tiny(k=2, limit=0.0, metric="loss", **attribute):
    table = Table.from_columns({"age": ["31", "32", "41", "42", "43"], "sex": ["F", "F", "M", "M", "F"]})
    age = Hierarchy([["31", "30-39", "*"], ["32", "30-39", "*"], ["41", "40-49", "*"],
                     ["42", "40-49", "*"], ["43", "40-49", "*"], ["44", "40-49", "*"]])
    sex = Hierarchy([["F", "*"], ["M", "*"]])
    return Project(data=table, privacy=[KAnonymity(k=k)], suppression_limit=limit, metric=metric, attributes={
        "age": {"role": "quasi-identifier", "hierarchy": age, **attribute},
        "sex": {"role": "quasi-identifier", "hierarchy": sex}})


def test_loss_by_hand():
    # Hierarchy rows: age 6 (30-39 covers 2, 40-49 covers 4), sex 2; n = 5.
    # (age 1, sex 0), k=2: class 40-49/F holds one record, suppressed (costs 1 per attribute).
    # age: 2·2/6 + 2·4/6 + 1 = 3 → (3 − 5/6)/(5 − 5/6) = 0.52
    # sex: 4·1/2 + 1 = 3       → (3 − 5/2)/(5 − 5/2) = 0.2
    # geometric mean: sqrt(1.52 · 1.2) − 1
    result = anonymize(_tiny(k=2))
    node = result.node_of({"age": 1, "sex": 0})
    assert result.evaluate(node).information_loss == pytest.approx((1.52 * 1.2) ** 0.5 - 1, abs=1e-9)
    # the optimum (age 2, sex 0) suppresses nothing: age 1, sex 0 → sqrt(2 · 1) − 1
    assert result.optimum.levels == {"age": 2, "sex": 0}
    assert result.optimum.information_loss == pytest.approx(2 ** 0.5 - 1, abs=1e-9)


def test_suppression_counts_the_records_of_small_classes():
    # k=2 at (age 1, sex 0): classes 30-39/F (2), 40-49/M (2), 40-49/F (1) → 1 record suppressed
    result = anonymize(_tiny(k=2, limit=0.2))
    assert result.optimum.levels == {"age": 1, "sex": 0}
    assert result.optimum.suppressed_records == 1
    table = result.anonymized_table()
    assert list(table.column("age")) == ["30-39", "30-39", "40-49", "40-49", "*"]
    assert list(table.column("sex")) == ["F", "F", "M", "M", "*"]


def test_suppression_limit_is_floor_of_share_and_inclusive():
    # 1 of 5 records = 0.2: a limit of 0.2 allows it, 0.19 does not
    assert anonymize(_tiny(k=2, limit=0.2)).optimum.suppressed_records == 1
    assert anonymize(_tiny(k=2, limit=0.19)).optimum.suppressed_records == 0


def test_min_and_max_levels_are_respected():
    result = anonymize(_tiny(k=2, min_level=2))
    assert result.optimum.levels["age"] == 2
    assert anonymize(_tiny(k=2, max_level=0, limit=1.0)).optimum.levels["age"] == 0


def test_weights_change_the_optimum():
    base = anonymize(_tiny(k=2, limit=0.2, metric={"loss": {"aggregate": "arithmetic-mean"}}))
    heavy = anonymize(_tiny(k=2, limit=0.2, weight=0.0, metric={"loss": {"aggregate": "arithmetic-mean"}}))
    assert heavy.optimum.information_loss <= base.optimum.information_loss


def test_identifiers_never_reach_the_output(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("name,age,sex\nAnn,31,F\nBea,32,F\nCid,41,M\nDan,42,M\n", encoding="utf-8")
    (tmp_path / "age.csv").write_text("31;30-39;*\n32;30-39;*\n41;40-49;*\n42;40-49;*\n", encoding="utf-8")
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        "data: d.csv\nattributes:\n  name: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n", encoding="utf-8")
    outcome = anonymize_to_folder(load_project(tmp_path / "p.yaml"), tmp_path / "out")
    written = read_table(outcome.table_path)
    assert written.columns == ["age", "sex"]
    assert list(written.column("age")) == ["30-39", "30-39", "40-49", "40-49"]
    result = json.loads(outcome.result_path.read_text(encoding="utf-8"))
    assert result["anonymous"] is True and result["optimum"]["levels"] == {"age": 1, "sex": 0}


def test_drop_suppressed_removes_records(tmp_path):
    project = _tiny(k=2, limit=0.2)
    table = anonymize(project).anonymized_table(drop_suppressed=True)
    assert table.n_rows == 4


def test_infeasible_project_explains_what_would_work(tmp_path):
    table = Table.from_columns({"q": ["a", "b", "c"]})
    h = Hierarchy([["a", "ab"], ["b", "ab"], ["c", "c"]])
    project = Project(data=table, attributes={"q": {"role": "quasi-identifier", "hierarchy": h}},
                      privacy=[KAnonymity(k=2)])
    with pytest.raises(InfeasibleError) as caught:
        anonymize_to_folder(project, tmp_path / "out")
    message = str(caught.value)
    assert "raise suppression_limit to at least 0.333" in message
    assert "q dominates the class count" in message
    assert caught.value.exit_code == 3
    assert not (tmp_path / "out").exists()
    # k = 1 protects no one: never advised (it was "lower k to 1 or less")
    assert "lower k" not in message and "no k of 2 or more is feasible" in message


def test_infeasible_advice_gives_the_largest_protective_k():
    table = Table.from_columns({"q": ["a", "a", "a", "b", "b", "c"]})
    h = Hierarchy([["a", "a"], ["b", "b"], ["c", "c"]])
    project = Project(data=table, attributes={"q": {"role": "quasi-identifier", "hierarchy": h}},
                      privacy=[KAnonymity(k=3)], suppression_limit=0.17)
    with pytest.raises(InfeasibleError, match="lower k to 2 or less"):
        anonymize_to_folder(project, "unused-out")


def test_export_recheck_catches_a_wrong_output(tmp_path, monkeypatch):
    """A bug that leaves a too-small class unsuppressed is caught before anything is written."""
    from eucaim_wizard import anonymizer
    from eucaim_wizard.errors import VerificationError

    project = _tiny(k=2, limit=0.2)
    project.data.path = None
    monkeypatch.setattr(anonymizer.Result, "suppressed_records",
                        lambda self, node: np.zeros(self.n_records, dtype=bool))
    with pytest.raises(VerificationError):
        anonymize_to_folder(project, tmp_path / "out")
    assert not any((tmp_path / "out").glob("anonymized*"))


def test_export_recheck_compares_the_other_columns_by_their_text():
    """Unchanged columns are compared by text: the same values in another dictionary order
    are equal, a changed value is not (the fast path compares the codes and dictionaries)."""
    from eucaim_wizard.verify import _same_column

    a = Table.from_columns({"x": ["p", "q", "p", "r"]})
    same_text = Table.from_columns({"x": ["p", "q", "p", "r"]})
    reordered = Table.from_columns({"x": ["p", "q", "p", "r"]})
    reordered._categories["x"] = reordered._categories["x"][::-1].copy()  # r, q, p
    reordered._codes["x"] = (2 - reordered._codes["x"]).astype(np.int32)
    changed = Table.from_columns({"x": ["p", "q", "q", "r"]})
    assert reordered.column("x").tolist() == ["p", "q", "p", "r"]
    assert _same_column(a, same_text, "x") and _same_column(a, reordered, "x")
    assert not _same_column(a, changed, "x")


def test_unknown_levels_are_refused():
    result = anonymize(_tiny(k=2))
    with pytest.raises(ProjectError, match="outside the lattice"):
        result.node_of({"age": 5, "sex": 0})


def test_metric_labels_and_defaults():
    assert parse_metric("loss").aggregate_function == "geometric-mean"
    assert parse_metric("precision").aggregate_function == "arithmetic-mean"
    assert parse_metric("entropy").aggregate_function == "sum"


def test_a_hierarchy_that_is_not_a_tree_is_refused():
    from eucaim_wizard.errors import HierarchyError

    table = Table.from_columns({"q": ["a", "b", "c", "d"]})
    # 'x' has two parents at level 2: generalization would not be monotonic
    h = Hierarchy([["a", "x", "P"], ["b", "x", "Q"], ["c", "y", "Q"], ["d", "y", "Q"]])
    project = Project(data=table, attributes={"q": {"role": "quasi-identifier", "hierarchy": h}},
                      privacy=[KAnonymity(k=2)])
    with pytest.raises(HierarchyError, match="cannot be used"):
        anonymize(project)


def test_cli_anonymizes_adult_end_to_end(arx_data, tmp_path):
    import subprocess
    import sys

    lines = [f"data: {json.dumps(str(arx_data / 'adult.csv'))}", "attributes:"]
    lines += [f"  {q}: {{role: quasi-identifier, hierarchy: {json.dumps(str(arx_data / f'adult_hierarchy_{q}.csv'))}}}"
              for q in ADULT]
    lines += ["privacy:", "  - k-anonymity: {k: 5}", "suppression_limit: 0.04", "metric: loss", ""]
    (tmp_path / "adult.yaml").write_text("\n".join(lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "eucaim_wizard", "anonymize", str(tmp_path / "adult.yaml"),
                           "-o", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["optimum"]["information_loss"] == 0.26611081915757495
    written = read_table(tmp_path / "out" / "anonymized.csv")
    assert written.n_rows == 30162 and written.format.delimiter == ";"
    assert int((written.column("sex") == "*").sum()) == result["optimum"]["suppressed_records"] == 1178


def test_a_lattice_too_large_to_search_is_a_clear_error(monkeypatch):
    import eucaim_wizard.pipeline as anonymizer_module

    monkeypatch.setattr(anonymizer_module, "MAX_LATTICE", 3)
    table = Table.from_columns({"a": ["1", "2"], "b": ["1", "2"]})
    h = Hierarchy([["1", "*"], ["2", "*"]])
    project = Project(data=table, attributes={"a": {"role": "quasi-identifier", "hierarchy": h},
                                              "b": {"role": "quasi-identifier", "hierarchy": h}},
                      privacy=[KAnonymity(k=2)])
    with pytest.raises(ProjectError, match=r"4 transformations.*a 2, b 2.*fewer columns the role quasi-identifier"):
        anonymize(project)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("compiled", [True, False])
def test_evaluate_all_gives_what_evaluating_each_transformation_gives(arx_data, adult_table, monkeypatch, workers,
                                                                      compiled):
    # the whole lattice, by height from neighbours (in compiled code or in numpy, and with 2
    # workers split over a forked process), equals node-by-node evaluation; the loss to the
    # 10-decimal rounding
    import eucaim_wizard.engine.parallel as parallel_module

    monkeypatch.setattr(parallel_module, "PARALLEL_NODES", 16)
    qis = ["sex", "age", "race", "marital-status", "salary-class"]
    result = anonymize(adult_project(arx_data, qis=qis, suppression_limit=0.05), table=adult_table)
    everything = result.evaluate_all(workers=workers, compiled=compiled)
    assert len(everything) == result.lattice_size == 120
    for node, listed in enumerate(everything):
        one = result.evaluate(node)
        assert (listed.levels, listed.anonymous, listed.suppressed_records, listed.equivalence_classes,
                listed.min_class_size) == (one.levels, one.anonymous, one.suppressed_records,
                                           one.equivalence_classes, one.min_class_size)
        assert listed.information_loss == pytest.approx(one.information_loss, abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_cheapest_cached_source_is_the_cheapest_at_most_as_general(data):
    """The packed comparison of cached level vectors (one subtraction for every attribute)
    picks what comparing every level one by one picks."""
    from eucaim_wizard.engine.evaluator import _Sources
    from eucaim_wizard.engine.lattice import Lattice

    # up to 6 attributes with levels up to 40 fit the packed keys; 9 with levels up to 100 and
    # 12 up to 30 do not, and the level vectors are compared as they are (12 up to 100 would
    # make a lattice beyond 64-bit node ids, which Lattice refuses)
    n = data.draw(st.sampled_from([1, 2, 3, 4, 5, 6, 9, 12]))
    high = [data.draw(st.integers(0, 40 if n <= 6 else 100 if n <= 9 else 30)) for _ in range(n)]
    lattice = Lattice([0] * n, high)
    sources = _Sources(lattice)
    vectors = [tuple([0] * n)]
    costs = [10**6]
    sources.add(vectors[0], costs[0])
    for _ in range(data.draw(st.integers(0, 30))):
        vector = tuple(data.draw(st.integers(0, h)) for h in high)
        cost = data.draw(st.integers(1, 10**5))
        vectors.append(vector)
        costs.append(cost)
        sources.add(vector, cost)
    for _ in range(5):
        node = [data.draw(st.integers(0, h)) for h in high]
        usable = [i for i, v in enumerate(vectors) if all(a <= b for a, b in zip(v, node))]
        chosen = sources.cheapest_below(node)
        assert chosen in usable
        assert costs[chosen] == min(costs[i] for i in usable)


def test_the_search_makes_no_blas_call(arx_data, adult_table, monkeypatch):
    """A float dot product runs on BLAS threads, which stall whenever another process holds
    a core (timings swung 9x): the engine's sums are numpy's own loops.  Adult, k=10, 5 %
    (the k-only count screen) and the Loss metric."""
    blas = []
    dot = np.dot

    def watched(a, b, *args):
        if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            blas.append((np.asarray(a).shape, np.asarray(b).shape))
        return dot(a, b, *args)

    monkeypatch.setattr(np, "dot", watched)
    for k, limit in ((10, 0.05), (2, 0.0), (100, 0.05)):
        result = anonymize(adult_project(arx_data, privacy=[KAnonymity(k=k)], suppression_limit=limit),
                           table=adult_table)
        assert result.optimum is not None
    assert blas == []
