"""Information-loss models: ARX's weighted aggregates, and what attribute weights may do.

The Adult figures are ARX 3.9.2's, measured with benchmarks/arx/ArxCompare.java on
../shared/benchmarks/arx-data (``python benchmarks/arx_compare.py`` reruns them).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.metrics import aggregate, aggregate_each, normalised_weights, parse_metric
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.tables import read_table

ADULT = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]


@pytest.fixture(scope="module")
def adult_table(arx_data):
    return read_table(arx_data / "adult.csv")


def _weighted_adult(arx_data, weights: dict[str, float]) -> Project:
    attributes = {q: {"role": "quasi-identifier", "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv"),
                      "weight": weights[q]} for q in ADULT}
    return Project(data=str(arx_data / "adult.csv"), attributes=attributes, privacy=[KAnonymity(k=10)],
                   suppression_limit=0.05)


# ARX 3.9.2, Adult, 9 QIs, k=10, 5 %, Loss (geometric mean): weights -> optimum and its score
WEIGHTED = [
    ({"age": 1.0, **{q: 0.5 for q in ADULT if q != "age"}},
     [0, 3, 0, 1, 2, 1, 1, 2, 0], 0.16365841723610486, 1437),
    ({"age": 0.1, **{q: 1.0 for q in ADULT if q != "age"}},
     [0, 4, 0, 1, 2, 1, 1, 1, 0], 0.21642257491186245, 1377),
]


# ARX 3.9.2, Adult, 9 QIs, k=10, 5 %, each other quality model (benchmarks/results/arx_compare.json)
OTHER_MODELS = [
    ("precision", [0, 4, 0, 0, 3, 1, 0, 2, 0], 0.4139516978685468, 1237),
    ("height", [0, 1, 1, 1, 1, 2, 1, 2, 0], 9.0, 1357),
    ("discernibility", [1, 0, 1, 2, 3, 2, 2, 1, 1], 10541769.0, 121),
    ("aecs", [0, 0, 1, 2, 2, 2, 2, 1, 1], 52.823117338003506, 1217),
    ("entropy", [1, 0, 1, 1, 2, 2, 2, 1, 1], 290488.79009816574, 1320),
]


@pytest.mark.parametrize("metric, levels, score, suppressed", OTHER_MODELS)
def test_the_other_quality_models_find_arx_optimum(arx_data, adult_table, metric, levels, score, suppressed):
    """Whatever path the search takes (bounds, node by node, the compiled sweep), the optimum
    and its score are ARX's to the last digit."""
    project = _weighted_adult(arx_data, dict.fromkeys(ADULT, 0.5)).model_copy(update={"metric": parse_metric(metric)})
    result = anonymize(project, table=adult_table)
    assert list(result.optimum.levels.values()) == levels
    assert result.optimum.information_loss == score
    assert result.optimum.suppressed_records == suppressed


@pytest.mark.parametrize("weights, levels, score, suppressed", WEIGHTED)
def test_weighted_loss_optimum_equals_arx(arx_data, adult_table, weights, levels, score, suppressed):
    result = anonymize(_weighted_adult(arx_data, weights), table=adult_table)
    assert list(result.optimum.levels.values()) == levels
    assert result.optimum.information_loss == pytest.approx(score, rel=1e-14)
    assert result.optimum.suppressed_records == suppressed


def test_geometric_mean_puts_the_weight_on_the_score_not_on_the_factor():
    # ARX's ILMultiDimensionalGeometricMean: Π (v·w + 1)^(1/n) − 1
    values, weights = [0.5, 0.25], np.array([1.0, 0.5])
    expected = (0.5 * 1.0 + 1.0) ** 0.5 * (0.25 * 0.5 + 1.0) ** 0.5 - 1.0
    assert aggregate(values, weights, "geometric-mean") == expected


AGGREGATES = ["geometric-mean", "arithmetic-mean", "sum", "maximum"]
scores = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(scores, st.data())
def test_a_mean_of_scores_in_0_1_stays_in_0_1(values, data):
    raw = data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(values), max_size=len(values)))
    weights = normalised_weights(raw)
    for how in ("geometric-mean", "arithmetic-mean", "maximum"):
        assert 0.0 <= aggregate(values, weights, how) <= 1.0 + 1e-12


@settings(max_examples=200, deadline=None)
@given(scores, st.data())
def test_aggregate_of_one_item_equals_the_vectorised_aggregate(values, data):
    weights = normalised_weights(data.draw(st.lists(st.floats(0.0, 1.0), min_size=len(values), max_size=len(values))))
    for how in AGGREGATES:
        vectorised = aggregate_each([np.array([v, v]) for v in values], weights, how)
        assert aggregate(values, weights, how) == vectorised[0] == vectorised[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=9), st.data())
def test_raising_a_weight_never_makes_generalizing_that_attribute_cheaper(values, data):
    """With the largest weight held by another attribute (so the normalisation stays), a
    higher weight of attribute 0 never lowers a score nor the cost of generalizing it more."""
    n = len(values)
    others = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n - 1, max_size=n - 1))
    low, high = sorted(data.draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)))
    more = data.draw(st.floats(values[0], 1.0))  # attribute 0 generalized further
    for how in AGGREGATES:
        def score(weight, first):
            return aggregate([first, *values[1:]], normalised_weights([weight, 1.0, *others[1:]]), how)
        assert score(high, values[0]) >= score(low, values[0]) - 1e-15
        assert score(high, more) - score(high, values[0]) >= score(low, more) - score(low, values[0]) - 1e-12


def _small_weighted_project(weights: list[float]) -> Project:
    table = Table.from_columns({"age": ["31", "32", "41", "42", "43", "35"], "sex": ["F", "F", "M", "M", "F", "M"]})
    age = Hierarchy([["31", "30-39", "*"], ["32", "30-39", "*"], ["35", "30-39", "*"], ["41", "40-49", "*"],
                     ["42", "40-49", "*"], ["43", "40-49", "*"]])
    sex = Hierarchy([["F", "*"], ["M", "*"]])
    return Project(data=table, privacy=[KAnonymity(k=2)], suppression_limit=0.34, attributes={
        "age": {"role": "quasi-identifier", "hierarchy": age, "weight": weights[0]},
        "sex": {"role": "quasi-identifier", "hierarchy": sex, "weight": weights[1]}})


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2))
def test_weighted_loss_of_every_node_lies_in_0_1(weights):
    result = anonymize(_small_weighted_project(weights))
    losses = [t.information_loss for t in result.evaluate_all() if t.information_loss is not None]
    # (up to the rounding of the powers: (1 + 1)^(1/2)·(1 + 1)^(1/2) − 1 is 1 + 4e-16, in ARX too)
    assert losses and all(0.0 <= loss <= 1.0 + 1e-12 for loss in losses)
    assert 0.0 <= result.optimum.information_loss <= 1.0 + 1e-12


@pytest.mark.parametrize("metric", ["precision", "height", "aecs", "discernibility", {"precision": {"gs_factor": 0.2}},
                                    {"height": {"aggregate": "geometric-mean"}}, {"aecs": {"gs_factor": 0.8}}])
def test_loss_from_counts_equals_the_loss_on_the_classes(arx_data, adult_table, metric):
    """Precision, Height, AECS and Discernibility need only a node's levels and counts (and Σ
    size² of the kept classes): a node judged by the compiled sweep is scored without grouping
    its classes, to the last digit."""
    qis = ADULT[:6]
    attributes = {q: {"role": "quasi-identifier", "hierarchy": str(arx_data / f"adult_hierarchy_{q}.csv")}
                  for q in qis}
    project = Project(data=str(arx_data / "adult.csv"), attributes=attributes, privacy=[KAnonymity(k=10)],
                      suppression_limit=0.1, metric=metric)
    result = anonymize(project, table=adult_table)
    evaluator, checked = result.evaluator, 0
    for node in range(0, result.lattice.size, 7):
        classes = evaluator.classes(node)
        ok, _ = evaluator.verdict(classes)
        suppressed = int(classes.sizes[~ok].sum())
        kept = classes.sizes[ok]
        from_counts = result.metric.loss_from_counts(tuple(result.lattice.row(node)), suppressed, int(ok.sum()),
                                                     len(ok), int((kept * kept).sum()))
        assert from_counts == result.metric.loss(classes, ok)
        checked += 1
    assert checked > 50
